"""Reads of events and programmes that several screens share."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from .models import Event, ProgrammeItem, Project, Round, Session, Speaker


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


def public_event(slug: str) -> Event:
    """Return the published event with this slug, with its venue; raise DoesNotExist otherwise."""
    return Event.objects.public().select_related("venue", "organiser").get(slug=slug)


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
