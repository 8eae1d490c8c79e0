"""A personal programme as an RFC 5545 calendar (Europe/Amsterdam, like the event's)."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from goedeburen.events.calendar import _aware
from goedeburen.events.models import Event


def personal_calendar(event: Event, programmes) -> bytes:
    """Return a calendar with the event and each attendee's sessions.

    `programmes`: (attendee, [ProgrammeLine]) pairs, as `queries.personal_programmes` gives.
    """
    tz = timezone.get_default_timezone()
    calendar = Calendar()
    calendar.add("prodid", "-//Goede buren//goedeburen//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", event.name_nl)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    location = f"{event.venue.name}, {event.venue.address}" if event.venue else ""

    def add(uid, summary, start, end, where=""):
        entry = CalendarEvent()
        entry.add("uid", f"{uid}@{event.slug}.goedeburen")
        entry.add("summary", summary)
        entry.add("dtstart", start.astimezone(tz))
        entry.add("dtend", end.astimezone(tz))
        entry.add("dtstamp", timezone.now())
        if where or location:
            entry.add("location", ", ".join(part for part in (where, location) if part))
        calendar.add_component(entry)

    add("event", event.name_nl, event.starts_at(), event.ends_at())
    several = len(programmes) > 1
    for attendee, lines in programmes:
        for line in lines:
            session = line.session
            title = session.t.title
            summary = f"{attendee.full_name}: {title}" if several else title
            add(
                f"session-{session.pk}-attendee-{attendee.pk}",
                summary,
                _aware(event.date, session.starts),
                _aware(event.date, session.ends),
                session.room.name if session.room else "",
            )
    return calendar.to_ical()
