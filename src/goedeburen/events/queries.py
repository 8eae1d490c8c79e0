"""Reads of events and programmes that several screens share."""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch

from goedeburen.common import prepared

from .models import (
    PUBLIC_STATUSES,
    Event,
    Partner,
    ProgrammeItem,
    Project,
    Round,
    Session,
    Speaker,
)


@dataclass(frozen=True)
class Slot:
    """One line of the timetable: a programme item or a round of parallel sessions."""

    start: dt.time
    end: dt.time
    obj: ProgrammeItem | Round

    @property
    def kind_key(self) -> str:
        return "round" if isinstance(self.obj, Round) else "item"

    @property
    def is_round(self) -> bool:
        return isinstance(self.obj, Round)


@dataclass(frozen=True, kw_only=True)
class PartCounts:
    """How many of each part of its programme and people an event has."""

    partners: int
    items: int
    rounds: int
    sessions: int
    speakers: int
    projects: int


def _part_counts_sql() -> str:
    counts = [
        f"(SELECT COUNT(*) FROM {model._meta.db_table} WHERE event_id = %s)"  # noqa: S608 - table names from the models only
        for model in (Partner, ProgrammeItem, Round)
    ]
    counts.append(
        f"(SELECT COUNT(*) FROM {Session._meta.db_table} s JOIN {Round._meta.db_table} r "  # noqa: S608 - table names from the models only
        "ON r.id = s.round_id WHERE r.event_id = %s)"
    )
    counts += [
        f"(SELECT COUNT(*) FROM {model._meta.db_table} WHERE event_id = %s)"  # noqa: S608 - table names from the models only
        for model in (Speaker, Project)
    ]
    return "SELECT " + ", ".join(counts)


# Written out rather than six ORM counts: the event's first screen asks on every view, and
# building six queries cost more than running one (2 ms of CPU).
_PART_COUNTS_SQL = _part_counts_sql()


def part_counts(event: Event) -> PartCounts:
    """Return how many partners, programme items, rounds, sessions, speakers and projects
    the event has, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_PART_COUNTS_SQL, [event.pk] * 6)
        row = cursor.fetchone()
    return PartCounts(**dict(zip(PartCounts.__dataclass_fields__, row, strict=True)))


def timetable(event: Event) -> list[Slot]:
    """Return the event's programme items and rounds in time order, with everything shown."""
    # People and projects link to their own pages, which need the event's slug.
    people = Prefetch("speakers", queryset=Speaker.objects.select_related("event"))
    hosts = Prefetch("hosts", queryset=Speaker.objects.select_related("event"))
    projects = Prefetch("projects", queryset=Project.objects.select_related("event"))
    items = (
        ProgrammeItem.objects.filter(event=event)
        .select_related("room")
        .prefetch_related(people, projects)
    )
    sessions = Session.objects.select_related("room").prefetch_related(hosts, projects)
    rounds = Round.objects.filter(event=event).prefetch_related(
        Prefetch("sessions", queryset=sessions)
    )
    slots = [Slot(item.start, item.end, item) for item in items]
    slots += [Slot(round_.start, round_.end, round_) for round_ in rounds]
    return sorted(slots, key=lambda slot: (slot.start, slot.end, slot.kind_key))


# Written out rather than built with the ORM: it runs on every public page view, and building
# the query costs five times what running it does (0.45 against 0.08 ms of CPU).
_VERSION_SQL = "SELECT updated FROM events_event WHERE slug = %s AND status IN ({})".format(  # noqa: S608 - only placeholders are formatted in
    ", ".join(["%s"] * len(PUBLIC_STATUSES))
)


def public_event_version(slug: str) -> str | None:
    """Return a token that changes whenever the published event with this slug changes.

    None when there is no such published event. One narrow query, for keying cached pages:
    a cache hit needs nothing else, and `public_event` costs several times as much.
    """
    with connection.cursor() as cursor:
        prepared.execute(cursor, _VERSION_SQL, [slug, *PUBLIC_STATUSES])
        row = cursor.fetchone()
    return None if row is None else row[0].isoformat()


def public_event(slug: str) -> Event:
    """Return the published event with this slug, with its venue; raise DoesNotExist otherwise."""
    return Event.objects.public().select_related("venue", "organiser").get(slug=slug)


# The last few events each process read, by slug and version: a hit unpickles nothing.
_EVENTS: dict[tuple[str, str], Event] = {}
_EVENTS_KEPT = 32


def cached_public_event(slug: str) -> Event | None:
    """Return the published event with this slug as `public_event` does, or None; in one
    narrow query (its version), the event itself from memory or the cache.

    For the pages that cannot be cached whole (the registration form's POST, its
    confirmation page) but need the event on every request.
    """
    version = public_event_version(slug)
    if version is None:
        return None
    key = (slug, version)
    event = _EVENTS.get(key)
    if event is not None:
        return event
    cache_key = f"event:{slug}:{version}"
    event = cache.get(cache_key)
    if event is None:
        # With its partners: every page's footer names them (their changes move the version).
        event = Event.objects.public().select_related("venue", "organiser")
        event = event.prefetch_related("partners").filter(slug=slug).first()
        if event is None:
            return None
        cache.set(cache_key, event, 3600)
    if len(_EVENTS) >= _EVENTS_KEPT:
        _EVENTS.pop(next(iter(_EVENTS)))
    _EVENTS[key] = event
    return event


def forget_cached_events() -> None:
    """Forget what this process keeps of `cached_public_event` (for tests)."""
    _EVENTS.clear()


def speakers(event: Event):
    """Return the event's speakers with the programme parts they appear in."""
    return event.speakers.select_related("event").prefetch_related("items", "sessions__round")


def speaker(event: Event, slug: str):
    return speakers(event).get(slug=slug)


def projects(event: Event):
    """Return the event's projects with the sessions and films they appear in."""
    return event.projects.select_related("event").prefetch_related(
        "items", "sessions__round", "sessions__room"
    )


def project(event: Event, slug: str):
    return projects(event).get(slug=slug)
