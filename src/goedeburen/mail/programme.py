"""Someone's own programme (their sessions with rooms), for mails and calendar files.

The matching app knows who goes where once an assignment run is published; it registers a
source here: `programme.register_source(fn)`, where `fn(registration)` returns a list of
`events.calendar.CalendarEntry` (title, room, start, end) for the registration's attendees.
Until a source is registered, or while it returns nothing, the personal programme is empty:
the mails then say that it will follow, and the calendar file holds the event alone.
"""

from collections.abc import Callable

from django.utils import timezone

from goedeburen.events.calendar import CalendarEntry
from goedeburen.registration.models import Attendee, Registration

Source = Callable[[Registration], list[CalendarEntry]]

_sources: list[Source] = []


def register_source(source: Source) -> None:
    """Add a source of personal programmes (called once, from an app's `ready`)."""
    if source not in _sources:
        _sources.append(source)


def entries_for(
    registration: Registration, *, attendee: Attendee | None = None
) -> list[CalendarEntry]:
    """Return the registration's sessions from every source, in time order; with an
    `attendee`, only theirs (the entries a source gives with that `attendee` id)."""
    entries = [entry for source in _sources for entry in source(registration)]
    if attendee is not None:
        entries = [entry for entry in entries if entry.attendee == attendee.pk]
    return sorted(entries, key=lambda entry: entry.start)


def as_text(entries: list[CalendarEntry]) -> str:
    """Return one line per session: times, title and room, in the site's time zone."""
    return "\n".join(
        f"{timezone.localtime(e.start):%H:%M}–{timezone.localtime(e.end):%H:%M} {e.title}"
        + (f" ({e.room})" if e.room else "")
        for e in entries
    )
