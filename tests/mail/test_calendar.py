"""Calendar files: the event for everyone and the personal programme, attached to mails and
downloadable; they parse back with icalendar and hold Europe/Amsterdam times."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from goedeburen.events.calendar import CalendarEntry, event_sequence, personal_calendar
from goedeburen.mail import placeholders, programme, services
from goedeburen.mail.enums import MailKind, MailState
from goedeburen.mail.models import OutgoingMail
from goedeburen.registration import services as registration_services
from goedeburen.registration.models import Attendee

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _events(content: bytes) -> list:
    return [c for c in Calendar.from_ical(content).walk() if c.name == "VEVENT"]


def _starts(content: bytes) -> list[tuple[str, dt.datetime, dt.datetime]]:
    return [(str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend")) for e in _events(content)]


@pytest.fixture
def sessions(event):
    """A source of personal programmes, as the matching app will register one."""

    def source(registration):
        day = event.date
        return [
            CalendarEntry(
                "Werksessie Utrecht",
                "Zaal 2",
                dt.datetime.combine(day, dt.time(13, 30), tzinfo=AMSTERDAM),
                dt.datetime.combine(day, dt.time(14, 30), tzinfo=AMSTERDAM),
            ),
            CalendarEntry(
                "Huiskamergesprek",
                "Huiskamer",
                # Given in UTC: the file must still say 11:00 in Amsterdam.
                dt.datetime(2027, 3, 5, 10, 0, tzinfo=dt.UTC),
                dt.datetime(2027, 3, 5, 11, 0, tzinfo=dt.UTC),
            ),
        ]

    programme.register_source(source)
    yield source
    programme._sources.remove(source)


def test_confirmation_carries_the_event_calendar_in_amsterdam_time(smtp, register, event):
    register()

    services.deliver(OutgoingMail.objects.get())

    [attachment] = list(smtp.messages[0].iter_attachments())
    assert attachment.get_filename() == f"{event.slug}.ics"
    [(summary, start, end)] = _starts(attachment.get_content().encode())
    assert summary == event.name_nl
    assert (start, end) == (
        dt.datetime(2027, 3, 5, 10, 0, tzinfo=AMSTERDAM),
        dt.datetime(2027, 3, 5, 16, 30, tzinfo=AMSTERDAM),
    )
    assert str(start.tzinfo) == "Europe/Amsterdam"


def test_personal_calendar_holds_the_sessions_with_rooms_in_amsterdam_time(event, sessions):
    content = personal_calendar(event, programme.entries_for(None), owner="ABCD2345", name="Bea")

    entries = _events(content)
    assert [(str(e["summary"]), str(e.get("location", ""))) for e in entries] == [
        (event.name_nl, "Buurthuis De Linde, Lindelaan 1, Utrecht"),
        ("Huiskamergesprek", "Huiskamer, Buurthuis De Linde, Lindelaan 1, Utrecht"),
        ("Werksessie Utrecht", "Zaal 2, Buurthuis De Linde, Lindelaan 1, Utrecht"),
    ]
    starts = [e.decoded("dtstart") for e in entries]
    assert [s.astimezone(AMSTERDAM).strftime("%H:%M") for s in starts] == [
        "10:00",
        "11:00",
        "13:30",
    ]
    assert {str(s.tzinfo) for s in starts} == {"Europe/Amsterdam"}


def test_personal_programme_mail_lists_and_attaches_the_sessions(smtp, register, sessions):
    registration = register()
    services.queue_registration_mail(registration, kind=MailKind.PERSONAL_PROGRAMME)

    services.deliver(OutgoingMail.objects.get(kind=MailKind.PERSONAL_PROGRAMME))

    [message] = smtp.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "11:00–12:00 Huiskamergesprek (Huiskamer)" in text
    assert "14:30–15:30 Werksessie Utrecht (Zaal 2)" not in text  # local times, not UTC + 1
    assert "13:30–14:30 Werksessie Utrecht (Zaal 2)" in text
    [attachment] = list(message.iter_attachments())
    assert len(_events(attachment.get_content().encode())) == 3


def test_personal_programme_mail_without_sessions_says_it_will_follow(smtp, register):
    registration = register(language="en")
    services.queue_registration_mail(registration, kind=MailKind.PERSONAL_PROGRAMME)

    services.deliver(OutgoingMail.objects.get(kind=MailKind.PERSONAL_PROGRAMME))

    [message] = smtp.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "will follow as soon as the sessions are assigned" in text
    assert list(message.iter_attachments()) == []


def test_participant_downloads_the_personal_calendar(client, register, event, sessions):
    registration = register()
    token = placeholders.participant_token(registration)

    response = client.get(f"/{event.slug}/participant/{token}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(_events(response.content)) == 3


def test_calendar_download_with_a_forged_link_is_not_found(client, register, event):
    registration = register()

    response = client.get(f"/{event.slug}/participant/{registration.code}/calendar.ics")

    assert response.status_code == 404


def test_two_changes_to_the_event_within_a_minute_give_two_sequences(event):
    event.updated = dt.datetime(2027, 1, 10, 9, 30, 5, tzinfo=dt.UTC)
    first = event_sequence(event)
    event.updated += dt.timedelta(seconds=20)

    assert event_sequence(event) > first


def test_the_colleague_who_goes_instead_gets_only_their_own_sessions(smtp, register, event):
    registration = register(attendees=2)
    first, second = registration.attendees.order_by("pk")
    day = event.date

    def source(found):
        return [
            CalendarEntry(
                f"Sessie van {attendee.pk}",
                "Zaal 2",
                dt.datetime.combine(day, dt.time(13, 30), tzinfo=AMSTERDAM),
                dt.datetime.combine(day, dt.time(14, 30), tzinfo=AMSTERDAM),
                uid=f"attendee-{attendee.pk}-round-1",
                attendee=attendee.pk,
            )
            for attendee in found.attendees.order_by("pk")
        ]

    programme.register_source(source)
    try:
        registration_services.substitute_attendee(
            second,
            substitute=registration_services.Substitute(given_name="Cor", email="cor@example.org"),
        )
        services.deliver(OutgoingMail.objects.get(kind=MailKind.SUBSTITUTE))
    finally:
        programme._sources.remove(source)

    [message] = smtp.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"13:30–14:30 Sessie van {second.pk} (Zaal 2)" in text
    assert f"Sessie van {first.pk}" not in text
    [attachment] = list(message.iter_attachments())
    assert [summary for summary, _, _ in _starts(attachment.get_content().encode())] == [
        event.name_nl,
        f"Sessie van {second.pk}",
    ]


def test_a_mail_to_the_one_before_that_had_not_gone_is_not_sent_with_the_next_ones_file(
    smtp, register
):
    registration = register()
    attendee = registration.attendees.get()
    substitute = registration_services.substitute_attendee
    substitute(
        attendee,
        substitute=registration_services.Substitute(given_name="Cor", email="cor@example.org"),
    )
    first = OutgoingMail.objects.get(kind=MailKind.SUBSTITUTE)

    substitute(
        attendee,
        substitute=registration_services.Substitute(given_name="Dirk", email="dirk@example.org"),
    )
    for mail in OutgoingMail.objects.filter(kind=MailKind.SUBSTITUTE).order_by("pk"):
        services.deliver(mail)

    first.refresh_from_db()
    assert first.state == MailState.CANCELLED
    assert [m["To"] for m in smtp.messages] == ["dirk@example.org"]


def test_a_mail_taken_by_a_worker_before_someone_else_went_instead_is_refused(smtp, register):
    registration = register()
    attendee = registration.attendees.get()
    registration_services.substitute_attendee(
        attendee,
        substitute=registration_services.Substitute(given_name="Cor", email="cor@example.org"),
    )
    mail = OutgoingMail.objects.get(kind=MailKind.SUBSTITUTE)
    # Someone else on the place while the mail is on its way (no receiver got to cancel it).
    Attendee.objects.filter(pk=attendee.pk).update(given_name="Dirk", ticket_secret="other")

    assert services.deliver(mail) is False

    mail.refresh_from_db()
    assert mail.state == MailState.FAILED
    assert mail.last_error.startswith("MailError: ")
    assert smtp.messages == []


def test_a_substitutes_mail_for_an_attendee_cancelled_meanwhile_is_refused(smtp, register):
    registration = register(attendees=2)
    second = registration.attendees.order_by("pk").last()
    registration_services.substitute_attendee(
        second,
        substitute=registration_services.Substitute(given_name="Cor", email="cor@example.org"),
    )
    mail = OutgoingMail.objects.get(kind=MailKind.SUBSTITUTE)
    registration_services.cancel_attendee(second, by=None)

    assert services.deliver(mail) is False

    mail.refresh_from_db()
    assert mail.state == MailState.FAILED
    assert smtp.messages == []
