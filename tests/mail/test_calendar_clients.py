"""The calendar files as three independent clients read them: icalendar and vobject in
strict mode, and Mozilla's ical.js (Thunderbird's parser) in Node. All three must find the
same entries at the same moments in UTC; UIDs are unique over all participants and stable
for each; METHOD matches the mail's MIME part; titles are in the booker's language. What a
booker's calendar no longer should hold leaves it through a METHOD:CANCEL file with the
UIDs sent before and a higher SEQUENCE."""

import datetime as dt
import json
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.db.models import F
from django.utils import timezone
from icalendar import Calendar
from icalendar.parser import unescape_backslash

from goedeburen.events.calendar import (
    CalendarEntry,
    event_calendar,
    event_sequence,
    personal_calendar,
    programme_calendar,
)
from goedeburen.events.models import Event
from goedeburen.mail import composing, placeholders, programme, services
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.registration.models import Registration

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
            str(e.get("status", "")),
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
            e.status.value if hasattr(e, "status") else "",
        )
        for e in calendar.vevent_list
    ]


def _ical_js_read(content: bytes) -> dict:
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
    return json.loads(done.stdout)


def _ical_js(content: bytes) -> tuple[str, list[tuple]]:
    found = _ical_js_read(content)

    def utc(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))

    return found["method"], [
        (
            e["uid"],
            e["sequence"],
            e["summary"],
            e["url"],
            utc(e["start"]),
            utc(e["end"]),
            e["status"],
        )
        for e in found["events"]
    ]


def read_everywhere(content: bytes, *, method: str = "PUBLISH") -> list[tuple]:
    """Return the file's entries as all three parsers agree on them (or fail): uid,
    sequence, summary, url, start and end. A CANCEL says STATUS:CANCELLED for each."""
    first, second, third = _icalendar(content), _vobject(content), _ical_js(content)
    assert first == second == third
    found, entries = first
    assert found == method
    status = "CANCELLED" if method == "CANCEL" else ""
    assert [entry[-1] for entry in entries] == [status] * len(entries)
    return [entry[:-1] for entry in entries]


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


def names_everywhere(content: bytes) -> list[str]:
    """Return the file's NAME and X-WR-CALNAME as all three parsers agree on them (or fail),
    each read as TEXT (icalendar and ical.js type neither; their TEXT reading is applied)."""
    calendar = Calendar.from_ical(content)
    first = [unescape_backslash(str(calendar[name])) for name in ("NAME", "X-WR-CALNAME")]
    calendar = vobject.readOne(content.decode(), validate=True)
    second = [calendar.contents[name][0].value for name in ("name", "x-wr-calname")]
    third = _ical_js_read(content)["names"]
    assert first == second == third
    return first


NAME = "Buren, samen; sterk \\ en\nmeer"


@pytest.mark.parametrize("build", ["event", "personal"])
def test_a_name_with_commas_semicolons_a_backslash_and_a_line_break_reads_back_whole(event, build):
    event.name_nl = NAME
    if build == "event":
        content, title = event_calendar(event), NAME
    else:
        content = personal_calendar(event, [], owner="ABCD2345", name="Bea; de Vries")
        title = f"{NAME}: Bea; de Vries"

    assert names_everywhere(content) == [title, title]
    assert [summary for _, _, summary, *_ in read_everywhere(content)] == [NAME]
    # Escaped as TEXT (RFC 5545 3.3.11), on one line before folding.
    assert b"X-WR-CALNAME:Buren\\, samen\\; sterk \\\\ en\\nmeer" in content


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


def _calendar_parts(messages, method: str) -> list[bytes]:
    return [
        part.get_content().encode()
        for message in messages
        for part in message.iter_attachments()
        if part.get_content_type() == "text/calendar" and part.get_param("method") == method
    ]


def _highest(contents: list[bytes], *, method: str = "PUBLISH") -> dict[str, int]:
    """Return uid → the highest SEQUENCE the files give it."""
    found: dict[str, int] = {}
    for content in contents:
        for uid, sequence, *_ in read_everywhere(content, method=method):
            found[uid] = max(found.get(uid, sequence), sequence)
    return found


def _cancel(registration, who: str) -> None:
    from goedeburen.registration import services as registration_services
    from tests.factories import UserFactory

    if who == "participant":
        registration_services.cancel_registration(registration, by=None, reason="ziek")
    elif who == "organiser":
        staff = UserFactory(username="secretariaat")
        registration_services.cancel_registration(registration, by=staff, reason="dubbel")
    else:  # the hold ran out unpaid
        assert registration.hold_until is not None
        Registration.objects.filter(pk=registration.pk).update(
            hold_until=timezone.now() - dt.timedelta(minutes=1)
        )
        assert registration_services.release_expired_holds() == 1


@pytest.mark.parametrize("who", ["participant", "organiser", "hold_expired"])
def test_a_cancelled_registration_cancels_every_entry_sent_before_in_three_clients(
    smtp, client, register, event, sessions, who
):
    registration = register()
    services.queue_registration_mail(registration, kind=MailKind.PERSONAL_PROGRAMME)
    services.deliver_due()
    sent_messages = list(smtp.messages)
    sent = _highest(_calendar_parts(sent_messages, "PUBLISH"))
    # The programme changes after the mails: the participant's download is newer than they.
    Event.objects.filter(pk=event.pk).update(updated=F("updated") + dt.timedelta(minutes=5))
    token = placeholders.participant_token(registration)
    downloaded = _highest([client.get(f"/{event.slug}/participant/{token}/calendar.ics").content])
    smtp.messages.clear()

    _cancel(registration, who)
    services.deliver(OutgoingMail.objects.get(kind=MailKind.CANCELLATION))

    [message] = smtp.messages
    [content] = _calendar_parts([message], "CANCEL")
    cancelled = read_everywhere(content, method="CANCEL")
    assert sorted(uid for uid, *_ in cancelled) == sorted(sent) == sorted(downloaded)
    assert len(sent) == 3  # the event and two sessions
    assert all(sequence > max(sent[uid], downloaded[uid]) for uid, sequence, *_ in cancelled)
    # Times and titles as sent, so a client shows what is cancelled.
    published = {
        (uid, summary, start)
        for content in [*_calendar_parts(sent_messages, "PUBLISH")]
        for uid, _, summary, _, start, _ in read_everywhere(content)
    }
    assert {(uid, summary, start) for uid, _, summary, _, start, _ in cancelled} <= published
    # From the organizer of the entries sent, to the booker as attendee.
    calendar = Calendar.from_ical(content)
    assert {str(e["organizer"]) for e in calendar.walk("VEVENT")} == {"mailto:noreply@localhost"}
    assert {str(e["attendee"]) for e in calendar.walk("VEVENT")} == {f"mailto:{registration.email}"}


def test_a_cancelled_attendee_cancels_only_their_own_entries_and_only_once(
    smtp, register, event, sessions
):
    from goedeburen.registration import services as registration_services

    registration = register(attendees=2)
    leaving = registration.attendees.first()  # whose session the source gives a UID
    services.deliver_due()
    smtp.messages.clear()
    uid = f"{registration.code}-attendee-{{}}-round-1@{event.slug}.goedeburen"

    registration_services.cancel_attendee(leaving, by=None, reason="ziek")
    services.deliver(OutgoingMail.objects.get(kind=MailKind.ATTENDEE_CANCELLED))
    [content] = _calendar_parts(smtp.messages, "CANCEL")
    assert [uid for uid, *_ in read_everywhere(content, method="CANCEL")] == [
        uid.format(leaving.pk)
    ]
    smtp.messages.clear()

    # Then the whole registration: what is left, not what was cancelled already.
    registration_services.cancel_registration(registration, by=None, reason="ziek")
    services.deliver(OutgoingMail.objects.get(kind=MailKind.CANCELLATION))
    [content] = _calendar_parts(smtp.messages, "CANCEL")
    uids = [u for u, *_ in read_everywhere(content, method="CANCEL")]
    assert len(uids) == 2  # the event and the session sent for both; not the one gone
    assert uid.format(leaving.pk) not in uids
    assert f"{registration.code}-event@{event.slug}.goedeburen" in uids


def test_a_cancellation_without_calendar_files_sent_carries_none(smtp, register, event):
    from goedeburen.registration import services as registration_services

    registration = register()
    OutgoingMail.objects.filter(registration=registration).delete()

    registration_services.cancel_registration(registration, by=None, reason="ziek")
    services.deliver(OutgoingMail.objects.get(kind=MailKind.CANCELLATION))

    assert _calendar_parts(smtp.messages, "CANCEL") == []
