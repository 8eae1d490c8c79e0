"""The demo's mail settings: practical information a week before, the thank-you the day
after, and the publication for every ticket that includes it (both of the announcement's).

Connected to `events.signals.demo_loaded` after the registration app's receiver, so the
ticket types exist. The publication's PDF itself is not part of the demo: the organiser
uploads it on the mail settings screen.
"""

from django.dispatch import receiver

from goedeburen.events.models import Event
from goedeburen.events.signals import demo_loaded
from goedeburen.registration.models import TicketType

from .models import MailSettings


@receiver(demo_loaded, sender=Event, dispatch_uid="mail.demo")
def load_mail_settings(sender, *, event: Event, loader, **kwargs) -> None:
    """Create or bring up to date the demo's mail settings."""
    with_publication = [
        ticket
        for ticket in TicketType.objects.filter(event=event)
        if "publicatie" in ticket.includes_nl.lower()
    ]
    loader.upsert(
        MailSettings,
        {"event": event},
        {"practical_info_days_before": 7, "thank_you_days_after": 1},
        m2m={"publication_ticket_types": with_publication},
    )
