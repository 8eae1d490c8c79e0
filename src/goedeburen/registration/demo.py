"""The demo's tickets: the announcement's €125 participation and free resident places.

Connected to `events.signals.demo_loaded`, so `goedeburen demo` loads them with the rest.
ILLUSTRATIVE: the announcement names no capacity; "Zaal" (hall) of 200 seats is invented.
"""

from decimal import Decimal

from django.dispatch import receiver

from goedeburen.events.models import Event
from goedeburen.events.signals import demo_loaded

from .models import Quota, RegistrationSettings, TicketType

INCLUDES_NL = "lunch, koffie & thee, borrel en publicatie"
INCLUDES_EN = "lunch, coffee & tea, drinks and the publication"


@receiver(demo_loaded, sender=Event, dispatch_uid="registration.demo")
def load_ticket_types(sender, *, event: Event, loader, **kwargs) -> None:
    """Create or bring up to date the demo's ticket types, their quota and settings."""
    loader.upsert(
        RegistrationSettings,
        {"event": event},
        {"payment_hold_minutes": 30, "approval_hold_days": 7, "po_number_required": False},
    )
    participation = loader.upsert(
        TicketType,
        {"event": event, "name_nl": "Deelname"},
        {
            "name_en": "Participation",
            "description_nl": (
                "Voor medewerkers en bestuurders van woningcorporaties, maatschappelijke "
                "organisaties, gemeenten, landelijke platforms, expertisecentra en ministeries."
            ),
            "description_en": (
                "For staff and directors of housing corporations, social organisations, "
                "municipalities, national platforms, centres of expertise and ministries."
            ),
            "includes_nl": INCLUDES_NL,
            "includes_en": INCLUDES_EN,
            "price": Decimal("125.00"),
            "vat_rate": Decimal("21.00"),
            "vat_exemption": "",
            "max_per_registration": 10,
            "visible": True,
            "needs_approval": False,
            "order": 1,
        },
    )
    resident = loader.upsert(
        TicketType,
        {"event": event, "name_nl": "Bewoner van een gemengd woonproject"},
        {
            "name_en": "Resident of a mixed-housing project",
            "description_nl": (
                "Gratis voor bewoners van gemengde woonprojecten; de organisatie keurt uw "
                "aanmelding goed."
            ),
            "description_en": (
                "Free for residents of mixed-housing projects; the organisers approve your "
                "registration."
            ),
            "includes_nl": INCLUDES_NL,
            "includes_en": INCLUDES_EN,
            "price": Decimal("0.00"),
            "vat_rate": Decimal("21.00"),
            "vat_exemption": "",
            "max_per_registration": 4,
            "visible": True,
            "needs_approval": True,
            "order": 2,
        },
    )
    loader.upsert(
        Quota,
        {"event": event, "name": "Zaal"},
        {"size": 200},
        m2m={"ticket_types": [participation, resident]},
    )
