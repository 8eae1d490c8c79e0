"""Money through gunicorn's sync workers (production's shape): Mollie's webhook for one
paid payment delivered 20 times at once, and an invoiced registration cancelled by its
personal link 20 times at once. Mollie is outside this machine: its API is the local fake
the payment tests use (tests/payments/fake_mollie.py), which the workers reach through
MOLLIE_API_ENDPOINT. Afterwards the database holds what one request would have stored, and
no worker logged a server error (the `gunicorn` fixture fails the test on a traceback)."""

from collections import Counter
from decimal import Decimal

import pytest

from goedeburen.common.audit import history
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments import services as payment_services
from goedeburen.payments.enums import InvoiceKind, PaymentState, ProviderName
from goedeburen.payments.models import Invoice, Payment, Settlement
from goedeburen.registration import services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from tests.concurrency.test_registration_http import _request, gunicorn  # noqa: F401
from tests.concurrency.test_self_service_http import _post_at_once, _url
from tests.payments.conftest import (  # noqa: F401
    TEST_KEY,
    billing_defaults,
    drain,
    event,
    mollie,
    ticket,
)
from tests.payments.test_mollie import WEBHOOK, start
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 20


def assert_cancelled_and_credited_once(registration, drain) -> None:  # noqa: F811
    """Assert that the invoiced `registration` was cancelled once (one log entry, one
    mail, one settlement) and, once `drain` ran the worker, credited once."""
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CANCELLED
    assert history(registration).filter(action="registration.cancelled").count() == 1
    mails = OutgoingMail.objects.filter(registration=registration, kind=MailKind.CANCELLATION)
    assert mails.count() == 1
    assert Settlement.objects.filter(registration=registration).count() == 1
    drain()  # the credit note is made by the task the cancellation enqueued
    credits = Invoice.objects.filter(registration=registration, kind=InvoiceKind.CREDIT_NOTE)
    assert list(credits.values_list("total", flat=True)) == [Decimal("-125.00")]


def test_one_paid_payments_webhook_delivered_20_times_at_once_is_booked_once(
    gunicorn,  # noqa: F811
    mollie,  # noqa: F811
    event,  # noqa: F811
    register,
    monkeypatch,
):
    registration = register()
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "paid")
    # The workers read these from their environment, as production does.
    monkeypatch.setenv("MOLLIE_API_KEYS", f"{event.organiser.slug}={TEST_KEY}")
    monkeypatch.setenv("MOLLIE_API_ENDPOINT", mollie.url)
    server = gunicorn(sync=True)
    body = f"id={payment.provider_reference}"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    answers = all_at_once(
        CLIENTS, lambda n: _request(server.port, "POST", WEBHOOK, body=body, headers=headers)[0]
    )

    assert Counter(answers) == Counter({200: CLIENTS})
    assert mollie.keys("GET", f"/v2/payments/{payment.provider_reference}")  # asked, not told
    assert list(Payment.objects.filter(registration=registration).values_list("state")) == [
        (PaymentState.PAID,)
    ]
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CONFIRMED
    assert Invoice.objects.filter(registration=registration, kind=InvoiceKind.INVOICE).count() == 1
    assert history(registration).filter(action="payment.paid").count() == 1
    assert history(registration).filter(action="registration.paid").count() == 1
    mails = OutgoingMail.objects.filter(registration=registration, kind=MailKind.PAYMENT_RECEIVED)
    assert mails.count() == 1


def test_cancelling_by_the_personal_link_20_times_at_once_cancels_and_credits_once(
    gunicorn,  # noqa: F811
    register,
    drain,  # noqa: F811
):
    registration = register()
    payment_services.choose_provider(registration, provider=ProviderName.INVOICE)
    token = services.renew_manage_link(registration)
    server = gunicorn(sync=True)
    path = _url(
        "public:registration.cancel",
        event=registration.event.slug,
        code=registration.code,
        token=token,
    )

    answers = _post_at_once(server.port, [(path, {})] * CLIENTS)

    # The one that cancelled is sent to the manage page (an empty body); the others are
    # shown the cancel page again with the reason.
    statuses = Counter(status for status, _ in answers)
    assert statuses == Counter({302: 1, 200: CLIENTS - 1})
    refused = [text for status, text in answers if status == 200]
    assert all("This registration is already cancelled." in text for text in refused)
    assert_cancelled_and_credited_once(registration, drain)


@pytest.mark.parametrize("provider", [ProviderName.BANK_TRANSFER, ProviderName.INVOICE])
def test_paying_offline_chosen_20_times_at_once_issues_one_invoice(
    gunicorn,  # noqa: F811
    event,  # noqa: F811
    register,
    provider,
):
    event.payment_settings.bank_transfer_enabled = True
    event.payment_settings.save()
    registration = register()
    token = services.renew_manage_link(registration)
    server = gunicorn(sync=True)
    path = _url("public:registration.pay", event=event.slug, code=registration.code, token=token)

    answers = _post_at_once(server.port, [(path, {"provider": provider})] * CLIENTS)

    # Each is sent back to the registration's page, which says what became of it.
    assert Counter(status for status, _ in answers) == Counter({302: CLIENTS})
    assert Invoice.objects.filter(registration=registration).count() == 1
    assert history(registration).filter(action="invoice.issued").count() == 1
    status = Registration.objects.get(pk=registration.pk).status
    assert status == (
        RegistrationStatus.PENDING_PAYMENT
        if provider == ProviderName.BANK_TRANSFER
        else RegistrationStatus.CONFIRMED
    )
