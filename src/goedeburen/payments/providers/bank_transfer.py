"""Bank transfer: the booker transfers to the organiser's IBAN with the RF reference."""

from goedeburen.events.models import Event

from ..enums import ProviderName
from ..queries import organiser_billing
from .base import PaymentProvider


class BankTransferProvider(PaymentProvider):
    """The booker pays by transfer; the payment is booked from the organiser's CAMT.053."""

    name = ProviderName.BANK_TRANSFER

    def is_available(self, event: Event) -> bool:
        billing = organiser_billing(event.organiser)
        return billing is not None and billing.complete
