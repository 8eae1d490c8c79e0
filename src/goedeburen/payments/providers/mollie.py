"""Mollie: iDEAL | Wero, cards and whatever the organiser's account offers, on Mollie's
hosted checkout, through Mollie's official SDK (`mollie-api-python`).

The API key is the organiser's, from the setting `MOLLIE_API_KEYS` (never the database or
the repository). `MOLLIE_API_ENDPOINT` points the SDK elsewhere, for the tests' fake.
"""

from decimal import Decimal

from django.conf import settings
from mollie.api.client import Client
from mollie.api.error import Error as MollieError

from goedeburen.events.models import Event, Organiser

from .. import exceptions
from ..enums import PaymentState, ProviderName
from ..exceptions import PaymentError
from ..models import Payment, Refund
from .base import PaymentProvider, ProviderStatus, StartedPayment

# Mollie's payment statuses; "authorized" only happens for pay-later methods we do not ask for.
_STATES = {
    "open": PaymentState.OPEN,
    "pending": PaymentState.PENDING,
    "authorized": PaymentState.PENDING,
    "paid": PaymentState.PAID,
    "canceled": PaymentState.CANCELLED,
    "expired": PaymentState.EXPIRED,
    "failed": PaymentState.FAILED,
}


def api_key(organiser: Organiser) -> str:
    """Return the organiser's Mollie API key from the settings, or ""."""
    return settings.MOLLIE_API_KEYS.get(organiser.slug, "")


def key_mode(organiser: Organiser) -> str:
    """Return "test", "live" or "" (no key): test keys make no real payments."""
    key = api_key(organiser)
    return key.split("_", 1)[0] if key.startswith(("test_", "live_")) else ""


def _value(amount: Decimal) -> dict:
    return {"currency": "EUR", "value": f"{amount:.2f}"}


class MollieProvider(PaymentProvider):
    name = ProviderName.MOLLIE
    online = True

    def is_available(self, event: Event) -> bool:
        return bool(key_mode(event.organiser))

    def client(self, organiser: Organiser) -> Client:
        key = api_key(organiser)
        if not key:
            raise PaymentError(exceptions.NO_MOLLIE_KEY, code="provider_unavailable")
        client = Client(api_endpoint=settings.MOLLIE_API_ENDPOINT, timeout=(3, 15))
        try:
            client.set_api_key(key)
        except MollieError as wrong:
            raise PaymentError(exceptions.NO_MOLLIE_KEY, code="provider_unavailable") from wrong
        return client

    def start(self, payment: Payment, *, return_url: str, webhook_url: str) -> StartedPayment:
        registration = payment.registration
        client = self.client(registration.event.organiser)
        try:
            created = client.payments.create(
                {
                    "amount": _value(payment.amount),
                    "description": f"{registration.event.t.name} {registration.code}"[:255],
                    "redirectUrl": return_url,
                    "webhookUrl": webhook_url,
                    "locale": "en_US" if registration.language == "en" else "nl_NL",
                    "metadata": {"payment": payment.pk, "registration": registration.code},
                },
                # The same payment row never makes two payments at Mollie.
                idempotency_key=f"goedeburen-payment-{payment.pk}",
            )
        except MollieError as refused:
            raise PaymentError(exceptions.PROVIDER_UNAVAILABLE, code="provider_unavailable") from (
                refused
            )
        payment.provider_reference = created.id
        payment.checkout_url = created.checkout_url or ""
        return StartedPayment(redirect_url=payment.checkout_url)

    def fetch(self, payment: Payment) -> ProviderStatus:
        client = self.client(payment.registration.event.organiser)
        try:
            found = client.payments.get(payment.provider_reference)
        except MollieError as refused:
            raise PaymentError(exceptions.PROVIDER_UNAVAILABLE, code="provider_unavailable") from (
                refused
            )
        return ProviderStatus(
            reference=found.id,
            state=_STATES.get(found.status, PaymentState.OPEN),
            amount=Decimal(found.amount["value"]),
        )

    def refund(self, refund: Refund) -> str:
        payment = refund.payment
        client = self.client(payment.registration.event.organiser)
        try:
            mollie_payment = client.payments.get(payment.provider_reference)
            made = mollie_payment.refunds.create(
                {"amount": _value(refund.amount), "description": refund.reason[:140]},
                idempotency_key=f"goedeburen-refund-{refund.pk}",
            )
        except MollieError as refused:
            raise PaymentError(
                exceptions.PROVIDER_FAILED % {"error": str(refused)}, code="provider_failed"
            ) from refused
        if made.status in ("failed", "canceled"):
            raise PaymentError(
                exceptions.PROVIDER_FAILED % {"error": made.status}, code="provider_failed"
            )
        return made.id
