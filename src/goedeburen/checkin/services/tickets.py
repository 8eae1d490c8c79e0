"""Issue and void tickets so that they follow the registrations."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from goedeburen.common.rows import insert
from goedeburen.events.models import Event
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Registration

from .. import tickets
from ..enums import VoidReason
from ..models import Ticket


def sync_registration_tickets(registration: Registration) -> list[Ticket]:
    """Bring the tickets of `registration`'s attendees in line with it; return the valid ones.

    Each attendee has one valid ticket whose hash is that of their current secret; an
    older ticket (someone else goes instead: the secret was renewed) is voided as
    substituted. A cancelled registration's tickets are voided as cancelled; one on the
    waiting list gets none. Running it again changes nothing.

    Side effects: ticket rows written or voided.
    """
    attendees = list(registration.attendees.all())
    return _sync(registration.event_id, [(a, registration.status) for a in attendees])


def issue_new_tickets(registration: Registration, attendees) -> list[Ticket]:
    """Issue a ticket to each of a new registration's `attendees` (just written, so they
    have none yet); return them. One INSERT: this runs inside every booking.

    Side effects: ticket rows written (none on the waiting list).
    """
    if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.WAITING_LIST):
        return []
    new = [
        Ticket(
            event_id=registration.event_id,
            attendee=attendee,
            secret_hash=tickets.hash_secret(tickets.secret_for(attendee)),
        )
        for attendee in attendees
    ]
    return insert(new)


def sync_event_tickets(event: Event) -> None:
    """Bring every ticket of `event` in line with its registrations (`sync_registration_tickets`).

    The check-in app calls it before it hands out the ticket list, so that a ticket whose
    signal receiver failed is there all the same. Side effects: ticket rows written or voided.
    """
    attendees = Attendee.objects.filter(registration__event=event).select_related("registration")
    _sync(event.pk, [(a, a.registration.status) for a in attendees])


def _sync(event_id: int, rows) -> list[Ticket]:
    if not rows:
        return []
    now = timezone.now()
    valid = {
        t.attendee_id: t
        for t in Ticket.objects.filter(attendee_id__in=[a.pk for a, _ in rows], void_reason="")
    }
    new, voided, kept = [], [], []
    for attendee, status in rows:
        ticket = valid.get(attendee.pk)
        if status == RegistrationStatus.CANCELLED:
            if ticket is not None:
                voided.append((ticket, VoidReason.CANCELLED))
            continue
        if status == RegistrationStatus.WAITING_LIST:
            continue
        if ticket is not None and tickets.is_current(attendee, ticket.secret_hash):
            kept.append(ticket)
            continue
        if ticket is not None:
            voided.append((ticket, VoidReason.SUBSTITUTED))
        new.append(
            Ticket(
                event_id=event_id,
                attendee=attendee,
                secret_hash=tickets.hash_secret(tickets.secret_for(attendee)),
            )
        )
    with transaction.atomic():
        for ticket, reason in voided:
            Ticket.objects.filter(pk=ticket.pk, void_reason="").update(
                void_reason=reason, voided=now
            )
        try:
            with transaction.atomic():
                Ticket.objects.bulk_create(new)
        except IntegrityError:
            # Another request issued the same tickets a moment ago: theirs stand.
            new = list(
                Ticket.objects.filter(attendee_id__in=[t.attendee_id for t in new], void_reason="")
            )
    return kept + new
