"""What the personal page shows of the day: the tickets' QR codes, badge choices, certificates."""

import segno
from django.utils import timezone

from goedeburen.checkin import queries, services, tickets
from goedeburen.registration.enums import RegistrationStatus


def ticket_context(registration) -> dict:
    """Return what the personal page shows of tickets, badges and certificates.

    The QR codes only for a confirmed registration: an unpaid or unapproved one has no
    ticket to show yet.
    """
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    attendees = list(registration.attendees.all()) if confirmed else []
    return {
        "tickets": [
            (
                attendee,
                segno.make(tickets.secret_for(attendee), error="m").svg_data_uri(scale=5),
            )
            for attendee in attendees
        ],
        "badge_open": timezone.now() <= services.badge_closes(registration.event),
        "certificates": queries.certificates_of(registration) if confirmed else [],
    }
