"""The demo's payment set-up: bank transfer and invoice afterwards, illustrative legal data.

Connected to `events.signals.demo_loaded`. ILLUSTRATIVE: the announcement gives no legal
details; the organiser's KvK and VAT numbers and IBAN below are made up (valid in form
only, so that the screens and PDFs show what a real one looks like). Paying online
(Mollie) is switched on only when `MOLLIE_API_KEYS` holds a key for the demo organiser.
"""

from django.dispatch import receiver

from goedeburen.events.demo import CONTACT_NAME
from goedeburen.events.models import Event
from goedeburen.events.signals import demo_loaded

from .models import OrganiserBilling, PaymentSettings
from .providers.mollie import key_mode

# ILLUSTRATIVE: made-up numbers with valid check digits.
LEGAL_NAME = "Gemeente Utrecht"
ADDRESS = f"{CONTACT_NAME}\nPostbus 16200\n3500 CE Utrecht"
KVK_NUMBER = "12345678"
VAT_NUMBER = "NL001000007B01"
IBAN = "NL91ABNA0417164300"


@receiver(demo_loaded, sender=Event, dispatch_uid="payments.demo")
def load_payment_setup(sender, *, event: Event, loader, **kwargs) -> None:
    """Create or bring up to date the demo organiser's invoice details and payment settings."""
    loader.upsert(
        OrganiserBilling,
        {"organiser": event.organiser},
        {
            "legal_name": LEGAL_NAME,
            "address": ADDRESS,
            "kvk_number": KVK_NUMBER,
            "vat_number": VAT_NUMBER,
            "iban": IBAN,
            "account_name": LEGAL_NAME,
        },
    )
    loader.upsert(
        PaymentSettings,
        {"event": event},
        {
            "mollie_enabled": bool(key_mode(event.organiser)),
            "bank_transfer_enabled": True,
            "invoice_enabled": True,
            "payment_term_days": 30,
            "reminder_days": 14,
            "cancel_after_days": 14,
        },
    )
