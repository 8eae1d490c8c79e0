"""The real worker process (`goedeburen worker`) sends the outbox over SMTP, once per mail.

Each test drains the queue with `goedeburen worker --burst` and then counts: once the
worker has stopped, no duplicate can still arrive.
"""

import re
from urllib.parse import quote, urlsplit

import pytest
from django.urls import reverse
from icalendar import Calendar

from goedeburen.mail import placeholders, services
from goedeburen.mail.enums import MailKind, MailState
from goedeburen.mail.models import OutgoingMail
from goedeburen.registration.models import Attendee
from goedeburen.registration.services import Substitute, substitute_attendee
from tests.factories import UserFactory
from tests.smtp import SmtpServer, free_port, self_signed_certificate

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


def _substitute_path(registration, attendee) -> str:
    """Return the page, behind the booker's manage link, that sends a colleague instead."""
    kwargs = {
        "event": registration.event.slug,
        "code": registration.code,
        "token": registration.manage_token,
        "attendee": attendee.pk,
    }
    return reverse("public:registration.substitute", kwargs=kwargs)


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
        _substitute_path(registration, attendee),
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
    # Cor gets no second file of his own, only the mail that he no longer goes.
    replaced = OutgoingMail.objects.get(kind=MailKind.REPLACED)
    assert [m["Message-ID"] for m in _mails_to(smtp, "cor@example.org")] == [
        first["Message-ID"],
        replaced.message_id,
    ]
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


# What the product documents (docs/deploy.md): smtp://user:password@host:587/?tls=True. The
# password has characters a URL must quote.
LOGIN, PASSWORD = "mailer@example.org", "geheim: wacht/woord%1"


@pytest.fixture
def submission(tmp_path):
    """A submission server that requires STARTTLS, and AUTH after it, with a certificate
    made for this test (`tests.smtp.self_signed_certificate`)."""
    server = SmtpServer(
        free_port(), certificate=self_signed_certificate(tmp_path), users={LOGIN: PASSWORD}
    )
    server.start()
    yield server
    server.stop()


def _over(server, *, tls: str = "True", password: str = PASSWORD, trusted: bool = True):
    """Return the worker's environment that sends to `server` with the documented EMAIL_URL;
    the worker trusts the server's certificate (`SSL_CERT_FILE`, which the default SSL
    context of Django's SMTP backend reads), or only one of its own making."""
    credentials = f"{quote(LOGIN, safe='')}:{quote(password, safe='')}"
    certificate = server.certificate[0]
    if not trusted:
        certificate = self_signed_certificate(certificate.parent.parent)[0]
    return {
        "EMAIL_URL": f"smtp://{credentials}@127.0.0.1:{server.port}/?tls={tls}",
        "SSL_CERT_FILE": str(certificate),
    }


def test_worker_sends_over_starttls_with_a_login_as_the_documented_email_url(
    smtp, submission, drain, register
):
    registration = register()

    drain(**_over(submission))

    mail = OutgoingMail.objects.get()
    assert (mail.state, mail.attempts, mail.last_error) == (MailState.SENT, 1, "")
    [message] = submission.messages
    assert message["Message-ID"] == mail.message_id
    assert registration.code in message["Subject"]
    [session] = submission.sessions
    assert session["tls"] is True
    assert session["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert session["login"] == LOGIN
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        # Without STARTTLS the server offers no AUTH (and would refuse the mail: 530).
        ({"tls": "False"}, "SMTP AUTH extension not supported by server"),
        ({"trusted": False}, "CERTIFICATE_VERIFY_FAILED"),
        ({"password": "wrong"}, "535"),
    ],
    ids=["no-starttls", "untrusted-certificate", "wrong-password"],
)
def test_worker_sends_nothing_without_starttls_a_trusted_certificate_or_the_password(
    submission, drain, register, change, error
):
    register()

    drain(**_over(submission, **change))

    mail = OutgoingMail.objects.get()
    assert mail.state == MailState.FAILED
    assert error in mail.last_error
    assert mail.next_attempt_at is not None  # the site's settings: tried again later
    assert submission.messages == []


def test_colleague_on_a_domain_with_accents_gets_the_mail_over_starttls(
    submission, drain, register, client, event
):
    registration = register(email="bea@example.org")
    attendee = registration.attendees.get()
    path = _substitute_path(registration, attendee)

    response = client.post(
        path, {"given_name": "Anna", "family_name": "Müller", "email": "anna@bücher.example"}
    )
    drain(**_over(submission), DEFAULT_FROM_EMAIL="Stichting Goede Büren <noreply@example.org>")

    assert response.status_code == 302
    assert Attendee.objects.get(pk=attendee.pk).email == "anna@bücher.example"
    mail = OutgoingMail.objects.get(kind=MailKind.SUBSTITUTE)
    assert (mail.state, mail.recipient) == (MailState.SENT, "anna@bücher.example")
    # The envelope and the header name the domain in its ASCII (IDNA) form; the sender's
    # name is an RFC 2047 encoded word, which reads back as it was written.
    envelopes = dict(submission.envelopes)
    assert envelopes["noreply@example.org"] == ["anna@xn--bcher-kva.example"]
    raw = submission.raw[[m["Message-ID"] for m in submission.messages].index(mail.message_id)]
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nTo: anna@xn--bcher-kva.example\r\n" in head
    assert b"From: =?utf-8?q?Stichting_Goede_B=C3=BCren?= <noreply@example.org>" in head
    assert head.isascii()
    [message] = _mails_to(submission, "anna@xn--bcher-kva.example")
    assert message["From"].addresses[0].display_name == "Stichting Goede Büren"
    assert "Anna Müller" in part(message, "text/plain")
    assert submission.sessions[-1]["tls"] is True


def test_a_colleagues_address_with_accents_before_the_at_is_refused_with_a_reason(
    register, client, event, drain
):
    registration = register(email="bea@example.org")
    attendee = registration.attendees.get()
    drain()
    path = _substitute_path(registration, attendee)

    response = client.post(path, {"given_name": "Jürgen", "email": "jürgen@bücher.example"})

    assert response.status_code == 200
    assert "Voer een geldig e-mailadres in." in response.content.decode()
    assert Attendee.objects.get(pk=attendee.pk).full_name == attendee.full_name
    assert not OutgoingMail.objects.filter(kind=MailKind.SUBSTITUTE).exists()


# The tests' forked burst worker (tests/forkserver.py) ----------------------------------


def test_a_forked_drain_sends_to_its_own_smtp_server_and_reports_its_failure(
    smtp, drain, register, tmp_path
):
    """Each drain forked from one server takes its test's EMAIL_URL; a child that fails
    gives its exit code and its traceback, as a new process would."""
    from tests import forkserver

    from .conftest import _worker_env

    register()
    drain()
    other = SmtpServer(free_port())
    other.start()
    try:
        register()
        forkserver.drain(_worker_env(other), str(tmp_path / "other.log"))
    finally:
        other.stop()
    assert len(smtp.messages) == len(other.messages) == 1

    env = {**_worker_env(smtp), "EMAIL_URL": "smtp://127.0.0.1:25/?bogus=1"}
    code = forkserver.drain(env, str(tmp_path / "bad.log"))

    assert code == 1
    assert (
        "EMAIL_URL has options this site does not read: bogus" in (tmp_path / "bad.log").read_text()
    )
