"""Segments of a mailing: who gets it, chosen by filters on the attendees.

A mailing goes to attendees (at their own address, else their booker's), filtered by the
registration's status, the ticket type and the attending role. Each address gets one mail
however often it matches (a booker who registered twice, an attendee with the booker's
address). Other domain apps add filters for what only they know, with `register_filter`:
payments ("paid or not", `payments.segments`) and matching ("round or session",
`matching.segments`); check-in ("checked in or not") will register its own.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import Event
from goedeburen.registration.enums import AttendingRole, RegistrationStatus
from goedeburen.registration.models import Attendee, TicketType


@dataclass(frozen=True)
class SegmentFilter:
    """One filter of the mailing screen: a multiple choice over `choices(event)`.

    `apply(attendees, values)` narrows an attendee queryset to those matching any of the
    chosen `values` (strings); no values chosen means no narrowing.
    """

    key: str
    label: object
    choices: Callable[[Event], list[tuple[str, str]]]
    apply: Callable[[QuerySet[Attendee], list[str]], QuerySet[Attendee]]


@dataclass(frozen=True)
class Recipient:
    email: str
    registration_id: int
    attendee_id: int
    language: str


_FILTERS: dict[str, SegmentFilter] = {}


def register_filter(segment_filter: SegmentFilter) -> None:
    """Offer `segment_filter` on the mailing screen (or replace the one with its key)."""
    _FILTERS[segment_filter.key] = segment_filter


def filters() -> list[SegmentFilter]:
    """Return the filters in the order the screen shows them."""
    return list(_FILTERS.values())


def clean_filters(event: Event, data: dict) -> dict[str, list[str]]:
    """Return `data` with only known filters and values that are among their choices."""
    cleaned = {}
    for segment_filter in _FILTERS.values():
        allowed = {value for value, _label in segment_filter.choices(event)}
        values = [str(v) for v in data.get(segment_filter.key, []) if str(v) in allowed]
        if values:
            cleaned[segment_filter.key] = values
    return cleaned


def matching_attendees(event: Event, chosen: dict[str, list[str]]) -> QuerySet[Attendee]:
    """Return the event's attendees that match every chosen filter.

    Without a status filter only confirmed registrations match: a mailing never reaches
    cancelled (or waiting, or unpaid) registrations unless their status is chosen.
    """
    attendees = Attendee.objects.filter(registration__event=event)
    if not chosen.get("status"):
        attendees = attendees.filter(registration__status=RegistrationStatus.CONFIRMED)
    for key, values in chosen.items():
        if key in _FILTERS and values:
            attendees = _FILTERS[key].apply(attendees, values)
    return attendees


def recipients(
    event: Event, chosen: dict[str, list[str]], *, skip: set[str] = frozenset()
) -> list[Recipient]:
    """Return one recipient per address among the matching attendees, leaving out `skip`.

    The first match (oldest registration, first attendee) decides the name and language.
    """
    rows = (
        matching_attendees(event, chosen)
        .order_by("registration__created", "registration_id", "order", "pk")
        .values_list(
            "pk", "email", "registration_id", "registration__email", "registration__language"
        )
    )
    found: dict[str, Recipient] = {}
    for attendee_id, own, registration_id, booker, language in rows.iterator():
        email = (own or booker).strip().lower()
        if email and email not in skip and email not in found:
            found[email] = Recipient(email, registration_id, attendee_id, language)
    return list(found.values())


register_filter(
    SegmentFilter(
        key="status",
        label=_("status"),
        choices=lambda event: list(RegistrationStatus.choices),
        apply=lambda attendees, values: attendees.filter(registration__status__in=values),
    )
)
register_filter(
    SegmentFilter(
        key="ticket_type",
        label=_("ticket type"),
        choices=lambda event: [
            (str(t.pk), t.t.name) for t in TicketType.objects.filter(event=event)
        ],
        apply=lambda attendees, values: attendees.filter(ticket_type_id__in=values),
    )
)
register_filter(
    SegmentFilter(
        key="role",
        label=_("attending as"),
        choices=lambda event: list(AttendingRole.choices),
        apply=lambda attendees, values: attendees.filter(role__in=values),
    )
)
