"""One attendee of several cancelled: in the free period the money follows (a credit note
and a new invoice for the others, the attendee's part of an online payment refunded);
after it nothing comes back."""

from decimal import Decimal

from django.utils import timezone

from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments import queries, services
from goedeburen.payments.enums import InvoiceKind, ProviderName, RefundState
from goedeburen.payments.models import Invoice, Settlement
from goedeburen.registration import services as registration_services
from tests.factories import RegistrationSettingsFactory
from tests.payments.test_mollie import WEBHOOK, start


def _cancel_second(registration, *, by=None):
    second = registration.attendees.order_by("order")[1]
    return registration_services.cancel_attendee(second, by=by, reason="ziek")


def _invoices(registration):
    return list(
        Invoice.objects.filter(registration=registration)
        .order_by("sequence")
        .values_list("kind", "total")
    )


def test_free_cancellation_of_one_attendee_credits_and_invoices_the_rest(
    register, immediate_tasks, django_capture_on_commit_callbacks
):
    registration = register(attendees=2)
    services.choose_provider(registration, provider=ProviderName.INVOICE)

    with django_capture_on_commit_callbacks(execute=True):
        result = _cancel_second(registration)

    assert (result.free, result.price) == (True, Decimal("125.00"))
    assert _invoices(registration) == [
        (InvoiceKind.INVOICE, Decimal("250.00")),
        (InvoiceKind.CREDIT_NOTE, Decimal("-250.00")),
        (InvoiceKind.INVOICE, Decimal("125.00")),
    ]
    assert queries.balance(registration).due == Decimal("125.00")
    assert Settlement.objects.get().settled is not None
    # The booker hears of it: the attendee's mail, the credit note and the new invoice (the
    # first invoice's own mail task ran outside the captured commit).
    kinds = sorted(OutgoingMail.objects.values_list("kind", flat=True))
    assert kinds.count(MailKind.ATTENDEE_CANCELLED) == 1
    assert kinds.count(MailKind.INVOICE) == 2


def test_the_attendees_part_of_an_online_payment_is_refunded(
    mollie, register, client, immediate_tasks, django_capture_on_commit_callbacks
):
    registration = register(attendees=2)
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "paid")
    client.post(WEBHOOK, {"id": payment.provider_reference})

    with django_capture_on_commit_callbacks(execute=True):
        _cancel_second(registration)

    refund = payment.refunds.get()
    assert (refund.amount, refund.state) == (Decimal("125.00"), RefundState.REFUNDED)
    assert [r["amount"]["value"] for r in mollie.refunds[payment.provider_reference]] == ["125.00"]
    balance = queries.balance(registration)
    assert (balance.due, balance.paid, balance.open) == (
        Decimal("125.00"),
        Decimal("125.00"),
        Decimal("0.00"),
    )

    # Then the whole registration: the rest comes back, nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.cancel_registration(registration, by=None, reason="booker")

    assert sorted(r.amount for r in payment.refunds.all()) == [
        Decimal("125.00"),
        Decimal("125.00"),
    ]
    assert queries.balance(registration).paid == Decimal("0.00")


def test_a_registration_not_invoiced_yet_simply_owes_less(register, immediate_tasks):
    registration = register(attendees=3)

    _cancel_second(registration)

    assert queries.balance(registration).due == Decimal("250.00")
    assert Invoice.objects.count() == 0


def test_after_the_free_period_the_invoice_stands(
    register, event, immediate_tasks, django_capture_on_commit_callbacks
):
    RegistrationSettingsFactory(
        event=event, free_cancellation_until=timezone.now() - timezone.timedelta(days=1)
    )
    registration = register(attendees=2)
    services.choose_provider(registration, provider=ProviderName.INVOICE)

    with django_capture_on_commit_callbacks(execute=True):
        result = _cancel_second(registration)

    assert result.free is False
    assert not Settlement.objects.exists()
    assert _invoices(registration) == [(InvoiceKind.INVOICE, Decimal("250.00"))]
    assert queries.balance(registration).due == Decimal("250.00")
