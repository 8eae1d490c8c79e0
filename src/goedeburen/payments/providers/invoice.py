"""Invoice afterwards ("op rekening"): confirmed at once, the invoice is due later."""

from goedeburen.events.models import Event

from ..enums import ProviderName
from ..queries import organiser_billing
from .base import PaymentProvider


class InvoiceProvider(PaymentProvider):
    """For organisations: the registration is confirmed and the invoice paid within the term."""

    name = ProviderName.INVOICE

    def is_available(self, event: Event) -> bool:
        billing = organiser_billing(event.organiser)
        return billing is not None and billing.complete
