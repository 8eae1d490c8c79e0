"""CAMT.053 import: three banks' layouts, structured and unstructured references, nothing
booked twice, clear refusals of files that are not statements, late payments re-checked."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from goedeburen.mail.enums import MailKind
from goedeburen.payments import queries, services
from goedeburen.payments.enums import PaymentState, ProviderName, TransactionState
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import BankStatement, BankTransaction, Payment
from goedeburen.payments.reference import creditor_reference, format_reference
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from tests.factories import (
    QuotaFactory,
    RegistrationSettingsFactory,
    TicketTypeFactory,
    attendee,
    billing,
    booker,
    form_token,
)
from tests.payments.conftest import mail_after_cancellation, payment_mails

DATA = Path(__file__).parent / "data"


ACCOUNT = "NL91ABNA0417164300"  # the organiser's IBAN in tests/payments/conftest.py


def statement(name: str, registrations: dict, **values: str) -> bytes:
    """Return a sample file with the registrations' codes and references filled in.

    `{{RFn}}`, `{{RFn_SPACED}}` and `{{CODEn}}` name registration n; `{{ACCOUNT}}` is the
    statement's own account (the organiser's unless given); other `{{KEY}}`s come from
    `values`.
    """
    text = (DATA / name).read_text()
    for n, registration in registrations.items():
        reference = creditor_reference(registration.code)
        text = text.replace(f"{{{{RF{n}_SPACED}}}}", format_reference(reference))
        text = text.replace(f"{{{{RF{n}}}}}", reference)
        text = text.replace(f"{{{{CODE{n}}}}}", registration.code)
    for key, value in {"ACCOUNT": ACCOUNT, **values}.items():
        text = text.replace(f"{{{{{key}}}}}", value)
    return text.encode()


def by_transfer(register, n: int) -> Registration:
    registration = register(email=f"booker{n}@example.org")
    services.choose_provider(registration, provider=ProviderName.BANK_TRANSFER)
    return Registration.objects.get(pk=registration.pk)


@pytest.fixture
def six(register):
    return {n: by_transfer(register, n) for n in range(1, 7)}


def test_bank_transfer_holds_the_seats_for_the_term_and_issues_the_invoice(register):
    registration = register()

    services.choose_provider(registration, provider=ProviderName.BANK_TRANSFER)

    registration.refresh_from_db()
    invoice = queries.current_invoice(registration)
    assert registration.status == RegistrationStatus.PENDING_PAYMENT
    assert registration.hold_until > timezone.now() + dt.timedelta(days=29)
    assert invoice.payment_reference == format_reference(creditor_reference(registration.code))
    assert invoice.payment_reference.startswith("RF")


def test_ing_layout_structured_and_unstructured_references(event, six, book):
    data = statement("ing_camt053_001_02.xml", six)

    result = book(data, "ing.xml")

    assert (result.lines_new, result.lines_matched, result.lines_known) == (4, 2, 0)
    assert (result.lines_unmatched, result.lines_skipped) == (1, 1)  # the debit is listed
    structured = BankTransaction.objects.get(entry_key="ING-2026112300001")
    unstructured = BankTransaction.objects.get(entry_key="ING-2026112300002")
    other = BankTransaction.objects.get(entry_key="ING-2026112300004")
    assert (structured.registrations, structured.state) == ([six[1]], TransactionState.MATCHED)
    assert (unstructured.registrations, unstructured.state) == (
        [six[2]],
        TransactionState.MATCHED,
    )
    assert unstructured.debtor_name == "Gemeente Zeist"
    assert other.state == TransactionState.UNMATCHED
    assert other.remittance == "Bijdrage sprekersdiner"
    for n in (1, 2):
        six[n].refresh_from_db()
        assert six[n].status == RegistrationStatus.CONFIRMED
    assert six[3].status == RegistrationStatus.PENDING_PAYMENT
    debit = BankTransaction.objects.get(amount=Decimal("45.50"))
    assert (debit.state, debit.skip_reason, debit.paid_for) == ("skipped", "debit", [])
    payment = Payment.objects.get(registration=six[2])
    assert (payment.payer_name, payment.payer_iban) == ("Gemeente Zeist", "NL02BNGH0285000000")


def test_rabobank_layout_partial_payment_and_amount_check(event, six, book):
    data = statement("rabobank_camt053_001_08.xml", six)

    result = book(data, "rabo.xml")

    # The pending entry is left for a later statement, and listed as such.
    assert (result.lines_new, result.lines_matched, result.lines_skipped) == (3, 1, 1)
    assert BankTransaction.objects.get(skip_reason="pending").state == "skipped"
    partial = BankTransaction.objects.get(entry_key="RABO0000000000982331")
    assert partial.registrations == [six[3]]
    assert partial.debtor_name == "Zorggroep Het Anker"
    six[3].refresh_from_db()
    assert six[3].status == RegistrationStatus.PENDING_PAYMENT  # € 100,00 of € 125,00
    assert queries.balance(six[3]).open == Decimal("25.00")
    # Free text naming a code with an amount that is not what is owed waits for a person.
    loose = BankTransaction.objects.get(entry_key="RABO0000000000982332")
    assert (loose.state, loose.registrations) == (TransactionState.UNMATCHED, [])


def test_abn_amro_layout_batch_entry_with_two_transactions(event, six, book):
    data = statement("abnamro_camt053_001_04.xml", six)

    result = book(data, "abn.xml")

    assert (result.lines_new, result.lines_matched) == (2, 2)
    lines = BankTransaction.objects.order_by("position")
    # One bank reference for both: it is kept for people, and decides nothing.
    assert [line.entry_key for line in lines] == ["1123000019284571", "1123000019284571"]
    assert [line.registrations for line in lines] == [[six[5]], [six[6]]]
    assert [str(line.booking_date) for line in lines] == ["2026-11-23", "2026-11-23"]
    for n in (5, 6):
        six[n].refresh_from_db()
        assert six[n].status == RegistrationStatus.CONFIRMED


def test_same_file_twice_books_nothing_twice(event, six, book, english):
    data = statement("ing_camt053_001_02.xml", six)
    book(data, "ing.xml")

    with pytest.raises(PaymentError) as refused:
        book(data, "ing-again.xml")

    assert refused.value.code == "camt_duplicate"
    message = str(refused.value.message)
    assert message.startswith("This statement was imported before, on ")
    assert message.endswith("(file ing.xml); nothing new was booked.")
    assert BankStatement.objects.count() == 1
    assert BankTransaction.objects.count() == 4
    assert Payment.objects.filter(provider=ProviderName.BANK_TRANSFER).count() == 2


def test_the_same_statement_exported_again_is_recognised_by_its_identity(event, six, book):
    first = statement("ing_camt053_001_02.xml", six)
    book(first, "ing.xml")
    # Another export of the same statement: a new message id, so a new hash.
    again = first.replace(b"CAMT053ING20261124080102", b"CAMT053ING20261125080000")

    with pytest.raises(PaymentError) as refused:
        book(again, "ing-export-2.xml")

    assert refused.value.code == "camt_duplicate"
    assert BankStatement.objects.count() == 1
    assert Payment.objects.filter(provider=ProviderName.BANK_TRANSFER).count() == 2


def test_a_line_in_an_overlapping_statement_is_booked_once(event, six, book):
    first = statement("ing_camt053_001_02.xml", six)
    book(first, "ing.xml")
    # A period statement (another id) that holds the same day again.
    overlapping = first.replace(b"CAMT053ING20261124080102", b"CAMT053ING20261130080000")
    overlapping = overlapping.replace(b"<Id>0000000123</Id>", b"<Id>0000000130</Id>")

    result = book(overlapping, "ing-november.xml")

    assert (result.lines_new, result.lines_known, result.lines_matched) == (0, 4, 0)
    assert Payment.objects.filter(provider=ProviderName.BANK_TRANSFER).count() == 2
    known = BankTransaction.objects.filter(statement=result, state="known")
    assert {line.duplicate_of.statement.filename for line in known} == {"ing.xml"}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><x>&lol2;</x></Document>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><x>&xxe;</x></Document>"""
PAIN = b"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>"""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Datum,Bedrag\n2026-11-23,125.00\n", "it is a CSV or text export with columns"),
        (b"<Document><BkToCstmrStmt>", "not well-formed XML"),
        (PAIN, "it is an ISO 20022 message of type pain.001, not a bank statement"),
        (BILLION_LAUGHS, "the file declares a DTD or entities, as bank files never do"),
        (XXE, "the file declares a DTD or entities, as bank files never do"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
            b"</BkToCstmrStmt></Document>",
            "the document holds no statement",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
            b"<Stmt><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>"
            b'<Ntry><Amt Ccy="EUR">abc</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            b"<BookgDt><Dt>2026-11-23</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>",
            "the amount “abc” is not a number",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
            b"<Stmt><Id>1</Id></Stmt></BkToCstmrStmt></Document>",
            "a statement names no account",
        ),
    ],
    ids=[
        "csv",
        "truncated",
        "pain001",
        "billion_laughs",
        "xxe",
        "no_statement",
        "bad_amount",
        "no_account",
    ],
)
def test_a_file_that_is_not_a_statement_gets_a_clear_message_and_imports_nothing(
    book, data, reason, english
):
    with pytest.raises(PaymentError) as refused:
        book(data, "upload.xml")

    assert refused.value.code == "camt_invalid"
    message = str(refused.value.message)
    assert message.startswith("This file is not a readable bank statement (CAMT.053 or MT940): ")
    assert reason in message
    assert not BankStatement.objects.exists()
    assert not BankTransaction.objects.exists()


def test_payment_after_the_hold_ran_out_confirms_when_the_seat_is_still_free(event, register, book):
    registration = by_transfer(register, 1)
    Registration.objects.filter(pk=registration.pk).update(
        hold_until=timezone.now() - dt.timedelta(minutes=1)
    )
    registration_services.release_expired_holds()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED

    book(statement("ing_camt053_001_02.xml", {1: registration}))

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert not Payment.objects.get(registration=registration).seat_lost
    assert [kind for kind, _text in payment_mails(registration)] == [MailKind.PAYMENT_RECEIVED]


def test_payment_after_the_seat_was_taken_is_flagged(event, register, book):
    small = TicketTypeFactory(event=event, price=Decimal("125.00"))
    QuotaFactory(event=event, size=1, ticket_types=[small])
    late = registration_services.register(
        event,
        booker=booker(),
        attendees=[attendee(small)],
        billing=billing(),
        form_token=form_token(event),
        language="nl",
    )
    services.choose_provider(late, provider=ProviderName.BANK_TRANSFER)
    Registration.objects.filter(pk=late.pk).update(hold_until=timezone.now() - dt.timedelta(1))
    registration_services.release_expired_holds()
    other = registration_services.register(
        event,
        booker=booker(email="other@example.org"),
        attendees=[attendee(small)],
        form_token=form_token(event),
        billing=billing(),
        language="nl",
    )
    assert other.status == RegistrationStatus.PENDING_PAYMENT  # took the only seat

    book(statement("ing_camt053_001_02.xml", {1: late}))

    late.refresh_from_db()
    payment = Payment.objects.get(registration=late)
    assert late.status == RegistrationStatus.CANCELLED
    assert payment.state == PaymentState.PAID
    assert payment.seat_lost
    assert list(queries.flagged_payments(event)) == [payment]
    # Not thanked for places it does not have: told that the organisers will be in touch.
    assert "We nemen contact met u op" in mail_after_cancellation(late)


def _cancelled_by_transfer(register) -> Registration:
    # Chosen to pay by transfer (its invoice issued), then cancelled by the booker with
    # what that settles run at once.
    registration = register(email="booker1@example.org", language="en")
    services.choose_provider(registration, provider=ProviderName.BANK_TRANSFER)
    registration_services.cancel_registration(registration, by=None, reason="booker")
    return Registration.objects.get(pk=registration.pk)


def test_a_transfer_for_a_freely_cancelled_registration_is_paid_back_not_received(
    event, register, book, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = _cancelled_by_transfer(register)
    assert queries.current_invoice(registration) is None  # credited

    book(statement("ing_camt053_001_02.xml", {1: registration}))

    [line] = queries.overpaid_lines(event)
    assert line.payments.get().registration == registration
    text = mail_after_cancellation(registration)
    assert f"We have received € 125,00 for your registration {registration.code}" in text
    assert "You do not owe us this money. We will pay it back to you." in text


def test_a_transfer_after_a_cancellation_that_was_not_free_pays_its_invoice(
    event, register, book, immediate_tasks, django_capture_on_commit_callbacks
):
    RegistrationSettingsFactory(
        event=event, free_cancellation_until=timezone.now() - dt.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        registration = _cancelled_by_transfer(register)

    book(statement("ing_camt053_001_02.xml", {1: registration}))

    assert list(queries.overpaid_lines(event)) == []
    text = mail_after_cancellation(registration)
    assert "Cancelling was no longer free, so the invoice still stands." in text
    assert "Paid: € 125,00 incl. VAT. Thank you." in text
