"""Who is asked to evaluate: the people who were there.

Until check-in exists that means the attendees of confirmed registrations. A check-in app
registers a better source (`register_source(fn)`, `fn(event)` returning an attendee
queryset, e.g. those checked in) from its `AppConfig.ready`; the last one registered wins.
"""

from collections.abc import Callable

from django.db.models import QuerySet

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


def eligible_attendees(event: Event) -> QuerySet[Attendee]:
    """Return the attendees asked to evaluate `event`."""
    source = _SOURCES[-1] if _SOURCES else confirmed_attendees
    return source(event)
