"""The calendar files as three independent clients read them: icalendar and vobject in
strict mode, and Mozilla's ical.js (Thunderbird's parser) in Node. All three must find the
same entries at the same moments in UTC; UIDs are unique over all participants and stable
for each; METHOD matches the mail's MIME part; titles are in the booker's language."""

import datetime as dt
import json
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from goedeburen.events.calendar import (
    CalendarEntry,
    event_calendar,
    event_sequence,
    programme_calendar,
)
from goedeburen.mail import composing, placeholders, programme, services
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NODE_TOOLS = Path(__file__).resolve().parents[1] / "js"


def _icalendar(content: bytes) -> tuple[str, list[tuple]]:
    calendar = Calendar.from_ical(content)
    problems = [(c.name, c.errors) for c in calendar.walk() if c.errors]
    assert problems == [], problems
    assert {c.name for c in calendar.walk("VTIMEZONE")} == {"VTIMEZONE"}
    return str(calendar["method"]), [
        (
            str(e["uid"]),
            int(e["sequence"]),
            str(e["summary"]),
            str(e["url"]),
            e.decoded("dtstart").astimezone(dt.UTC),
            e.decoded("dtend").astimezone(dt.UTC),
        )
        for e in calendar.walk("VEVENT")
    ]


def _vobject(content: bytes) -> tuple[str, list[tuple]]:
    calendar = vobject.readOne(content.decode(), validate=True)  # raises on a bad file
    return calendar.method.value, [
        (
            e.uid.value,
            int(e.sequence.value),
            e.summary.value,
            e.url.value,
            e.dtstart.value.astimezone(dt.UTC),
            e.dtend.value.astimezone(dt.UTC),
        )
        for e in calendar.vevent_list
    ]


def _ical_js(content: bytes) -> tuple[str, list[tuple]]:
    assert (NODE_TOOLS / "node_modules" / "ical.js").is_dir(), "run `make install` (npm ci)"
    done = subprocess.run(
        ["node", "ical-events.mjs"],
        cwd=NODE_TOOLS,
        input=content,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    found = json.loads(done.stdout)

    def utc(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))

    return found["method"], [
        (e["uid"], e["sequence"], e["summary"], e["url"], utc(e["start"]), utc(e["end"]))
        for e in found["events"]
    ]


def read_everywhere(content: bytes) -> list[tuple]:
    """Return the file's entries as all three parsers agree on them (or fail)."""
    first, second, third = _icalendar(content), _vobject(content), _ical_js(content)
    assert first == second == third
    method, entries = first
    assert method == "PUBLISH"
    return entries


@pytest.fixture
def sessions(event):
    """A matching-like source: two sessions per registration, one given in UTC."""

    def source(registration):
        if registration is None:
            return []
        day = event.date
        return [
            CalendarEntry(
                "Werksessie Utrecht",
                "Zaal 2",
                dt.datetime.combine(day, dt.time(13, 30), tzinfo=AMSTERDAM),
                dt.datetime.combine(day, dt.time(14, 30), tzinfo=AMSTERDAM),
                uid=f"attendee-{registration.attendees.first().pk}-round-1",
                sequence=2,
            ),
            CalendarEntry(
                "Huiskamergesprek",
                "Huiskamer",
                dt.datetime.combine(day, dt.time(10, 0), tzinfo=AMSTERDAM).astimezone(dt.UTC),
                dt.datetime.combine(day, dt.time(11, 0), tzinfo=AMSTERDAM).astimezone(dt.UTC),
            ),
        ]

    programme.register_source(source)
    yield source
    programme._sources.remove(source)


def _utc(day, hour, minute=0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMSTERDAM).astimezone(dt.UTC)


def test_the_event_file_reads_the_same_in_three_clients_at_the_right_utc_time(event):
    [(uid, _, summary, url, start, end)] = read_everywhere(event_calendar(event))

    assert (start, end) == (_utc(event.date, 10), _utc(event.date, 16, 30))
    assert start.hour == 9  # 10:00 in Amsterdam in March is 09:00 UTC, not 10:00Z
    assert summary == event.name_nl
    assert url.startswith("http") and url.endswith(f"/{event.slug}/")
    assert uid == f"event@{event.slug}.goedeburen"


def test_the_programme_file_reads_the_same_in_three_clients(demo_event):
    entries = read_everywhere(programme_calendar(demo_event))

    assert len(entries) == 1 + demo_event.items.count() + demo_event.rounds.count()
    assert len({uid for uid, *_ in entries}) == len(entries)


def test_the_personal_file_holds_the_event_and_own_sessions_only(client, register, event, sessions):
    registration = register()
    token = placeholders.participant_token(registration)

    content = client.get(f"/{event.slug}/participant/{token}/calendar.ics").content
    entries = read_everywhere(content)

    assert [(summary, start) for _, _, summary, _, start, _ in entries] == [
        (event.name_nl, _utc(event.date, 10)),
        ("Huiskamergesprek", _utc(event.date, 10)),
        ("Werksessie Utrecht", _utc(event.date, 13, 30)),
    ]
    # The source's, on top of the event's version.
    assert [sequence for _, sequence, *_ in entries][2] == event_sequence(event) + 2


def test_uids_are_unique_over_all_participants_and_stable_for_each(
    client, register, event, sessions
):
    uids = []
    for number in range(3):
        registration = register(email=f"deelnemer{number}@example.org")
        token = placeholders.participant_token(registration)
        url = f"/{event.slug}/participant/{token}/calendar.ics"
        first = [uid for uid, *_ in read_everywhere(client.get(url).content)]
        again = [uid for uid, *_ in read_everywhere(client.get(url).content)]
        assert first == again
        uids.extend(first)

    assert len(uids) == 9
    assert len(set(uids)) == len(uids)


def test_the_attachment_says_publish_like_its_mime_part_in_the_bookers_language(
    smtp, register, event
):
    register(language="en")

    services.deliver(OutgoingMail.objects.get(kind=MailKind.CONFIRMATION))

    [attachment] = [
        a for a in smtp.messages[0].iter_attachments() if a.get_content_type() == "text/calendar"
    ]
    assert attachment.get_param("method") == "PUBLISH"
    [(uid, _, summary, url, start, _)] = read_everywhere(attachment.get_content().encode())
    assert summary == event.name_en
    assert start == _utc(event.date, 10)


def test_add_to_calendar_gives_the_event_alone_in_the_readers_language(client, event):
    nl = read_everywhere(client.get(f"/{event.slug}/event.ics").content)
    en = read_everywhere(client.get(f"/en/{event.slug}/event.ics").content)

    assert [summary for _, _, summary, *_ in nl] == [event.name_nl]
    assert [summary for _, _, summary, *_ in en] == [event.name_en]


# What the mail app stores now, and what it stored before.
@pytest.mark.parametrize(
    "stored", [composing.ICS, "text/calendar; charset=utf-8; method=PUBLISH"], ids=["now", "before"]
)
def test_the_attachment_names_its_charset_and_method_once(smtp, event, stored):
    mail = services.queue_mail(
        event,
        kind=MailKind.TEST,
        recipient="bea@example.org",
        language="nl",
        subject="Agenda",
        body_text="Zie bijlage.\n",
        attachments=[composing.Attachment("agenda.ics", event_calendar(event), stored)],
    )

    services.deliver(mail)

    [attachment] = smtp.messages[0].iter_attachments()
    # As it was written (the parsed header would hide a parameter given twice).
    head = attachment.as_string().split("\n\n", 1)[0].replace("\n ", " ")
    [header] = [line for line in head.splitlines() if line.startswith("Content-Type:")]
    assert (header.count("charset="), header.count("method=")) == (1, 1)
    assert (attachment.get_content_charset(), attachment.get_param("method")) == (
        "utf-8",
        "PUBLISH",
    )
