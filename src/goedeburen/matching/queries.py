"""Reads of rankings, rules and runs that several screens and services share."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from goedeburen.events.calendar import CalendarEntry
from goedeburen.events.models import Event, Round, Session, SessionKind
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Registration

from .models import AssignmentRun, MatchingSettings, Pin, Placement, Ranking


def matching_settings(event: Event) -> MatchingSettings:
    """Return the event's assignment rules, or the defaults when it has none."""
    found = MatchingSettings.objects.filter(event=event).first()
    return found or MatchingSettings(event=event)


def ranking_deadline(event: Event) -> dt.datetime:
    """Return until when participants may rank sessions (the event's start by default)."""
    return matching_settings(event).ranking_deadline or event.starts_at()


def rounds(event: Event) -> list[Round]:
    """Return the event's rounds with their sessions (and rooms), in programme order."""
    sessions = Session.objects.select_related("room").order_by("order", "pk")
    return list(
        Round.objects.filter(event=event).prefetch_related(Prefetch("sessions", queryset=sessions))
    )


def is_mix_session(session: Session) -> bool:
    """Return whether the mix rules apply: living-room conversations are mixed on purpose."""
    return session.kind == SessionKind.LIVING_ROOM


def topic_of(session: Session) -> str:
    """Return the session's topic: sessions of the same title in several rounds are one."""
    return " ".join(session.title_nl.split()).casefold()


def participants(event: Event) -> QuerySet[Attendee]:
    """Return the attendees who are placed: those of the event's confirmed registrations."""
    return (
        Attendee.objects.filter(
            registration__event=event, registration__status=RegistrationStatus.CONFIRMED
        )
        .select_related("registration")
        .order_by("registration__created", "registration_id", "order", "pk")
    )


def participant_rounds(event: Event) -> int:
    """Return how many placements a run makes: each participant in each round with sessions."""
    rounds = Round.objects.filter(event=event, sessions__isnull=False).distinct().count()
    return participants(event).count() * rounds


def rankings_by_attendee(attendee_ids) -> dict[int, dict[int, list[int]]]:
    """Return attendee id → round id → session ids, best first."""
    result: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        Ranking.objects.filter(attendee_id__in=attendee_ids)
        .order_by("attendee_id", "session__round_id", "rank")
        .values_list("attendee_id", "session__round_id", "session_id")
    )
    for attendee_id, round_id, session_id in rows:
        result[attendee_id][round_id].append(session_id)
    return result


def pins_by_attendee(attendee_ids) -> dict[int, dict[int, int]]:
    """Return attendee id → round id → pinned session id."""
    result: dict[int, dict[int, int]] = defaultdict(dict)
    for pin in Pin.objects.filter(attendee_id__in=attendee_ids):
        result[pin.attendee_id][pin.round_id] = pin.session_id
    return result


def published_run(event: Event) -> AssignmentRun | None:
    return AssignmentRun.objects.filter(event=event, is_published=True).first()


RULE_KEYS = ("capacity", "mix", "spread", "topic", "fixed", "unplaced")


def rule_breaks(run: AssignmentRun) -> dict[str, int]:
    """Return rule → how many breaks the run's placement has now (only rules it breaks)."""
    check = (run.stats or {}).get("rule_check", {})
    return {key: check[key] for key in RULE_KEYS if check.get(key)}


def runs(event: Event) -> QuerySet[AssignmentRun]:
    return AssignmentRun.objects.filter(event=event).select_related("created_by")


@dataclass(frozen=True)
class ProgrammeLine:
    round: Round
    session: Session
    sequence: int = 0  # of the calendar entry (see `Placement.sequence`)


def personal_programmes(event: Event, attendees) -> dict[int, list[ProgrammeLine]]:
    """Return attendee id → their published sessions in time order ({} before publishing)."""
    run = published_run(event)
    if run is None:
        return {}
    placements = (
        Placement.objects.filter(run=run, attendee__in=list(attendees))
        .select_related("round", "session__room", "session__round")
        .order_by("round__start", "round_id")
    )
    result: dict[int, list[ProgrammeLine]] = defaultdict(list)
    for placement in placements:
        result[placement.attendee_id].append(
            ProgrammeLine(placement.round, placement.session, placement.sequence)
        )
    return dict(result)


def programme_entries(registration: Registration | None) -> list[CalendarEntry]:
    """Return the published sessions of a confirmed registration's attendees.

    The source of `mail.programme` (registered in `apps.ready`): it fills the
    `personal_programme` placeholder and the personal calendar file. Titles are in the active
    language; with several attendees each title names whose session it is.
    """
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return []
    event = registration.event
    attendees = list(registration.attendees.all())
    programmes = personal_programmes(event, attendees)
    several = len(programmes) > 1
    return [
        CalendarEntry(
            title=(
                f"{attendee.full_name}: {line.session.t.title}" if several else line.session.t.title
            ),
            room=line.session.room.name if line.session.room else "",
            start=_at(event, line.session.starts),
            end=_at(event, line.session.ends),
            # One entry per attendee and round, whichever session: a move replaces it.
            uid=f"attendee-{attendee.pk}-round-{line.round.pk}",
            sequence=line.sequence,
            attendee=attendee.pk,
        )
        for attendee in attendees
        for line in programmes.get(attendee.pk, [])
    ]


def _at(event: Event, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(event.date, time))


def session_lists(run: AssignmentRun, *, session_ids=None) -> dict[int, list[Attendee]]:
    """Return session id → the attendees a run placed there, by name."""
    placements = Placement.objects.filter(run=run).select_related("attendee")
    if session_ids is not None:
        placements = placements.filter(session_id__in=session_ids)
    result: dict[int, list[Attendee]] = defaultdict(list)
    for placement in placements.order_by("attendee__given_name", "attendee__family_name"):
        result[placement.session_id].append(placement.attendee)
    return dict(result)


def placements_by_session(run: AssignmentRun) -> dict[int, list[Placement]]:
    """Return session id → the run's placements there (attendee loaded), by name."""
    result: dict[int, list[Placement]] = defaultdict(list)
    placements = (
        Placement.objects.filter(run=run)
        .select_related("attendee")
        .order_by("attendee__family_name", "attendee__given_name", "attendee_id")
    )
    for placement in placements:
        result[placement.session_id].append(placement)
    return dict(result)


@dataclass(frozen=True)
class Found:
    attendee: Attendee
    placements: list[Placement]  # in programme order


def find_participants(run: AssignmentRun, *, text: str, limit: int = 50) -> list[Found]:
    """Return the run's participants whose name or organisation holds `text`, by name."""
    words = text.split()
    if not words:
        return []
    placements = Placement.objects.filter(run=run)
    for word in words:
        placements = placements.filter(
            Q(attendee__given_name__icontains=word)
            | Q(attendee__family_name__icontains=word)
            | Q(attendee__organisation__icontains=word)
        )
    ids = list(
        placements.order_by("attendee__family_name", "attendee__given_name", "attendee_id")
        .values_list("attendee_id", flat=True)
        .distinct()[: limit * 4]
    )
    return find_participants_by_id(run, attendee_ids=list(dict.fromkeys(ids))[:limit])


def find_participants_by_id(run: AssignmentRun, *, attendee_ids: list[int]) -> list[Found]:
    """Return these participants of the run with their placements, in the order given."""
    ids = attendee_ids
    rows = (
        Placement.objects.filter(run=run, attendee_id__in=ids)
        .select_related("attendee", "session", "round")
        .order_by("round__start", "round_id")
    )
    by_attendee: dict[int, list[Placement]] = defaultdict(list)
    attendees = {}
    for placement in rows:
        by_attendee[placement.attendee_id].append(placement)
        attendees[placement.attendee_id] = placement.attendee
    return [Found(attendees[pk], by_attendee[pk]) for pk in ids if pk in attendees]


def session_fill(run: AssignmentRun) -> dict[int, int]:
    """Return session id → how many people the run placed there."""
    return dict(
        Placement.objects.filter(run=run)
        .values_list("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )


def session_people_count(run: AssignmentRun) -> int:
    """Return how many people the run places."""
    return Placement.objects.filter(run=run).values("attendee_id").distinct().count()
