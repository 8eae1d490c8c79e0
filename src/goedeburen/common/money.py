"""Money: `Decimal` euros with two places, and the one place where VAT is computed."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_money(amount) -> Decimal:
    """Return `amount` as a `Decimal` with two places, rounding half a cent up."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def vat_included(gross: Decimal, *, rate: Decimal) -> Decimal:
    """Return the VAT contained in a VAT-inclusive `gross` amount at `rate` percent.

    €125.00 at 21 % holds €21.69 VAT: 125 × 21 / 121, rounded to the cent.
    """
    if not rate:
        return to_money(0)
    return to_money(Decimal(gross) * Decimal(rate) / (Decimal(100) + Decimal(rate)))


def euro(amount) -> str:
    """Format an amount as Dutch notation euros, as a bank or invoice writes it: € 1.234,50.

    Always with cents (a lone "€125" reads as a price tag; "€ 125,00" as an amount owed).
    """
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    text = f"{abs(amount):,.2f}"
    return f"€ {sign}" + text.replace(",", " ").replace(".", ",").replace(" ", ".")
