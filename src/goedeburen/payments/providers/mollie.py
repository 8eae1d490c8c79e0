"""Mollie: iDEAL | Wero, cards and whatever the organiser's account offers, on Mollie's
hosted checkout, through Mollie's official SDK (`mollie-api-py`).

The API key is the organiser's, from the setting `MOLLIE_API_KEYS` (never the database or
the repository). `MOLLIE_API_ENDPOINT` points the SDK elsewhere, for the tests' fake.
Our payment's id is the idempotency key of its creation (and a refund's of the refund), so
a retried request never makes a second payment at Mollie. Mollie keeps those keys for a
while only (about an hour), and a refund may be tried again days later (the
`follow_up_payments` sweep, the organiser's form sent again): a refund therefore carries our
refund's id in its metadata, and before making one we look among the payment's refunds at
Mollie for the one an earlier try made, its answer lost.
"""

import functools
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.conf import settings

from goedeburen.events.models import Event, Organiser

from .. import exceptions
from ..enums import PaymentState, ProviderName
from ..exceptions import PaymentError
from ..models import Payment, Refund
from .base import PaymentProvider, ProviderStatus, StartedPayment

if TYPE_CHECKING:
    from mollie import ClientSDK

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
# Mollie's refund statuses that pay nothing out (any more); the others did or will.
_NOT_PAYING = ("failed", "canceled")
# Mollie's largest page of a list: one request for any payment we could refund.
_PAGE = 250
_TIMEOUT_MS = 15_000


@functools.cache
def _sdk() -> SimpleNamespace:
    """Return the SDK's parts, imported at the first request to Mollie, not with this module:
    the SDK and httpx took 0.6 to 0.9 s to import on a slow 2-core machine, which every
    process (the worker, each command, each web worker) paid at its start."""
    import httpx
    from mollie import ClientSDK, Security
    from mollie.models import ClientError, NoResponseError
    from mollie.utils import BackoffStrategy, RetryConfig

    return SimpleNamespace(
        ClientSDK=ClientSDK,
        Security=Security,
        ClientError=ClientError,
        # Everything the SDK raises when Mollie refuses, answers nonsense or cannot be reached.
        failures=(ClientError, NoResponseError, httpx.HTTPError),
        # A request that found Mollie busy (429, 5xx) or unreachable is tried again for at
        # most two seconds: safe, as every write carries its idempotency key, and short, as
        # a person (or Mollie's webhook, which retries by itself) waits for the answer.
        retries=RetryConfig("backoff", BackoffStrategy(200, 1000, 2, 2000), True),
    )


def api_key(organiser: Organiser) -> str:
    """Return the organiser's Mollie API key from the settings, or ""."""
    return settings.MOLLIE_API_KEYS.get(organiser.slug, "")


def key_mode(organiser: Organiser) -> str:
    """Return "test", "live" or "" (no key): test keys make no real payments."""
    key = api_key(organiser)
    return key.split("_", 1)[0] if key.startswith(("test_", "live_")) else ""


def idempotency_key(payment: Payment) -> str:
    """Return the key that makes creating `payment` at Mollie happen once."""
    return f"goedeburen-payment-{payment.pk}"


def refund_idempotency_key(refund: Refund) -> str:
    """Return the key that makes creating `refund` at Mollie happen once (for a while)."""
    return f"goedeburen-refund-{refund.pk}"


def refund_metadata(refund: Refund) -> dict:
    """Return the metadata that names `refund` on the refund made for it at Mollie."""
    return {"refund": refund.pk, "registration": refund.payment.registration.code}


def _value(amount: Decimal) -> dict:
    return {"currency": "EUR", "value": f"{amount:.2f}"}


def _text(value) -> str:
    """Return an SDK enum's or string's plain value."""
    return str(getattr(value, "value", value) or "")


class MollieProvider(PaymentProvider):
    name = ProviderName.MOLLIE
    online = True

    def is_available(self, event: Event) -> bool:
        return bool(key_mode(event.organiser))

    def client(self, organiser: Organiser) -> "ClientSDK":
        key = api_key(organiser)
        if not key_mode(organiser):
            raise PaymentError(exceptions.NO_MOLLIE_KEY, code="provider_unavailable")
        sdk = _sdk()
        return sdk.ClientSDK(
            security=sdk.Security(api_key=key),
            server_url=settings.MOLLIE_API_ENDPOINT or None,
            retry_config=sdk.retries,
            timeout_ms=_TIMEOUT_MS,
        )

    def start(self, payment: Payment, *, return_url: str, webhook_url: str) -> StartedPayment:
        registration = payment.registration
        try:
            with self.client(registration.event.organiser) as client:
                created = client.payments.create(
                    payment_request={
                        "amount": _value(payment.amount),
                        "description": f"{registration.event.t.name} {registration.code}"[:255],
                        "redirect_url": return_url,
                        "webhook_url": webhook_url,
                        "locale": "en_US" if registration.language == "en" else "nl_NL",
                        "metadata": {"payment": payment.pk, "registration": registration.code},
                    },
                    # The same payment row never makes two payments at Mollie.
                    idempotency_key=idempotency_key(payment),
                )
        except _sdk().failures as refused:
            raise PaymentError(exceptions.PROVIDER_UNAVAILABLE, code="provider_unavailable") from (
                refused
            )
        checkout = created.links.checkout
        payment.provider_reference = created.id
        payment.checkout_url = checkout.href if checkout else ""
        return StartedPayment(redirect_url=payment.checkout_url)

    def fetch(self, payment: Payment) -> ProviderStatus:
        try:
            with self.client(payment.registration.event.organiser) as client:
                found = client.payments.get(payment_id=payment.provider_reference)
        except _sdk().failures as refused:
            raise PaymentError(exceptions.PROVIDER_UNAVAILABLE, code="provider_unavailable") from (
                refused
            )
        return ProviderStatus(
            reference=found.id,
            state=_STATES.get(_text(found.status), PaymentState.OPEN),
            amount=Decimal(found.amount.value),
        )

    def refund(self, refund: Refund) -> str:
        """Refund through Mollie, once however often and however late this is tried again.

        First look among the payment's refunds at Mollie for one an earlier try made (its
        metadata names our refund) that is not failed or canceled: its id is the answer.
        Only when there is none make it (with the idempotency key too, for a retry within
        Mollie's while). Raise `PaymentError` "provider_unavailable" when Mollie could not
        be asked or did not answer (whether it made the refund is unknown: the refund stays
        pending and the next try looks again), "provider_failed" when it refused.
        """
        payment = refund.payment
        with self.client(payment.registration.event.organiser) as client:
            try:
                made = _made_before(client, refund)
            except _sdk().failures as error:
                # Not knowing what was made, making it again could pay twice.
                raise _unanswered(error) from error
            if made is None:
                try:
                    made = client.refunds.create(
                        payment_id=payment.provider_reference,
                        refund_request={
                            "amount": _value(refund.amount),
                            "description": refund.reason[:140],
                            "metadata": refund_metadata(refund),
                        },
                        idempotency_key=refund_idempotency_key(refund),
                    )
                except _sdk().failures as error:
                    raise (_refused(error) if _is_refusal(error) else _unanswered(error)) from (
                        error
                    )
        status = _text(made.status)
        if status in _NOT_PAYING:
            raise PaymentError(
                exceptions.PROVIDER_FAILED % {"error": status}, code="provider_failed"
            )
        return made.id

    def find_refund(self, refund: Refund) -> str | None:
        """Return the id of the refund at Mollie that a try of `refund` made and that pays
        out (or did), found by its metadata; None when Mollie says there is none: no such
        refund among the payment's, or no such payment at all (a 404: with this key nothing
        was or can be paid back on it). Raise `PaymentError` "provider_unavailable" when
        Mollie cannot be asked or gives no clear answer (no key, unreachable, 5xx, 429 …):
        then nobody knows, and giving the refund up could pay it twice later.
        """
        payment = refund.payment
        try:
            with self.client(payment.registration.event.organiser) as client:
                made = _made_before(client, refund)
        except _sdk().failures as error:
            if getattr(error, "status_code", None) == 404:
                return None
            raise _unanswered(error) from error
        return made.id if made is not None else None


def _made_before(client: "ClientSDK", refund: Refund):
    """Return the refund at Mollie an earlier try of `refund` made that pays out (or did),
    or None; read through every page of the payment's refunds."""
    page = client.refunds.list(payment_id=refund.payment.provider_reference, limit=_PAGE)
    while page is not None:
        for made in page.result.embedded.refunds:
            metadata = made.metadata if isinstance(made.metadata, dict) else {}
            ours = str(metadata.get("refund", "")) == str(refund.pk)
            if ours and _text(made.status) not in _NOT_PAYING:
                return made
        page = page.next()
    return None


def _is_refusal(error: Exception) -> bool:
    """Return whether Mollie answered a request with a refusal, so that it made nothing: a
    4xx answer, other than "too many requests" or a conflict with a request under the same
    idempotency key still running. Unreachable, timed out or a 5xx: it may have."""
    status = getattr(error, "status_code", None)
    return (
        isinstance(error, _sdk().ClientError)
        and status is not None
        and status < 500
        and (status not in (409, 429))
    )


def _refused(error: Exception) -> PaymentError:
    return PaymentError(
        exceptions.PROVIDER_FAILED % {"error": _reason(error)}, code="provider_failed"
    )


def _unanswered(error: Exception) -> PaymentError:
    return PaymentError(
        exceptions.REFUND_UNANSWERED % {"error": _reason(error)}, code="provider_unavailable"
    )


def _reason(error: Exception) -> str:
    """Return Mollie's own explanation of a refusal (its `detail`), else the error's text."""
    data = getattr(error, "data", None)
    detail = getattr(data, "detail", "") if data is not None else ""
    text = str(detail or getattr(error, "message", "") or error) or type(error).__name__
    return text[:300]
