"""A statement line of €100,000,000 or more (a municipality's or a corporation's account
has them) is imported and stored exactly, listed as skipped and never booked: no
registration costs that much. An amount longer than any bank writes (19 digits before the
point) refuses the file with a clear message, and nothing is stored."""

from decimal import Decimal

import pytest

from goedeburen.payments.enums import SkipReason, TransactionState
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import BankStatement, BankTransaction, Payment
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration

from .test_bank_import import by_transfer, statement


@pytest.fixture
def three(register):
    return {n: by_transfer(register, n) for n in range(1, 4)}


def _replace_line(data: bytes, number: int, old: str, new: str) -> bytes:
    """Return `data` with `old` replaced by `new` on line `number` (1-based) only."""
    lines = data.decode().split("\n")
    assert old in lines[number - 1], lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new)
    return "\n".join(lines).encode()


def test_camt_line_of_a_hundred_million_is_stored_exactly_and_not_booked(
    on_postgresql, event, three, book
):
    data = statement("ing_camt053_001_02.xml", three)
    # Entry 2 carries registration 2's code; entry 4 is nobody's.
    data = _replace_line(data, 52, "125.00", "125000000.00")
    data = _replace_line(data, 85, "250.00", "987654321012345.67")

    result = book(data, "ing.xml")

    assert (result.lines_new, result.lines_matched, result.lines_skipped) == (4, 1, 3)
    huge = BankTransaction.objects.get(entry_key="ING-2026112300002")
    assert (huge.amount, huge.amount_text) == (Decimal("125000000.00"), "125000000.00")
    assert (huge.state, huge.skip_reason) == (TransactionState.SKIPPED, SkipReason.TOO_LARGE)
    other = BankTransaction.objects.get(entry_key="ING-2026112300004")
    assert other.amount == Decimal("987654321012345.67")
    assert other.skip_reason == SkipReason.TOO_LARGE
    # Nothing else changes: the other lines are booked as ever; registration 2 still owes.
    first = BankTransaction.objects.get(entry_key="ING-2026112300001")
    assert (first.state, first.registrations) == (TransactionState.MATCHED, [three[1]])
    assert Payment.objects.filter(registration=three[2]).count() == 0
    assert Registration.objects.get(pk=three[2].pk).status == RegistrationStatus.PENDING_PAYMENT


def test_mt940_line_of_a_hundred_million_is_stored_exactly_and_not_booked(event, three, book):
    data = statement(
        "ing_mt940_structured.sta",
        three,
        CODE2_HEAD=three[2].code[:3],
        CODE2_TAIL=three[2].code[3:],
    )
    data = data.replace(b"C250,00NTRFNONREF", b"C100000000,00NTRFNONREF")

    result = book(data, "ing.sta")

    assert (result.lines_new, result.lines_matched, result.lines_skipped) == (5, 3, 2)
    huge = BankTransaction.objects.get(statement=result, position=3)
    assert (huge.amount, huge.amount_text) == (Decimal("100000000.00"), "100000000,00")
    assert (huge.state, huge.skip_reason) == (TransactionState.SKIPPED, SkipReason.TOO_LARGE)
    assert huge.debtor_name == "Stichting Buurtkracht"


@pytest.mark.parametrize(
    "amount",
    [
        "1000000000000000000.00",
        # 18 digits before the point, but 19 in cents: more than the column holds.
        "999999999999999999.995",
    ],
)
@pytest.mark.parametrize("english", [False, True])
def test_an_amount_longer_than_any_bank_writes_refuses_the_file(
    event, three, book, english, amount
):
    from django.utils import translation

    data = statement("ing_camt053_001_02.xml", three)
    data = _replace_line(data, 85, "250.00", amount)

    with translation.override("en" if english else "nl"):
        with pytest.raises(PaymentError) as refused:
            book(data, "ing.xml")
        message = str(refused.value.message)

    if english:
        assert f"the amount “{amount}” is not an amount" in message
    else:
        assert amount in message and "is not an amount" not in message
    assert BankStatement.objects.count() == 0
    assert BankTransaction.objects.count() == 0
    assert Payment.objects.filter(bank_transaction__isnull=False).count() == 0
