"""VAT of an invoice, computed once per rate on the rate's total (EN 16931 BR-CO-17).

Prices include VAT (what the booker agreed to pay). Per VAT rate the net total is the
rate's gross total without its VAT, and the VAT is that net total times the rate, rounded
once: so "21 % over €206,62 = €43,39" on the invoice is arithmetically true. The lines'
net amounts and VAT shares are the rate's totals divided over the lines (largest remainder
first), so the lines add up to the totals exactly. Where net + VAT cannot meet the prices
to the cent (one €125 ticket at 21 %: €103,31 + €21,70), the difference is the invoice's
rounding amount (EN 16931 BT-114), so the amount due is always what the tickets cost.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from goedeburen.common.money import CENT, to_money

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass(frozen=True, kw_only=True)
class Item:
    """One line as booked: its price including VAT, the rate, and an exemption (or "")."""

    gross: Decimal
    rate: Decimal
    exemption: str = ""


@dataclass(frozen=True, kw_only=True)
class RateTotal:
    rate: Decimal
    exemption: str
    taxable: Decimal
    vat: Decimal

    @property
    def category(self) -> str:
        """Return the EN 16931 VAT category: S (standard), Z (zero rated) or E (exempt)."""
        if self.exemption:
            return "E"
        return "S" if self.rate > 0 else "Z"


@dataclass(frozen=True, kw_only=True)
class Breakdown:
    nets: list[Decimal]  # per item, in the items' order
    vats: list[Decimal]
    rates: list[RateTotal]
    rounding: Decimal

    @property
    def taxable(self) -> Decimal:
        return sum((rate.taxable for rate in self.rates), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((rate.vat for rate in self.rates), ZERO)

    @property
    def due(self) -> Decimal:
        return self.taxable + self.vat + self.rounding


def breakdown(items: list[Item]) -> Breakdown:
    """Return the net amounts, VAT and rounding of `items` (prices including VAT)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for n, item in enumerate(items):
        rate = item.rate if not item.exemption else ZERO
        groups[(rate, item.exemption)].append(n)
    nets, vats = [ZERO] * len(items), [ZERO] * len(items)
    rates, rounding = [], ZERO
    for (rate, exemption), members in sorted(groups.items()):
        gross = sum((items[n].gross for n in members), ZERO)
        taxable = to_money(gross * HUNDRED / (HUNDRED + rate))
        vat = to_money(taxable * rate / HUNDRED)
        exact_nets = [items[n].gross * HUNDRED / (HUNDRED + rate) for n in members]
        for n, share in zip(members, _divide(taxable, exact_nets), strict=True):
            nets[n] = share
        exact_vats = [nets[n] * rate / HUNDRED for n in members]
        for n, share in zip(members, _divide(vat, exact_vats), strict=True):
            vats[n] = share
        rates.append(RateTotal(rate=rate, exemption=exemption, taxable=taxable, vat=vat))
        rounding += gross - taxable - vat
    return Breakdown(nets=nets, vats=vats, rates=rates, rounding=rounding)


def _divide(total: Decimal, exact: list[Decimal]) -> list[Decimal]:
    """Return cents that add up to `total`, each close to its `exact` share."""
    shares = [value.quantize(CENT, rounding=ROUND_DOWN) for value in exact]
    left = int((total - sum(shares, ZERO)) / CENT)
    order = sorted(range(len(exact)), key=lambda n: shares[n] - exact[n])  # largest rest first
    step = CENT if left >= 0 else -CENT
    for n in (order if left >= 0 else reversed(order))[: abs(left)]:
        shares[n] += step
    return shares
