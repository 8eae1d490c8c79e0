"""Bank lines are never merged: the layouts of real Dutch bank exports that made the old
import drop payments (ABN AMRO batches with one reference, ING returns and restarting
references, reference-less Rabobank files), accounts checked, unusable lines listed."""

from decimal import Decimal

import pytest

from goedeburen.payments import queries
from goedeburen.payments.enums import PaymentState, ProviderName, TransactionState
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import BankStatement, BankTransaction, OrganiserBilling, Payment
from goedeburen.payments.reference import creditor_reference
from goedeburen.registration.enums import RegistrationStatus
from tests.factories import (
    OpenEventFactory,
    OrganiserBillingFactory,
    QuotaFactory,
    TicketTypeFactory,
)

from .test_bank_import import by_transfer, statement

BANK_PAYMENTS = {"provider": ProviderName.BANK_TRANSFER}


@pytest.fixture
def eleven(register):
    return {n: by_transfer(register, n) for n in range(1, 12)}


def day(n: int, a, b, *, name_a="P. de Boer", name_b="Buurtcentrum De Kern") -> bytes:
    """An ING day file: references 000001 and 000002 again, for registrations a and b."""
    return statement(
        "ing_day_camt053_001_02.xml",
        {},
        DAY=f"2026-12-0{n}",
        SEQ=str(300 + n),
        RFA=creditor_reference(a.code),
        CODEB=b.code,
        NAME_A=name_a,
        NAME_B=name_b,
    )


def test_abn_amro_batch_of_eleven_with_one_reference_books_eleven(event, eleven, book):
    data = statement("abnamro_batch_camt053_001_04.xml", eleven)

    result = book(data, "abn-batch.xml")

    assert (result.lines_new, result.lines_matched, result.lines_known) == (11, 11, 0)
    lines = BankTransaction.objects.order_by("position")
    assert {line.entry_key for line in lines} == {"1201000043210987"}
    assert [line.registrations for line in lines] == [[eleven[n]] for n in range(1, 12)]
    assert Payment.objects.filter(**BANK_PAYMENTS, state=PaymentState.PAID).count() == 11
    for registration in eleven.values():
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.CONFIRMED


def test_day_two_with_restarting_references_books_every_new_line(event, register, book):
    regs = {n: by_transfer(register, n) for n in range(1, 5)}

    first = book(day(1, regs[1], regs[2]), "2026-12-01.xml")
    second = book(day(2, regs[3], regs[4]), "2026-12-02.xml")

    assert (first.lines_new, first.lines_matched) == (2, 2)
    assert (second.lines_new, second.lines_matched, second.lines_known) == (2, 2, 0)
    assert BankTransaction.objects.filter(entry_key="000001").count() == 2
    for registration in regs.values():
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.CONFIRMED
    # Line b names its code only in AddtlNtryInf, as some ING exports do.
    booked = BankTransaction.objects.get(payments__registration=regs[4])
    assert booked.remittance.endswith(regs[4].code)


def test_ing_payment_and_its_return_with_one_reference_is_paid_then_reversed_and_flagged(
    event, register, book
):
    paid, other = by_transfer(register, 1), by_transfer(register, 2)
    book(day(1, paid, other), "2026-12-01.xml")
    paid.refresh_from_db()
    assert paid.status == RegistrationStatus.CONFIRMED

    result = book(
        statement(
            "ing_return_camt053_001_02.xml",
            {},
            DAY="2026-12-03",
            SEQ="303",
            NAME_A="P. de Boer",
        ),
        "2026-12-03.xml",
    )

    assert (result.lines_new, result.lines_returned, result.lines_matched) == (1, 1, 0)
    payment = Payment.objects.get(registration=paid)
    assert payment.state == PaymentState.RETURNED
    back = BankTransaction.objects.get(statement=result)
    assert back.state == TransactionState.RETURNED
    assert back.reverses == payment.bank_transaction
    assert (back.registrations, back.return_reason) == ([paid], "AC04")
    assert list(queries.returned_payments(event)) == [payment]
    assert queries.balance(paid).open == Decimal("125.00")
    # The other payment of that day, also reference 000001 in its own file, stands.
    assert Payment.objects.get(registration=other).state == PaymentState.PAID


def test_a_return_in_the_same_file_as_its_payment_never_confirms(event, register, book):
    registration = by_transfer(register, 1)
    other = by_transfer(register, 2)
    paid_day = day(5, registration, other).decode()
    returned = statement("ing_return_camt053_001_02.xml", {}, DAY="2026-12-05", SEQ="305")
    entry = returned.decode().split("<Ntry>")[1].split("</Ntry>")[0]
    both = paid_day.replace("</Stmt>", f"<Ntry>{entry}</Ntry></Stmt>").encode()

    result = book(both, "2026-12-05.xml")

    assert (result.lines_matched, result.lines_returned) == (2, 1)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING_PAYMENT
    assert Payment.objects.get(registration=registration).state == PaymentState.RETURNED


def test_two_identical_transfers_without_references_are_both_booked(event, register, book):
    registration = by_transfer(register, 1)

    result = book(statement("rabobank_twice_camt053_001_02.xml", {1: registration}))

    assert (result.lines_new, result.lines_matched) == (2, 2)
    lines = list(BankTransaction.objects.order_by("position"))
    assert [line.entry_key for line in lines] == ["", ""]
    assert lines[0].fingerprint == lines[1].fingerprint
    assert [line.occurrence for line in lines] == [1, 2]
    assert [line.overpaid for line in lines] == [False, True]  # the second: to resolve
    assert list(queries.overpaid_lines(event)) == [lines[1]]
    assert queries.balance(registration).overpaid == Decimal("125.00")


def test_the_same_file_twice_books_nothing_new(event, register, book, english):
    registration = by_transfer(register, 1)
    data = statement("rabobank_twice_camt053_001_02.xml", {1: registration})
    book(data, "rabo.xml")

    with pytest.raises(PaymentError) as refused:
        book(data, "rabo (1).xml")

    assert refused.value.code == "camt_duplicate"
    assert BankStatement.objects.count() == 1
    assert Payment.objects.filter(**BANK_PAYMENTS).count() == 2


def test_two_organisers_with_the_same_bank_reference_import_independently(
    event, register, book, ticket
):
    ours = {n: by_transfer(register, n) for n in (1, 2)}
    theirs_event = OpenEventFactory()
    OrganiserBillingFactory(
        organiser=theirs_event.organiser,
        legal_name="Stichting Andere Buren",
        address="Stationsplein 1\n3511 ED Utrecht",
        kvk_number="87654321",
        vat_number="NL002000008B01",
        iban="NL69INGB0123456789",
        account_name="Stichting Andere Buren",
    )
    their_ticket = TicketTypeFactory(event=theirs_event, price=Decimal("125.00"))
    QuotaFactory(event=theirs_event, size=10, ticket_types=[their_ticket])
    theirs = {
        n: by_transfer(lambda **kw: register(their_ticket, event=theirs_event, **kw), n)
        for n in (1, 2)
    }
    book(day(1, ours[1], ours[2]), "ours.xml")

    result = book(
        statement(
            "ing_day_camt053_001_02.xml",
            {},
            ACCOUNT="NL69INGB0123456789",
            DAY="2026-12-01",
            SEQ="301",
            RFA=creditor_reference(theirs[1].code),
            CODEB=theirs[2].code,
            NAME_A="P. de Boer",
            NAME_B="Buurtcentrum De Kern",
        ),
        "theirs.xml",
        on=theirs_event,
    )

    assert (result.lines_new, result.lines_matched, result.lines_known) == (2, 2, 0)
    assert BankTransaction.objects.filter(entry_key="000001").count() == 2
    assert Payment.objects.filter(**BANK_PAYMENTS, state=PaymentState.PAID).count() == 4


def test_a_statement_for_another_account_is_refused_and_nothing_stored(
    event, register, book, english
):
    registration = by_transfer(register, 1)
    data = statement(
        "rabobank_twice_camt053_001_02.xml", {1: registration}, ACCOUNT="NL69INGB0123456789"
    )

    with pytest.raises(PaymentError) as refused:
        book(data, "ing.xml")

    assert refused.value.code == "camt_account"
    assert str(refused.value.message) == (
        "This statement is for account NL69 INGB 0123 4567 89, but the organiser's account "
        "is NL91 ABNA 0417 1643 00; nothing was imported."
    )
    assert not BankStatement.objects.exists()
    assert not BankTransaction.objects.exists()
    assert not Payment.objects.filter(**BANK_PAYMENTS).exists()


def test_an_organiser_without_an_iban_imports_nothing(event, register, book, english):
    data = statement("rabobank_twice_camt053_001_02.xml", {1: by_transfer(register, 1)})
    OrganiserBilling.objects.filter(organiser=event.organiser).update(iban="")

    with pytest.raises(PaymentError) as refused:
        book(data)

    assert refused.value.code == "camt_account"
    assert not BankStatement.objects.exists()


def test_zero_foreign_currency_and_odd_lines_are_skipped_and_listed(event, register, book):
    regs = {n: by_transfer(register, n) for n in range(1, 5)}

    result = book(statement("mixed_unusable_camt053_001_08.xml", regs), "mixed.xml")

    assert (result.lines_new, result.lines_matched, result.lines_skipped) == (6, 1, 5)
    lines = list(queries.statement_lines(result))
    assert [(line.state, line.skip_reason) for line in lines] == [
        ("skipped", "zero"),
        ("skipped", "currency"),
        ("skipped", "decimals"),
        ("skipped", "pending"),
        ("skipped", "debit_reversal"),  # RvslInd: undoes a debit, pays for nobody
        ("matched", ""),
    ]
    assert (lines[1].currency, lines[2].amount_text) == ("USD", "12.345")
    # The description only in AddtlTxInf still finds the registration.
    assert lines[5].registrations == [regs[1]]
    assert Payment.objects.filter(**BANK_PAYMENTS).count() == 1
    for n in (2, 3, 4):
        regs[n].refresh_from_db()
        assert regs[n].status == RegistrationStatus.PENDING_PAYMENT


def test_a_return_of_a_payment_never_booked_here_is_listed_not_booked(event, register, book):
    result = book(
        statement("ing_return_camt053_001_02.xml", {}, DAY="2026-12-03", SEQ="303"),
        "return.xml",
    )

    line = BankTransaction.objects.get(statement=result)
    assert (line.state, line.skip_reason) == ("skipped", "return_unknown")
    assert not Payment.objects.exists()
