"""Who is asked to evaluate: the people who were there.

For an event that used check-in (anyone checked in), the attendees checked in at the door or
into a session; for one that did not, the attendees of confirmed registrations. Another
source can replace this (`register_source(fn)`, `fn(event)` returning an attendee
queryset); the last one registered wins.
"""

from collections.abc import Callable

from django.db.models import QuerySet

from goedeburen.checkin import queries as checkin_queries
from goedeburen.events.models import Event
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee

_SOURCES: list[Callable[[Event], QuerySet[Attendee]]] = []


def register_source(source: Callable[[Event], QuerySet[Attendee]]) -> None:
    """Use `source(event)` for the people who were there (check-in registers its own)."""
    _SOURCES.append(source)


def confirmed_attendees(event: Event) -> QuerySet[Attendee]:
    return Attendee.objects.filter(
        registration__event=event, registration__status=RegistrationStatus.CONFIRMED
    )


def checked_in_or_confirmed(event: Event) -> QuerySet[Attendee]:
    """Return the attendees checked in, or, when nobody was checked in, those confirmed."""
    checked_in = checkin_queries.checked_in_attendee_ids(event)
    if checked_in.exists():
        return Attendee.objects.filter(registration__event=event, pk__in=checked_in)
    return confirmed_attendees(event)


def eligible_attendees(event: Event) -> QuerySet[Attendee]:
    """Return the attendees asked to evaluate `event`."""
    source = _SOURCES[-1] if _SOURCES else checked_in_or_confirmed
    return source(event)
