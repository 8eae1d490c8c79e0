"""Money the organiser booked by hand (cash at the desk, a transfer found without reference)."""

from goedeburen.events.models import Event

from ..enums import ProviderName
from .base import PaymentProvider


class ManualProvider(PaymentProvider):
    """Never offered to bookers; refunds are transfers the organiser makes and records."""

    name = ProviderName.MANUAL

    def is_available(self, event: Event) -> bool:
        return False
