"""The event and its programme as RFC 5545 calendars that every client reads the same way.

Every file says METHOD:PUBLISH (as the mail's MIME part does), defines the time zone its
times name (a VTIMEZONE for Europe/Amsterdam: without it some clients read 10:00 as UTC),
gives each entry a UID that is stable and unique (per person for a personal file) with a
SEQUENCE that grows with each change, and links to the site by absolute URL. Titles are in
the active language: the caller sets the reader's.
"""

import datetime as dt
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from goedeburen.common.links import absolute_url

from . import queries
from .models import Event

# SEQUENCE of an entry that follows the event's version: seconds since this moment, which
# grow with every change (two in one minute too) and stay within the 32-bit integer that
# clients expect until 2088.
_SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


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


def event_sequence(event: Event) -> int:
    """Return the SEQUENCE of the entries that change with the event (its version)."""
    if event.updated is None:
        return 0
    return max(0, int((event.updated - _SEQUENCE_EPOCH).total_seconds()))


class _Builder:
    def __init__(self, event: Event, *, name: str = ""):
        self.event = event
        self.tz = timezone.get_default_timezone()
        self.calendar = Calendar()
        self.calendar.add("prodid", "-//Goede buren//goedeburen//NL")
        self.calendar.add("version", "2.0")
        self.calendar.add("method", "PUBLISH")
        self.calendar.add("calscale", "GREGORIAN")
        title = event.t.name
        self.calendar.add("x-wr-calname", f"{title}: {name}" if name else title)
        self.calendar.add("x-wr-timezone", settings.TIME_ZONE)
        self.venue = f"{event.venue.name}, {event.venue.address}" if event.venue else ""
        self.url = absolute_url(event.get_absolute_url())
        self.stamp = timezone.now()

    def add(self, uid, summary, start, end, *, location="", description="", sequence=0):
        entry = CalendarEvent()
        entry.add("uid", f"{uid}@{self.event.slug}.goedeburen")
        entry.add("summary", summary)
        entry.add("dtstart", start.astimezone(self.tz))
        entry.add("dtend", end.astimezone(self.tz))
        entry.add("dtstamp", self.stamp)
        entry.add("sequence", sequence)
        if location:
            entry.add("location", location)
        if description:
            entry.add("description", description)
        entry.add("url", self.url)
        self.calendar.add_component(entry)

    def add_event(self, uid: str = "event") -> None:
        event = self.event
        self.add(
            uid,
            event.t.name,
            event.starts_at(),
            event.ends_at(),
            location=self.venue,
            description=event.t.tagline,
            sequence=event_sequence(event),
        )

    def content(self) -> bytes:
        # The VTIMEZONE of every TZID the entries name (Europe/Amsterdam), from tzdata.
        self.calendar.add_missing_timezones()
        return self.calendar.to_ical()


def event_calendar(event: Event) -> bytes:
    """Return an iCalendar file with the event itself: what "add to your calendar" adds."""
    builder = _Builder(event)
    builder.add_event()
    return builder.content()


def programme_calendar(event: Event) -> bytes:
    """Return an iCalendar file with the event and every part of its programme (parallel
    sessions overlap: it is the programme to look at, not someone's own day)."""
    builder = _Builder(event)
    builder.add_event()
    sequence = event_sequence(event)
    for slot in queries.timetable(event):
        builder.add(
            f"{slot.kind_key}-{slot.obj.pk}",
            f"{event.t.name}: {slot.obj.t.title}",
            _aware(event.date, slot.start),
            _aware(event.date, slot.end),
            location=builder.venue,
            description=slot.obj.t.description,
            sequence=sequence,
        )
    return builder.content()


def _aware(date, time):
    return timezone.make_aware(dt.datetime.combine(date, time))


def personal_calendar(
    event: Event, entries: list[CalendarEntry], *, owner: str, name: str = ""
) -> bytes:
    """Return someone's own calendar file: the event and one entry per session they attend.

    `owner` (the registration's code) makes every UID theirs alone: two participants' files
    never share an entry, and a later file of the same person replaces the earlier entries
    (same UID, higher SEQUENCE). Each entry is a (title, room, start, end) with aware
    datetimes, written in the site's time zone, the room as the location within the venue.
    An entry's SEQUENCE is the event's version plus the entry's own: it grows when the
    person moves to another session (the source's) and when the session itself changes
    room, time or title (every change to the programme is a new version of the event).
    """
    version = event_sequence(event)
    builder = _Builder(event, name=name)
    builder.add_event(f"{owner}-event")
    for item in entries:
        location = ", ".join(part for part in (item.room, builder.venue) if part)
        uid = item.uid or f"{item.start.astimezone(dt.UTC):%Y%m%dT%H%M}-{_slug(item.title)}"
        builder.add(
            f"{owner}-{uid}",
            item.title,
            item.start,
            item.end,
            location=location,
            sequence=version + item.sequence,
        )
    return builder.content()


def _slug(text: str) -> str:
    return slugify(text)[:40] or "session"
