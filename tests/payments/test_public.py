"""Paying behind the secret link: the choices, bank-transfer details, the invoice download;
mails with the invoice attached, over a real SMTP server."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from goedeburen.mail import services as mail_services
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments import queries, services
from goedeburen.payments.enums import InvoiceKind, ProviderName
from goedeburen.payments.models import Invoice, Payment, PaymentSettings
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from tests.factories import attendee, billing, booker, form_token
from tests.mail.conftest import part

pytestmark = pytest.mark.django_db


def manage(registration, name="public:registration.manage", **extra) -> str:
    with translation.override("en"):
        return reverse(
            name,
            kwargs={
                "event": registration.event.slug,
                "code": registration.code,
                "token": registration.manage_token,
                **extra,
            },
        )


def test_manage_page_offers_the_ways_to_pay(client, register, mollie):
    registration = register()

    html = client.get(manage(registration)).content.decode()

    assert 'value="mollie"' in html
    assert 'value="bank_transfer"' in html
    assert 'value="invoice"' in html
    assert "€ 125,00" in html


def test_choosing_bank_transfer_shows_iban_name_and_reference(client, register):
    registration = register()

    response = client.post(
        manage(registration, "public:registration.pay"), {"provider": "bank_transfer"}
    )

    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    invoice = Invoice.objects.get(registration=registration)
    assert "NL91ABNA0417164300" in html
    assert "Stichting Goede Buren" in html
    assert invoice.payment_reference in html
    assert registration.code in invoice.payment_reference.replace(" ", "")
    assert 'value="bank_transfer"' not in html  # chosen already


def test_choosing_invoice_afterwards_confirms_at_once(client, register):
    registration = register()

    client.post(manage(registration, "public:registration.pay"), {"provider": "invoice"})

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert Invoice.objects.filter(registration=registration).count() == 1


def test_choosing_mollie_sends_the_booker_to_the_checkout(client, register, mollie):
    registration = register()

    response = client.post(manage(registration, "public:registration.pay"), {"provider": "mollie"})

    payment = Payment.objects.get(registration=registration)
    assert response.url == f"https://checkout.example/{payment.provider_reference}"
    sent = mollie.payments[payment.provider_reference]
    assert sent["redirectUrl"] == "http://testserver" + manage(registration)


@pytest.mark.parametrize("provider", ["", "cash", "manual", "mollie"])
def test_a_way_to_pay_that_is_not_offered_changes_nothing(client, register, provider):
    # Mollie is switched on in the settings, but the organiser has no API key here.
    registration = register()

    response = client.post(
        manage(registration, "public:registration.pay"), {"provider": provider}, follow=True
    )

    assert response.status_code == 200
    assert not Payment.objects.exists()
    assert not Invoice.objects.exists()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING_PAYMENT


def test_disabled_provider_is_refused(client, register, event):
    PaymentSettings.objects.filter(event=event).update(invoice_enabled=False)
    registration = register()

    client.post(manage(registration, "public:registration.pay"), {"provider": "invoice"})

    assert not Invoice.objects.exists()


def test_invoice_downloads_through_the_secret_link_only(client, register, english):
    registration = register()
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    invoice = Invoice.objects.get()

    good = client.get(manage(registration, "public:registration.invoice", number=invoice.number))
    registration.manage_token = "wrong-token"
    wrong = client.get(manage(registration, "public:registration.invoice", number=invoice.number))

    assert good.status_code == 200
    assert good["Content-Type"] == "application/pdf"
    assert good.content.startswith(b"%PDF")
    assert "no-store" in good["Cache-Control"]
    assert wrong.status_code == 404


def test_another_registrations_invoice_is_not_found_through_my_link(client, register):
    mine = register()
    theirs = register(email="other@example.org")
    services.choose_provider(theirs, provider=ProviderName.INVOICE)
    invoice = Invoice.objects.get()

    response = client.get(manage(mine, "public:registration.invoice", number=invoice.number))

    assert response.status_code == 404


def test_invoice_mail_carries_the_pdf(
    register, smtp, immediate_tasks, django_capture_on_commit_callbacks
):
    registration = register(invoice_email="crediteuren@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        services.choose_provider(registration, provider=ProviderName.INVOICE)

    mail = OutgoingMail.objects.get(kind=MailKind.INVOICE)
    assert mail.recipient == "crediteuren@example.org"
    [message] = [m for m in smtp.messages if m["To"] == "crediteuren@example.org"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename().endswith(f"{Invoice.objects.get().number}.pdf")
    assert attachment.get_content().startswith(b"%PDF")
    assert "NL91ABNA0417164300" in part(message, "text/plain")


def test_payment_received_mail_after_mollie_says_paid(
    client, register, mollie, smtp, immediate_tasks, django_capture_on_commit_callbacks
):
    registration = register(language="en")
    services.choose_provider(
        registration, provider=ProviderName.MOLLIE, return_url="r", webhook_url="w"
    )
    payment = Payment.objects.get()
    mollie.set_status(payment.provider_reference, "paid")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/payments/mollie/webhook/", {"id": payment.provider_reference})

    kinds = set(OutgoingMail.objects.values_list("kind", flat=True))
    assert {MailKind.PAYMENT_RECEIVED, MailKind.INVOICE} <= kinds
    received = OutgoingMail.objects.get(kind=MailKind.PAYMENT_RECEIVED)
    received = mail_services.render_queued(received)
    assert "we have received the payment for your registration" in received.body_text
    assert "Paid: € 125,00 incl. VAT." in received.body_text


# Unpaid follow-up


def test_reminder_after_the_configured_days_once(register, english):
    registration = register()
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    invoice = Invoice.objects.get()

    early = services.follow_up_unpaid(today=invoice.issue_date + dt.timedelta(days=13))
    due = services.follow_up_unpaid(today=invoice.issue_date + dt.timedelta(days=14))
    again = services.follow_up_unpaid(today=invoice.issue_date + dt.timedelta(days=15))

    assert (early.reminded, due.reminded, again.reminded) == (0, 1, 0)
    reminder = mail_services.render_queued(OutgoingMail.objects.get(kind=MailKind.PAYMENT_REMINDER))
    assert invoice.number in reminder.body_text
    assert invoice.payment_reference in reminder.body_text
    settings = PaymentSettings.objects.get(event=registration.event)
    deadline = invoice.due_date + dt.timedelta(days=settings.cancel_after_days)
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus"]
    months += ["september", "oktober", "november", "december"]
    shown = f"{deadline.day} {months[deadline.month - 1]} {deadline.year}"  # the booker's Dutch
    assert f"Is het op {shown} niet betaald, dan wordt de aanmelding geannuleerd" in (
        reminder.body_text
    )


def test_a_reminder_is_queued_once_even_when_asked_twice(register):
    from goedeburen.payments.services.follow_up import _remind

    registration = register()
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    invoice = Invoice.objects.get()
    balance = queries.balance(registration)

    first = _remind(invoice, balance=balance, cancel_on=None)
    second = _remind(invoice, balance=balance, cancel_on=None)

    assert (first, second) == (True, False)
    assert OutgoingMail.objects.filter(kind=MailKind.PAYMENT_REMINDER).count() == 1


def test_no_reminder_when_paid(register):
    registration = register()
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    invoice = Invoice.objects.get()
    services.record_manual_payment(registration, amount=Decimal("125.00"), note="kas", by=None)

    result = services.follow_up_unpaid(today=invoice.issue_date + dt.timedelta(days=20))

    assert result.reminded == 0


def test_cancelled_after_the_deadline_with_credit_note_and_seat_to_the_waiting_list(
    register, event, ticket
):
    ticket.quotas.update(size=1)
    registration = register()
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    invoice = Invoice.objects.get()
    waiting = registration_services.join_waiting_list(
        event,
        booker=booker(email="wacht@example.org"),
        attendees=[attendee(ticket)],
        billing=billing(),
        form_token=form_token(event),
        language="nl",
    )
    deadline = invoice.due_date + dt.timedelta(days=14)

    on_deadline = services.follow_up_unpaid(today=deadline)
    after = services.follow_up_unpaid(today=deadline + dt.timedelta(days=1))

    assert (on_deadline.cancelled, after.cancelled) == (0, 1)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert credit.credits == invoice
    assert credit.total + invoice.total == Decimal("0.00")
    waiting = Registration.objects.get(pk=waiting.pk)
    assert waiting.offer_until is not None  # the freed seat is offered


def test_unpaid_bank_transfer_lapses_with_its_hold_and_is_credited(
    register, immediate_tasks, django_capture_on_commit_callbacks
):
    registration = register()
    services.choose_provider(registration, provider=ProviderName.BANK_TRANSFER)
    Registration.objects.filter(pk=registration.pk).update(
        hold_until=registration_services.payment.timezone.now() - dt.timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        registration_services.release_expired_holds()

    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1


def test_follow_up_command_for_cron(register, capsys):
    registration = register()
    services.choose_provider(registration, provider=ProviderName.INVOICE)

    call_command("follow_up_payments")

    assert capsys.readouterr().out == (
        "0 reminders sent, 0 registrations cancelled, 0 bank payments settled, "
        "0 cancellations credited and refunded, 0 lost refunds carried out.\n"
    )
