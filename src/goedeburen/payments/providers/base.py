"""The contract every way of paying fulfils, like Django's `BaseEmailBackend` for mail.

A provider does the provider's part only: talk to an outside service (Mollie) or decide
what the booker is shown (bank transfer, invoice). The services in `payments.services`
call it, write the `Payment` rows and confirm registrations; a provider never writes
registrations and never decides when one is paid.
"""

import abc
from dataclasses import dataclass
from decimal import Decimal

from goedeburen.events.models import Event

from .. import exceptions
from ..exceptions import PaymentError
from ..models import Payment, Refund


@dataclass(frozen=True, kw_only=True)
class StartedPayment:
    """What `start` did: send the booker to `redirect_url`, or show them the manage page."""

    redirect_url: str = ""


@dataclass(frozen=True, kw_only=True)
class ProviderStatus:
    """The provider's current word on a payment, as `fetch` returns it.

    `state` is a `PaymentState`; `amount` what the provider says was asked.
    """

    reference: str
    state: str
    amount: Decimal


class PaymentProvider(abc.ABC):
    """One way of paying, chosen per event (`PaymentSettings`).

    Subclasses set `name` (a `ProviderName`) and implement:

    - `is_available(event)`: whether the booker may choose it now (configured, enabled);
    - `start(payment, *, return_url, webhook_url)`: begin paying `payment` (saved, state
      open); return where to send the booker. May raise `PaymentError` (code
      "provider_unavailable" or "provider_failed"); the caller then marks it failed;
    - `fetch(payment)`: the provider's current status of a started payment, for a callback
      that only says "payment X changed" (re-fetch, never trust the callback's body);
    - `refund(refund)`: pay `refund.amount` of `refund.payment` back; return the
      provider's reference for it, or raise `PaymentError`: code "provider_failed" when
      the provider refused (the caller marks the refund failed), "provider_unavailable"
      when it could not be asked or did not answer (the refund stays pending and is tried
      again: `refund` must then pay back once however late it is called again).

    Providers without an outside service (bank transfer, invoice) start nothing online: the
    money arrives on the organiser's account and is booked from the bank statement or by
    hand, and a refund is a transfer the organiser makes, recorded as done.
    """

    name: str = ""
    # Whether `start` sends the booker elsewhere (a hosted checkout) to pay.
    online: bool = False

    @abc.abstractmethod
    def is_available(self, event: Event) -> bool:
        """Return whether this provider can take payments for `event` now."""

    def start(self, payment: Payment, *, return_url: str, webhook_url: str) -> StartedPayment:
        """Begin paying `payment`; the default shows the booker the manage page again."""
        return StartedPayment()

    def fetch(self, payment: Payment) -> ProviderStatus:
        """Return the provider's status of `payment`; only online providers have one.

        Without an outside service there is nobody to ask: the same answer as a provider
        that cannot be reached, so a callback naming such a payment changes nothing.
        """
        raise PaymentError(exceptions.PROVIDER_UNAVAILABLE, code="provider_unavailable")

    def refund(self, refund: Refund) -> str:
        """Pay `refund` back; the default records a transfer the organiser made by hand."""
        return ""
