"""Reads of tickets, check-ins and the day's lists that several screens share.

Every list here obeys consent and role: the door and session lists hold names and
organisations only; the caterer list counts dietary wishes and names only those who said
the caterer may see their name; the participants' attendee list holds only those who
opted in. None of them holds the attending role, the ticket type or contact details.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from goedeburen.events.models import Event, Session
from goedeburen.matching import queries as matching_queries
from goedeburen.matching.models import Placement
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Registration

from . import decisions
from .models import Certificate, CheckIn, CheckinSettings, DayChoices, Scan, Ticket

ADMITTED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.PENDING_PAYMENT,
    RegistrationStatus.AWAITING_APPROVAL,
    RegistrationStatus.CANCELLED,
)


def checkin_settings(event: Event) -> CheckinSettings:
    """Return the event's check-in settings, or the defaults when it has none."""
    found = CheckinSettings.objects.filter(event=event).first()
    return found or CheckinSettings(event=event)


def day_choices(attendees) -> dict[int, DayChoices]:
    """Return attendee id → their choices for the day (defaults for those without a row)."""
    ids = [a.pk for a in attendees]
    found = {c.attendee_id: c for c in DayChoices.objects.filter(attendee_id__in=ids)}
    return {pk: found.get(pk) or DayChoices(attendee_id=pk) for pk in ids}


def valid_ticket(attendee: Attendee) -> Ticket | None:
    return Ticket.objects.filter(attendee=attendee, void_reason="").first()


def checked_in_attendee_ids(event: Event) -> QuerySet:
    """Return the ids of the attendees checked in at the door or into a session (not undone)."""
    return (
        CheckIn.objects.filter(event=event, undone__isnull=True)
        .values_list("attendee_id", flat=True)
        .distinct()
    )


def expected(event: Event) -> QuerySet[Attendee]:
    """Return the attendees who are expected: those of the event's confirmed registrations."""
    return Attendee.objects.filter(
        registration__event=event, registration__status=RegistrationStatus.CONFIRMED
    )


@dataclass
class Counts:
    expected: int
    checked_in: int
    per_door: list[tuple[str, int]]
    per_session: dict[int, tuple[int, int]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "expected": self.expected,
            "checked_in": self.checked_in,
            "doors": [[door, count] for door, count in self.per_door],
            "sessions": {str(k): list(v) for k, v in self.per_session.items()},
        }


def counts(event: Event) -> Counts:
    """Return checked in / expected in total, per door, and per session (four small
    grouped queries, whatever the number of check-ins)."""
    rows = (
        CheckIn.objects.filter(event=event, undone__isnull=True)
        .order_by()
        .values_list("session_id", "door")
        .annotate(n=Count("pk"))
    )
    per_door: Counter = Counter()
    per_session: Counter = Counter()
    for session_id, door, n in rows:
        if session_id is None:
            per_door[door] += n
        else:
            per_session[session_id] += n
    placed: Counter = Counter()
    placements = (
        Placement.objects.filter(run__event=event, run__is_published=True)
        .order_by()
        .values_list("session_id")
        .annotate(n=Count("pk"))
    )
    placed.update(dict(placements))
    sessions = {
        pk: (per_session.get(pk, 0), placed.get(pk, 0)) for pk in set(per_session) | set(placed)
    }
    return Counts(
        expected=expected(event).count(),
        checked_in=sum(per_door.values()),
        per_door=sorted(per_door.items()),
        per_session=sessions,
    )


def programme_lines(event: Event, attendees) -> dict[int, list[str]]:
    """Return attendee id → their published sessions as short lines ("10:30 Room: title")."""
    programmes = matching_queries.personal_programmes(event, attendees)
    return {
        pk: [
            f"{line.session.starts:%H:%M} "
            + (f"{line.session.room.name}: " if line.session.room else "")
            + line.session.t.title
            for line in lines
        ]
        for pk, lines in programmes.items()
    }


def programme_rooms(event: Event, attendees) -> dict[int, list[str]]:
    """Return attendee id → the rooms of their published sessions per round ("11:00 Zaal 2")."""
    programmes = matching_queries.personal_programmes(event, attendees)
    return {
        pk: [
            f"{line.session.starts:%H:%M} {line.session.room.name}"
            for line in lines
            if line.session.room
        ]
        for pk, lines in programmes.items()
    }


def people(event: Event) -> list[Attendee]:
    """Return the attendees the door may meet (all but the waiting list), with registrations."""
    return list(
        Attendee.objects.filter(registration__event=event, registration__status__in=ADMITTED)
        .select_related("registration")
        .order_by("given_name", "family_name", "pk")
    )


def search_people(event: Event, text: str, *, limit: int = 20) -> list[Attendee]:
    """Return the attendees whose name matches every word of `text` (the door's name search)."""
    words = text.split()[:5]
    if not words:
        return []
    found = Attendee.objects.filter(
        registration__event=event, registration__status__in=ADMITTED
    ).select_related("registration")
    for word in words:
        found = found.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return list(found.order_by("given_name", "family_name", "pk")[:limit])


def active_check_ins(event: Event, attendee_ids) -> dict[tuple[int, int | None], CheckIn]:
    """Return (attendee id, session id or None) → the check-in that stands."""
    return {
        (c.attendee_id, c.session_id): c
        for c in CheckIn.objects.filter(
            event=event, attendee_id__in=list(attendee_ids), undone__isnull=True
        ).select_related("by")
    }


def staff_name(user) -> str:
    """Return how the check-in screen names a staff member: first name, else login."""
    if user is None:
        return ""
    return user.first_name or user.get_username()


def offline_list(event: Event, *, with_needs: bool) -> dict:
    """Return what a phone needs to decide scans offline: hashes, never secrets.

    `tickets` maps each ticket's SHA-256 to its attendee and, for a ticket that does not
    admit, the refusal; `people` holds only what the screen shows (name, organisation,
    sessions, no-photo marker, and accessibility needs only `with_needs`); check-ins that
    stand now. A constant number of queries, whatever the size of the event.
    """
    attendees = people(event)
    by_id = {a.pk: a for a in attendees}
    lines = programme_lines(event, attendees)
    tickets = {}
    for ticket in Ticket.objects.filter(event=event).only(
        "secret_hash", "attendee_id", "void_reason"
    ):
        attendee = by_id.get(ticket.attendee_id)
        refusal = decisions.refusal_for_ticket(ticket, attendee) if attendee else "unknown"
        tickets[ticket.secret_hash] = [ticket.attendee_id, refusal]
    stands = active_check_ins(event, by_id)
    rows = []
    for attendee in attendees:
        row = {
            "id": attendee.pk,
            "name": attendee.full_name,
            "organisation": attendee.organisation,
            "sessions": lines.get(attendee.pk, []),
            "no_photos": not attendee.photo_consent,
            "refused": decisions.refusal_for_attendee(attendee),
        }
        if with_needs and attendee.accessibility_needs:
            row["needs"] = attendee.accessibility_needs
        rows.append(row)
    return {
        "tickets": tickets,
        "people": rows,
        "check_ins": [
            {
                "attendee": c.attendee_id,
                "session": c.session_id,
                "at": c.at.isoformat(),
                "by": staff_name(c.by),
                "device": c.device,
                "id": c.pk,
            }
            for c in stands.values()
        ],
        "sessions": [
            {"id": s.pk, "title": f"{s.starts:%H:%M} {s.t.title}"}
            for s in Session.objects.filter(round__event=event).select_related("round")
        ],
        "counts": counts(event).as_json(),
        "at": timezone.now().isoformat(),
    }


def conflicts(event: Event) -> QuerySet[Scan]:
    """Return the scans the owner should look at: the same person checked in on two devices
    while offline, and offline check-ins the server refused (a ticket cancelled meanwhile)."""
    return (
        Scan.objects.filter(event=event)
        .filter(Q(outcome="conflict") | Q(offline=True, outcome="refused"))
        .select_related("attendee", "by", "check_in__by", "session")
        .order_by("-recorded", "-pk")
    )


# The day's lists ---------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    name: str
    organisation: str
    checked_in: bool = False


def _sort_key(attendee: Attendee):
    return (
        (attendee.family_name or attendee.given_name).casefold(),
        attendee.given_name.casefold(),
    )


def door_list(event: Event) -> list[ListRow]:
    """Return the expected attendees alphabetically (by last name), with their check-in."""
    attendees = sorted(expected(event), key=_sort_key)
    checked = set(checked_in_attendee_ids(event).filter(session__isnull=True))
    return [ListRow(_door_name(a), a.organisation, a.pk in checked) for a in attendees]


def _door_name(attendee: Attendee) -> str:
    if attendee.family_name:
        return f"{attendee.family_name}, {attendee.given_name}"
    return attendee.given_name


def session_lists(event: Event, *, sessions) -> list[tuple[Session, list[ListRow]]]:
    """Return each of `sessions` with the attendees the published run placed there."""
    sessions = list(sessions)
    run = matching_queries.published_run(event)
    placed = (
        matching_queries.session_lists(run, session_ids=[s.pk for s in sessions]) if run else {}
    )
    checked = set(
        CheckIn.objects.filter(event=event, undone__isnull=True, session__in=sessions).values_list(
            "attendee_id", "session_id"
        )
    )
    return [
        (
            session,
            [
                ListRow(a.full_name, a.organisation, (a.pk, session.pk) in checked)
                for a in sorted(placed.get(session.pk, []), key=_sort_key)
            ],
        )
        for session in sessions
    ]


def participant_list(event: Event) -> list[ListRow]:
    """Return the confirmed attendees who opted in to the attendee list, alphabetically."""
    attendees = expected(event).filter(attendee_list_consent=True)
    return [ListRow(a.full_name, a.organisation) for a in sorted(attendees, key=_sort_key)]


@dataclass
class CatererList:
    expected: int
    checked_in: int
    wishes: list[tuple[str, int]]  # (wish as most people wrote it, how many)
    without_wishes: int
    names: list[tuple[str, str]]  # (first name and initial, wish): only with consent


def caterer_list(event: Event) -> CatererList:
    """Return the caterer's figures: counts per dietary wish, and names only with consent.

    A wish is counted under its text with case and spaces evened out. A name is shown
    (first name and the initial of the last name, no contact details) only for an attendee
    who said the caterer may see it.
    """
    attendees = list(
        expected(event)
        .only("pk", "given_name", "family_name", "dietary_wishes")
        .prefetch_related(Prefetch("day_choices", queryset=DayChoices.objects.all()))
    )
    kinds: Counter = Counter()
    spelled: dict[str, Counter] = defaultdict(Counter)
    names = []
    without = 0
    for attendee in attendees:
        wish = " ".join(attendee.dietary_wishes.split())
        if not wish:
            without += 1
            continue
        key = wish.casefold()
        kinds[key] += 1
        spelled[key][wish] += 1
        choices = getattr(attendee, "day_choices", None)
        if choices is not None and choices.name_for_caterer:
            initial = f" {attendee.family_name[:1]}." if attendee.family_name else ""
            names.append((f"{attendee.given_name}{initial}", wish))
    wishes = sorted(
        ((_usual_spelling(spelled[key]), count) for key, count in kinds.items()),
        key=lambda item: (-item[1], item[0].casefold()),
    )
    checked = len(set(checked_in_attendee_ids(event).filter(session__isnull=True)))
    return CatererList(
        expected=len(attendees),
        checked_in=checked,
        wishes=wishes,
        without_wishes=without,
        names=sorted(names, key=lambda n: n[0].casefold()),
    )


def _usual_spelling(spellings: Counter) -> str:
    # The spelling most people used; on a tie the same one every time.
    return min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]


# Certificates ------------------------------------------------------------------------


def certificates_of(registration: Registration) -> list[Certificate]:
    return list(
        Certificate.objects.filter(attendee__registration=registration).order_by("attendee__order")
    )


def certificate_by_code(code: str) -> Certificate | None:
    if not code:
        return None
    return Certificate.objects.select_related("event__organiser").filter(code=code).first()
