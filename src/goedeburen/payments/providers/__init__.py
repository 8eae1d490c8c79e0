"""The ways to pay, one class each behind `PaymentProvider` (see `base`)."""

from .bank_transfer import BankTransferProvider
from .base import PaymentProvider, ProviderStatus, StartedPayment
from .invoice import InvoiceProvider
from .manual import ManualProvider
from .mollie import MollieProvider

PROVIDERS: dict[str, type[PaymentProvider]] = {
    provider.name: provider
    for provider in (MollieProvider, BankTransferProvider, InvoiceProvider, ManualProvider)
}


def get_provider(name: str) -> PaymentProvider:
    """Return an instance of the provider called `name` (a `ProviderName`); KeyError if none."""
    return PROVIDERS[name]()


__all__ = [
    "PROVIDERS",
    "BankTransferProvider",
    "InvoiceProvider",
    "ManualProvider",
    "MollieProvider",
    "PaymentProvider",
    "ProviderStatus",
    "StartedPayment",
    "get_provider",
]
