"""The event and its programme as an RFC 5545 calendar."""

import datetime as dt
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from . import queries
from .models import Event


def event_calendar(event: Event, *, site_url: str = "") -> bytes:
    """Return an iCalendar file with the event itself and every part of its programme."""
    tz = timezone.get_default_timezone()
    calendar = Calendar()
    calendar.add("prodid", "-//Goede buren//goedeburen//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", event.name_nl)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    location = f"{event.venue.name}, {event.venue.address}" if event.venue else ""

    def add(uid: str, summary: str, start: dt.datetime, end: dt.datetime, description=""):
        entry = CalendarEvent()
        entry.add("uid", f"{uid}@{event.slug}.goedeburen")
        entry.add("summary", summary)
        entry.add("dtstart", start.astimezone(tz))
        entry.add("dtend", end.astimezone(tz))
        entry.add("dtstamp", event.updated or timezone.now())
        if location:
            entry.add("location", location)
        if description:
            entry.add("description", description)
        if site_url:
            entry.add("url", site_url)
        calendar.add_component(entry)

    add("event", event.name_nl, event.starts_at(), event.ends_at(), event.tagline_nl)
    for slot in queries.timetable(event):
        add(
            f"{slot.kind_key}-{slot.obj.pk}",
            f"{event.name_nl}: {slot.obj.title_nl}",
            _aware(event.date, slot.start),
            _aware(event.date, slot.end),
        )
    return calendar.to_ical()


def _aware(date, time):
    return timezone.make_aware(dt.datetime.combine(date, time))


class CalendarEntry(NamedTuple):
    """One part of someone's own programme: a session with its room and times.

    `uid` (optional) names the entry for good, so that a later calendar file with the same
    uid and a higher `sequence` replaces it in the person's calendar (RFC 5545 3.8.7.4).
    """

    title: str
    room: str
    start: dt.datetime
    end: dt.datetime
    uid: str = ""
    sequence: int = 0


def personal_calendar(event: Event, entries: list[CalendarEntry], *, name: str = "") -> bytes:
    """Return an iCalendar file with the event and one entry per session of `entries`.

    Each entry is a (title, room, start, end) with aware datetimes; the times are written in
    the site's time zone (Europe/Amsterdam), the room as the location within the venue.
    """
    tz = timezone.get_default_timezone()
    calendar = Calendar()
    calendar.add("prodid", "-//Goede buren//goedeburen//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{event.name_nl}: {name}" if name else event.name_nl)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    venue = f"{event.venue.name}, {event.venue.address}" if event.venue else ""
    stamp = timezone.now()

    def add(uid: str, summary: str, start, end, location: str, sequence: int = 0) -> None:
        entry = CalendarEvent()
        entry.add("uid", f"{uid}@{event.slug}.goedeburen")
        entry.add("summary", summary)
        entry.add("dtstart", start.astimezone(tz))
        entry.add("dtend", end.astimezone(tz))
        entry.add("dtstamp", stamp)
        if sequence:
            entry.add("sequence", sequence)
        if location:
            entry.add("location", location)
        calendar.add_component(entry)

    add("event", event.name_nl, event.starts_at(), event.ends_at(), venue)
    for number, item in enumerate(entries, start=1):
        location = ", ".join(part for part in (item.room, venue) if part)
        uid = item.uid or f"personal-{number}-{item.start:%H%M}"
        add(uid, item.title, item.start, item.end, location, item.sequence)
    return calendar.to_ical()
