"""Invoices: the mandatory fields in the PDF, correct VAT, the buyer's language, never
changed once issued, credit notes in the same series."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from goedeburen.payments import queries, services
from goedeburen.payments.enums import InvoiceKind, ProviderName
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import ImmutableError, Invoice, InvoiceLine
from goedeburen.payments.pdf import render_invoice
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import RegistrationStatus


def pdf_text(invoice: Invoice) -> str:
    data = render_invoice(queries.invoice_with_lines(invoice.pk))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    # A label and its value are drawn apart; pypdf puts them on lines of their own.
    return text.replace(":\n", ": ")


def change_billing(registration, **values):
    registration_services.update_registration(
        registration,
        booker=registration_services.Booker(
            name=registration.booker_name, email=registration.email
        ),
        attendees={},
        billing=registration_services.Billing(**values),
    )


def on_invoice(register, **kwargs) -> Invoice:
    registration = register(**kwargs)
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    return Invoice.objects.get(registration=registration)


def test_invoice_afterwards_confirms_at_once_with_invoice_due_after_the_term(register):
    invoice = on_invoice(register)

    invoice.registration.refresh_from_db()
    assert invoice.registration.status == RegistrationStatus.CONFIRMED
    assert invoice.due_date == invoice.issue_date + dt.timedelta(days=30)
    assert invoice.number == f"{invoice.issue_date.year}-0001"


def test_vat_of_125_euros_at_21_percent(register):
    invoice = on_invoice(register)

    line = invoice.lines.get()
    assert (line.amount_excl, line.vat_amount, line.amount_incl) == (
        Decimal("103.31"),
        Decimal("21.69"),
        Decimal("125.00"),
    )
    assert (invoice.total_excl, invoice.total_vat, invoice.total) == (
        Decimal("103.31"),
        Decimal("21.69"),
        Decimal("125.00"),
    )


def test_english_pdf_holds_every_mandatory_field(register):
    invoice = on_invoice(register, language="en")
    year = invoice.issue_date.year

    text = pdf_text(invoice)

    for expected in [
        "Invoice",
        "Stichting Goede Buren",  # seller's legal name
        "Beneluxlaan 9",
        "3527 HT Utrecht",  # seller's address
        "KvK number: 12345678",
        "VAT number: NL001000007B01",
        "Woonstichting De Linde",  # buyer's name
        "Lindelaan 1",  # buyer's address
        f"Invoice number: {year}-0001",
        f"Invoice date: {invoice.issue_date.day} ",
        "Date of supply: 5 March 2027",  # the event's date
        "Purchase order number: PO-4711",
        "Your reference: Afd. Wonen",
        "Participation – Ada de Vries",  # a line per attendee
        "€103.31",  # excl. VAT
        "21%",  # the rate
        "€21.69",  # VAT
        "VAT 21% on €103.31",  # VAT per rate
        "Total incl. VAT",
        "€125.00",
        "NL91ABNA0417164300",
        invoice.payment_reference,
    ]:
        assert expected in text, expected


def test_dutch_pdf_has_dutch_names_dates_and_amounts(register):
    # The labels' Dutch comes from the translation catalogue; the ticket's name, the dates
    # and the amounts show the invoice is rendered in the buyer's language.
    invoice = on_invoice(register, language="nl")

    text = pdf_text(invoice)

    for expected in [
        "Deelname – Ada de Vries",
        "€103,31",
        "€21,69",
        "€125,00",
        "5 maart 2027",
    ]:
        assert expected in text, expected
    assert "€103.31" not in text


def test_vat_exemption_is_printed_instead_of_a_rate(register, ticket):
    ticket.vat_rate = Decimal("0")
    ticket.vat_exemption = "Vrijgesteld op grond van art. 11 lid 1 sub o Wet OB"
    ticket.save()
    invoice = on_invoice(register)

    text = pdf_text(invoice)

    assert invoice.total_vat == Decimal("0.00")
    assert "Vrijgesteld op grond van art. 11 lid 1 sub o Wet OB" in text


def test_one_line_per_attendee(register):
    invoice = on_invoice(register, attendees=3)

    assert invoice.lines.count() == 3
    assert invoice.total == Decimal("375.00")
    assert invoice.total_vat == Decimal("65.07")


def test_issued_invoice_is_never_changed_or_deleted(register):
    invoice = on_invoice(register)
    line = invoice.lines.get()

    invoice.buyer_name = "Someone else"
    with pytest.raises(ImmutableError):
        invoice.save()
    with pytest.raises(ImmutableError):
        invoice.delete()
    with pytest.raises(ImmutableError):
        Invoice.objects.filter(pk=invoice.pk).update(po_number="other")
    with pytest.raises(ImmutableError):
        Invoice.objects.filter(pk=invoice.pk).delete()
    with pytest.raises(ImmutableError):
        InvoiceLine.objects.filter(pk=line.pk).update(amount_incl=0)
    with pytest.raises(ImmutableError):
        line.delete()

    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.buyer_name == "Woonstichting De Linde"


def test_changed_billing_details_leave_the_issued_invoice_alone(register):
    invoice = on_invoice(register)
    registration = invoice.registration

    change_billing(
        registration,
        organisation="Gemeente Utrecht",
        address="Postbus 1\nUtrecht",
        po_number="PO-9",
    )

    invoice = Invoice.objects.get(pk=invoice.pk)
    assert (invoice.buyer_name, invoice.po_number) == ("Woonstichting De Linde", "PO-4711")


def test_cancelling_an_invoiced_registration_credits_the_invoice_to_zero(
    register, immediate_tasks, django_capture_on_commit_callbacks
):
    invoice = on_invoice(register)

    with django_capture_on_commit_callbacks(execute=True):  # the settling task
        registration_services.cancel_registration(invoice.registration, by=None, reason="booker")

    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert credit.credits == invoice
    assert credit.number == f"{invoice.year}-0002"  # the same series
    assert credit.total == -invoice.total
    assert credit.total_vat == -invoice.total_vat
    assert invoice.total + credit.total == Decimal("0.00")
    assert sum(line.amount_incl for line in credit.lines.all()) == Decimal("-125.00")
    assert queries.balance(invoice.registration).open == Decimal("0.00")


def test_credit_note_pdf_names_the_invoice_it_cancels(register):
    invoice = on_invoice(register, language="en")
    credit = services.credit_invoice(invoice, reason="wrong PO")

    text = pdf_text(credit)

    assert "Credit note" in text
    date = f"{invoice.issue_date.day} {invoice.issue_date:%B %Y}"
    assert f"This credit note cancels invoice {invoice.number} of {date}." in text
    assert "-€125.00" in text
    assert "-€21.69" in text


def test_wrong_po_number_credit_in_full_and_new_invoice(register):
    invoice = on_invoice(register)
    registration = invoice.registration
    change_billing(
        registration,
        organisation="Woonstichting De Linde",
        address="Lindelaan 1\nUtrecht",
        po_number="PO-9",
    )

    credit, fresh = services.reissue_invoice(invoice, reason="wrong PO number")

    assert [i.number for i in queries.registration_invoices(registration)] == [
        invoice.number,
        credit.number,
        fresh.number,
    ]
    assert fresh.po_number == "PO-9"
    assert queries.current_invoice(registration) == fresh
    assert queries.balance(registration).due == Decimal("125.00")


def test_an_invoice_is_credited_only_once(register, english):
    invoice = on_invoice(register)
    services.credit_invoice(invoice)

    with pytest.raises(PaymentError) as refused:
        services.credit_invoice(invoice)

    assert refused.value.code == "already_credited"
    assert Invoice.objects.count() == 2


def test_no_invoice_without_the_organisers_legal_details(register, event, english):
    event.organiser.billing.delete()
    registration = register()

    with pytest.raises(PaymentError) as refused:
        services.issue_invoice(registration)

    assert refused.value.code == "no_billing_data"
    assert not Invoice.objects.exists()


def test_numbers_restart_per_year_and_per_organiser(register):
    registration = register()
    first = services.issue_invoice(registration, today=dt.date(2026, 12, 31))
    services.credit_invoice(first)
    second = services.issue_invoice(registration, today=dt.date(2027, 1, 1))

    assert first.number == "2026-0001"
    assert second.number == "2027-0001"
