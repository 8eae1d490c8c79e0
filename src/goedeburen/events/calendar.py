"""The event and its programme as RFC 5545 calendars that every client reads the same way.

Every file says METHOD:PUBLISH (as the mail's MIME part does), defines the time zone its
times name (a VTIMEZONE for Europe/Amsterdam: without it some clients read 10:00 as UTC),
gives each entry a UID that is stable and unique (per person for a personal file) with a
SEQUENCE that grows with each change, names the mails' sender as ORGANIZER (RFC 5546 asks
for one) and links to the site by absolute URL. Titles are in the active language: the
caller sets the reader's.

What a person no longer attends leaves their calendar through a METHOD:CANCEL file
(`cancellation_calendar`, RFC 5546 3.2.5): the UIDs sent before, STATUS:CANCELLED and a
SEQUENCE above any sent before, from the same ORGANIZER to the person as ATTENDEE (Outlook
and Google apply a CANCEL only from the organizer they know, to an attendee it names).
`withdrawn_entries` finds those UIDs in the files sent before. A move to another session
needs no CANCEL: a personal entry's UID is per attendee and round, whichever session, so
the next file (same UID, higher SEQUENCE) replaces it in every client; a UID per session
would leave the old session behind in clients that never see a CANCEL for it.
"""

import datetime as dt
from email.utils import parseaddr
from typing import NamedTuple

from django.conf import settings
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.text import slugify
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as CalendarEvent

from goedeburen.common.links import absolute_url

from . import queries
from .models import Event

# SEQUENCE of an entry that follows the event's version: at least the seconds since this
# moment (what files said before the counter, and a floor that a new event starts from),
# which stay within the 32-bit integer that clients expect until 2088.
_SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


class CalendarEntry(NamedTuple):
    """One part of someone's own programme: a session with its room and times.

    `uid` (optional) names the entry for good, so that a later calendar file with the same
    uid and a higher `sequence` replaces it in the person's calendar (RFC 5545 3.8.7.4).
    `attendee` (optional) is the id of the attendee whose session it is, so that one
    attendee's own file can leave out the sessions of the others of the registration.
    """

    title: str
    room: str
    start: dt.datetime
    end: dt.datetime
    uid: str = ""
    sequence: int = 0
    attendee: int = 0


class SentEntry(NamedTuple):
    """One entry of a calendar file as it was sent: enough to cancel it later.

    `offset` is its SEQUENCE above the file's event version (a personal file's event entry
    has the version itself): what the entry's own changes (moves) added.
    """

    uid: str
    sequence: int
    summary: str
    start: dt.datetime
    end: dt.datetime
    location: str
    cancelled: bool
    offset: int = 0


def _seconds(moment: dt.datetime | None) -> int:
    if moment is None:
        return 0
    return max(0, int((moment - _SEQUENCE_EPOCH).total_seconds()))


def event_sequence(event: Event) -> int:
    """Return the SEQUENCE of the entries that change with the event (its version).

    `Event.calendar_sequence` grows by one with every change to the event or its programme
    (`next_sequence`), also with two in one second; `updated` in seconds is the floor, so
    the SEQUENCE never falls below what files said before the counter (or after a save that
    moved only `updated`).
    """
    return max(event.calendar_sequence, _seconds(event.updated))


def next_sequence(now: dt.datetime):
    """Return the expression that moves `Event.calendar_sequence` on at `now`, for an UPDATE.

    One more than before, and above the seconds of `now`: `updated` (set to `now` in the
    same UPDATE) then stays below it, so the new version is above every one before, and
    the counter is one statement, so two changes at once each get their own.
    """
    return Greatest(F("calendar_sequence") + 1, Value(_seconds(now) + 1))


class _Builder:
    def __init__(self, event: Event, *, name: str = "", method: str = "PUBLISH"):
        self.event = event
        self.tz = timezone.get_default_timezone()
        self.calendar = Calendar()
        self.calendar.add("prodid", "-//Goede buren//goedeburen//NL")
        self.calendar.add("version", "2.0")
        self.calendar.add("method", method)
        self.calendar.add("calscale", "GREGORIAN")
        title = event.t.name
        # The calendar's name as RFC 7986 NAME and the X-WR-CALNAME that older clients
        # read. icalendar types an X- property as raw (vUnknown) and writes it unescaped,
        # so these are given as vText: a comma, semicolon, backslash or line break in the
        # name is escaped as in any TEXT (RFC 5545 3.3.11) instead of breaking the file.
        calendar_name = vText(f"{title}: {name}" if name else title)
        self.calendar.add("name", calendar_name)
        self.calendar.add("x-wr-calname", calendar_name)
        self.calendar.add("x-wr-timezone", vText(settings.TIME_ZONE))
        self.venue = f"{event.venue.name}, {event.venue.address}" if event.venue else ""
        self.url = absolute_url(event.get_absolute_url())
        self.stamp = timezone.now()

    def add(self, uid, summary, start, end, *, location="", description="", sequence=0):
        self.add_entry(
            f"{uid}@{self.event.slug}.goedeburen",
            summary,
            start,
            end,
            location=location,
            description=description,
            sequence=sequence,
        )

    def add_entry(
        self,
        full_uid,
        summary,
        start,
        end,
        *,
        location="",
        description="",
        sequence=0,
        status="",
        attendee="",
    ):
        entry = CalendarEvent()
        entry.add("uid", full_uid)
        entry.add("summary", summary)
        entry.add("dtstart", start.astimezone(self.tz))
        entry.add("dtend", end.astimezone(self.tz))
        entry.add("dtstamp", self.stamp)
        entry.add("sequence", sequence)
        entry.add("organizer", _organizer())
        if attendee:
            entry.add("attendee", vCalAddress(f"mailto:{attendee}"))
        if status:
            entry.add("status", status)
        if location:
            entry.add("location", location)
        if description:
            entry.add("description", description)
        entry.add("url", self.url)
        self.calendar.add_component(entry)

    def location(self, room: str) -> str:
        """Return the LOCATION of an entry in `room` ("" for none): the room within the venue."""
        return ", ".join(part for part in (room, self.venue) if part)

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
    sessions overlap: it is the programme to look at, not someone's own day).

    The rooms are as public as on the programme page: an item's LOCATION is its room within
    the venue; a round's sessions are in several rooms, so its LOCATION is the venue and
    its DESCRIPTION names each session with its room.
    """
    builder = _Builder(event)
    builder.add_event()
    sequence = event_sequence(event)
    for slot in queries.timetable(event):
        room = None if slot.is_round else slot.obj.room
        description = slot.obj.t.description
        if slot.is_round:
            sessions = "\n".join(
                session.t.title + (f" ({session.room.name})" if session.room else "")
                for session in slot.obj.sessions.all()
            )
            description = "\n\n".join(part for part in (description, sessions) if part)
        builder.add(
            f"{slot.kind_key}-{slot.obj.pk}",
            f"{event.t.name}: {slot.obj.t.title}",
            _aware(event.date, slot.start),
            _aware(event.date, slot.end),
            location=builder.location(room.name if room else ""),
            description=description,
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
        location = builder.location(item.room)
        builder.add(
            f"{owner}-{_entry_uid(item)}",
            item.title,
            item.start,
            item.end,
            location=location,
            sequence=version + item.sequence,
        )
    return builder.content()


def _entry_uid(item: CalendarEntry) -> str:
    return item.uid or f"{item.start.astimezone(dt.UTC):%Y%m%dT%H%M}-{_slug(item.title)}"


def _slug(text: str) -> str:
    return slugify(text)[:40] or "session"


def _organizer() -> vCalAddress:
    # The mails' sender: a client applies a CANCEL (and links an update) only when it comes
    # from the organizer of the entry it has, so every file names the same one.
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or settings.DEFAULT_FROM_EMAIL}")
    if name:
        organizer.params["cn"] = name
    return organizer


def read_entries(content: bytes) -> list[SentEntry]:
    """Return the entries of a calendar file this module wrote (for `withdrawn_entries`).

    A file with METHOD:CANCEL gives its entries as cancelled. A file that cannot be read
    gives none: it is history, and a broken one must not stop a mail.
    """
    try:
        calendar = Calendar.from_ical(bytes(content))
    except ValueError:
        return []
    cancelled = str(calendar.get("method", "")).upper() == "CANCEL"
    found = []
    for entry in calendar.walk("VEVENT"):
        try:
            found.append(
                SentEntry(
                    uid=str(entry["uid"]),
                    sequence=int(entry.get("sequence", 0)),
                    summary=str(entry.get("summary", "")),
                    start=entry.decoded("dtstart"),
                    end=entry.decoded("dtend"),
                    location=str(entry.get("location", "")),
                    cancelled=cancelled or str(entry.get("status", "")).upper() == "CANCELLED",
                )
            )
        except (KeyError, ValueError):
            continue
    # The file's event version: its lowest SEQUENCE (a personal file's event entry has the
    # version, every session the version plus its own moves).
    version = min((e.sequence for e in found), default=0)
    return [e._replace(offset=e.sequence - version) for e in found]


def withdrawn_entries(files: list[bytes], *, keep: set[str], version: int) -> list[SentEntry]:
    """Return the entries the `files` sent before gave that are not cancelled yet and whose
    UID is not in `keep` (what the person's calendar should hold now), with the SEQUENCE a
    CANCEL of each needs.

    Per UID the entry with the highest SEQUENCE tells its state (a CANCEL sent after it
    leaves nothing to do). The SEQUENCE is above every one sent, and above what a file built
    now would give (`version`, the event's version now, plus the entry's own moves): the
    participant's download may be newer than the last mail.
    """
    by_uid: dict[str, list[SentEntry]] = {}
    for content in files:
        for entry in read_entries(content):
            by_uid.setdefault(entry.uid, []).append(entry)
    withdrawn = []
    for uid, entries in by_uid.items():
        latest = max(entries, key=lambda e: (e.sequence, e.cancelled))
        if uid in keep or latest.cancelled:
            continue
        sequence = max(latest.sequence, version + max(e.offset for e in entries)) + 1
        withdrawn.append(latest._replace(sequence=sequence, cancelled=True))
    return sorted(withdrawn, key=lambda e: (e.start, e.uid))


def personal_uids(event: Event, entries: list[CalendarEntry], *, owner: str) -> set[str]:
    """Return the UIDs of `personal_calendar(event, entries, owner=owner)`."""
    return {
        f"{uid}@{event.slug}.goedeburen"
        for uid in [f"{owner}-event", *(f"{owner}-{_entry_uid(item)}" for item in entries)]
    }


def cancellation_calendar(event: Event, entries: list[SentEntry], *, attendee: str) -> bytes:
    """Return a METHOD:CANCEL file that takes `entries` (from `withdrawn_entries`) out of
    the calendar of `attendee` (an e-mail address): same UIDs, STATUS:CANCELLED, their new
    SEQUENCE, times and titles as sent (what a client shows beside "cancelled")."""
    builder = _Builder(event, method="CANCEL")
    for entry in entries:
        builder.add_entry(
            entry.uid,
            entry.summary,
            entry.start,
            entry.end,
            location=entry.location,
            sequence=entry.sequence,
            status="CANCELLED",
            attendee=attendee,
        )
    return builder.content()
