from decimal import Decimal

import pytest

from goedeburen.common.money import to_money, vat_included


@pytest.mark.parametrize(
    ("gross", "rate", "vat"),
    [
        ("125.00", "21.00", "21.69"),
        ("0.00", "21.00", "0.00"),
        ("10.00", "9.00", "0.83"),
        ("125.00", "0", "0.00"),
        ("0.05", "21.00", "0.01"),  # 0.00868… rounds half up to a cent
    ],
)
def test_vat_included_in_a_gross_amount(gross, rate, vat):
    assert vat_included(Decimal(gross), rate=Decimal(rate)) == Decimal(vat)


def test_to_money_rounds_half_a_cent_up():
    assert to_money("2.345") == Decimal("2.35")
    assert str(to_money(7)) == "7.00"
