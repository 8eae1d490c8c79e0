"""The real worker process (`goedeburen worker`) sends the outbox over SMTP, once per mail.

Each test drains the queue with `goedeburen worker --burst` and then counts: once the
worker has stopped, no duplicate can still arrive.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from icalendar import Calendar

from goedeburen.mail import placeholders, services
from goedeburen.mail.enums import MailKind, MailState
from goedeburen.mail.models import OutgoingMail
from goedeburen.registration.models import Attendee
from goedeburen.registration.services import Substitute, substitute_attendee
from tests.factories import UserFactory

from .conftest import part

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_sends_the_confirmation_mail(smtp, drain, register):
    registration = register()

    drain()

    mail = OutgoingMail.objects.get()
    assert mail.state == MailState.SENT
    [message] = smtp.messages
    assert message["Message-ID"] == mail.message_id
    assert registration.code in message["Subject"]


def test_worker_sends_mail_queued_while_smtp_was_down_exactly_once(smtp, drain, register):
    smtp.stop()
    for _ in range(3):
        register()
    drain()
    assert OutgoingMail.objects.filter(state=MailState.FAILED).count() == 3

    smtp.start()
    # The retries are due in a minute; make that minute pass, then sweep (twice, as an
    # overlapping cron would) instead of waiting.
    for mail in OutgoingMail.objects.all():
        mail.next_attempt_at = mail.created
        mail.save(update_fields=["next_attempt_at"])
    assert services.enqueue_due() == 3
    assert services.enqueue_due() == 3

    drain()

    assert OutgoingMail.objects.filter(state=MailState.SENT).count() == 3
    assert sorted(smtp.message_ids()) == sorted(
        OutgoingMail.objects.values_list("message_id", flat=True)
    )
    assert set(OutgoingMail.objects.values_list("attempts", flat=True)) == {2}


def _calendar_path(message) -> str:
    """Return the path of the attendee's own calendar link in a mail's text."""
    text = part(message, "text/plain")
    return urlsplit(re.search(r"https?://\S+/attendee/\S+/calendar\.ics", text).group(0)).path


def _calendar_uids(content: bytes) -> list[str]:
    return [str(entry["uid"]) for entry in Calendar.from_ical(content).walk("VEVENT")]


def _mails_to(smtp, address: str) -> list:
    return [message for message in smtp.messages if message["To"] == address]


def test_the_colleague_who_goes_instead_gets_their_own_calendar_file_and_link(
    smtp, drain, register, client, event
):
    registration = register(email="bea@example.org")
    attendee = registration.attendees.get()
    drain()

    response = client.post(
        reverse(
            "public:registration.substitute",
            kwargs={
                "event": event.slug,
                "code": registration.code,
                "token": registration.manage_token,
                "attendee": attendee.pk,
            },
        ),
        {"given_name": "Cor", "family_name": "Collega", "email": "cor@example.org"},
    )
    drain()

    assert response.status_code == 302
    assert [m["To"] for m in smtp.messages] == ["bea@example.org", "cor@example.org"]
    [message] = _mails_to(smtp, "cor@example.org")
    assert "Cor Collega" in part(message, "text/plain")
    [attachment] = [
        a for a in message.iter_attachments() if a.get_content_type() == "text/calendar"
    ]
    assert attachment.get_param("method") == "PUBLISH"
    owner = placeholders.attendee_calendar_owner(Attendee.objects.get(pk=attendee.pk))
    # The event, under a UID of the new person's own (not the booker's file's entry).
    assert _calendar_uids(attachment.get_content().encode()) == [
        f"{owner}-event@{event.slug}.goedeburen"
    ]
    booker_file = next(smtp.messages[0].iter_attachments()).get_content().encode()
    assert _calendar_uids(booker_file) == [f"{registration.code}-event@{event.slug}.goedeburen"]
    # Their link serves the same file.
    download = client.get(_calendar_path(message))
    assert download.status_code == 200
    assert _calendar_uids(download.content) == [f"{owner}-event@{event.slug}.goedeburen"]
    mail = OutgoingMail.objects.get(recipient="cor@example.org")
    assert (mail.kind, mail.state, mail.registration_id) == (
        MailKind.SUBSTITUTE,
        MailState.SENT,
        registration.pk,
    )


def test_substituted_again_in_the_back_office_the_new_person_gets_theirs_and_the_old_link_ends(
    smtp, drain, register, client
):
    registration = register()
    attendee = registration.attendees.get()
    substitute_attendee(attendee, substitute=Substitute(given_name="Cor", email="cor@example.org"))
    drain()
    [first] = _mails_to(smtp, "cor@example.org")
    assert client.get(_calendar_path(first)).status_code == 200

    staff = UserFactory()
    substitute_attendee(
        attendee, substitute=Substitute(given_name="Dirk", email="dirk@example.org"), by=staff
    )
    drain()

    [second] = _mails_to(smtp, "dirk@example.org")
    assert len(_mails_to(smtp, "cor@example.org")) == 1
    assert client.get(_calendar_path(first)).status_code == 404
    download = client.get(_calendar_path(second))
    assert download.status_code == 200
    [old_file] = [a for a in first.iter_attachments() if a.get_content_type() == "text/calendar"]
    assert set(_calendar_uids(download.content)).isdisjoint(
        _calendar_uids(old_file.get_content().encode())
    )


def test_a_colleague_without_an_address_of_their_own_gets_no_mail(smtp, drain, register):
    registration = register(email="bea@example.org")
    drain()

    substitute_attendee(registration.attendees.get(), substitute=Substitute(given_name="Cor"))
    drain()

    assert [m["To"] for m in smtp.messages] == ["bea@example.org"]
    assert not OutgoingMail.objects.filter(kind=MailKind.SUBSTITUTE).exists()
