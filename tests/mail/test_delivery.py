"""Mail goes out over a real SMTP server: once, in the booker's language, also after failures."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goedeburen.mail import services
from goedeburen.mail.enums import MailKind, MailState
from goedeburen.mail.models import OutgoingMail
from goedeburen.mail.services import outbox
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from tests.factories import attendee

from .conftest import part

pytestmark = pytest.mark.django_db


def _manage_path(text: str) -> str:
    url = re.search(r"https?://\S+/manage/\S+", text).group(0)
    assert url.startswith(settings.SITE_URL)
    return url.removeprefix(settings.SITE_URL)


@pytest.mark.parametrize(("language", "prefix"), [("nl", "/"), ("en", "/en/")], ids=["nl", "en"])
def test_confirmation_mail_arrives_once_with_a_working_manage_link(
    client, smtp, immediate_tasks, register, django_capture_on_commit_callbacks, language, prefix
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(language=language)

    [message] = smtp.messages
    mail = OutgoingMail.objects.get()
    assert (mail.kind, mail.state, mail.attempts) == (MailKind.CONFIRMATION, MailState.SENT, 1)
    assert message["Message-ID"] == mail.message_id
    assert message["To"] == "bea@example.org"
    assert message["Reply-To"] == "secretariaat@example.org"
    assert message["Content-Language"] == language
    assert registration.code in message["Subject"]
    text, html = part(message, "text/plain"), part(message, "text/html")
    assert registration.code in text
    assert "Ada de Vries" in text
    path = _manage_path(text)
    assert path.startswith(f"{prefix}{registration.event.slug}/register/manage/")
    assert f'href="{settings.SITE_URL}{path}"' in html
    response = client.get(path)
    assert response.status_code == 200
    assert response.context["registration"] == registration


def test_registration_needing_approval_gets_the_awaiting_approval_mail(
    smtp, immediate_tasks, event, register, django_capture_on_commit_callbacks
):
    from tests.factories import QuotaFactory, TicketTypeFactory

    resident = TicketTypeFactory(event=event, price=0, needs_approval=True)
    QuotaFactory(event=event, ticket_types=[resident])

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(ticket_type=resident)

    assert registration.status == RegistrationStatus.AWAITING_APPROVAL
    [message] = smtp.messages
    assert OutgoingMail.objects.get().kind == MailKind.AWAITING_APPROVAL
    assert "/manage/" in part(message, "text/plain")


def test_script_in_a_name_arrives_escaped_in_the_html_part(
    smtp, immediate_tasks, ticket, register, django_capture_on_commit_callbacks
):
    script = "<script>alert(1)</script>"
    with django_capture_on_commit_callbacks(execute=True):
        register(name=script, attendees=[attendee(ticket, given_name=script)])

    [message] = smtp.messages
    html = part(message, "text/html")
    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    # Plain text is not markup: the name is shown as it was typed.
    assert part(message, "text/plain").count(script) == 2


def test_registration_with_smtp_down_succeeds_and_its_mail_waits(
    smtp, immediate_tasks, register, django_capture_on_commit_callbacks
):
    smtp.stop()
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        registration = register()

    assert Registration.objects.get() == registration
    mail = OutgoingMail.objects.get()
    assert (mail.state, mail.attempts, mail.registration) == (MailState.FAILED, 1, registration)
    assert mail.last_error.startswith("ConnectionRefusedError")
    assert before + dt.timedelta(minutes=1) <= mail.next_attempt_at
    assert mail.next_attempt_at <= timezone.now() + dt.timedelta(minutes=1)
    assert smtp.messages == []


def test_mail_queued_while_smtp_was_down_is_sent_exactly_once_when_it_is_back(
    smtp, immediate_tasks, register, django_capture_on_commit_callbacks
):
    smtp.stop()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            register()
    assert set(OutgoingMail.objects.values_list("state", flat=True)) == {MailState.FAILED}
    _time_passes(minutes=2)
    smtp.start()

    # The sweep runs twice (cron overlapping the worker): each mail still goes out once.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.enqueue_due() == 3
        assert services.enqueue_due() == 3
    assert services.enqueue_due() == 0

    sent = sorted(OutgoingMail.objects.values_list("message_id", flat=True))
    assert sorted(smtp.message_ids()) == sent
    assert len(set(sent)) == 3
    assert set(OutgoingMail.objects.values_list("state", "attempts")) == {(MailState.SENT, 2)}


def _time_passes(*, minutes: int) -> None:
    """Move every retry `minutes` earlier, as if that time had passed (tasks use the clock)."""
    for mail in OutgoingMail.objects.exclude(next_attempt_at=None):
        mail.next_attempt_at -= dt.timedelta(minutes=minutes)
        mail.save(update_fields=["next_attempt_at"])


def test_failed_mail_waits_for_its_back_off(smtp, register):
    smtp.stop()
    register()
    mail = OutgoingMail.objects.get()
    assert services.deliver(mail) is False  # first attempt: refused
    smtp.start()
    mail.refresh_from_db()

    assert services.enqueue_due(now=mail.next_attempt_at - dt.timedelta(seconds=1)) == 0
    assert services.deliver_due(now=mail.next_attempt_at - dt.timedelta(seconds=1)) == 0
    assert services.deliver_due(now=mail.next_attempt_at) == 1
    assert smtp.message_ids() == [mail.message_id]


def test_mail_left_sending_by_a_dead_worker_is_sent_again_with_the_same_message_id(smtp, register):
    register()
    mail = OutgoingMail.objects.get()
    claimed = timezone.now() - outbox.SENDING_STALE_AFTER
    # What a worker leaves behind when it dies between claiming and finishing.
    OutgoingMail.objects.filter(pk=mail.pk).update(
        state=MailState.SENDING, claimed_at=claimed, attempts=1
    )

    # Still within the time a live worker may take: left alone.
    assert services.deliver_due(now=claimed + dt.timedelta(minutes=9)) == 0
    assert services.deliver_due(now=claimed + dt.timedelta(minutes=10, seconds=1)) == 1

    assert smtp.message_ids() == [mail.message_id]
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == (MailState.SENT, 2)


def test_sent_mail_is_never_sent_again(smtp, register):
    register()
    mail = OutgoingMail.objects.get()
    assert services.deliver(mail) is True

    assert services.deliver(mail) is False
    assert services.deliver_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert smtp.message_ids() == [mail.message_id]


@pytest.mark.parametrize(
    ("attempts", "minutes"), [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (9, 60)]
)
def test_retry_delay_doubles_up_to_an_hour(attempts, minutes):
    assert services.retry_delay(attempts) == dt.timedelta(minutes=minutes)


def test_mail_is_given_up_after_the_last_attempt(smtp, register):
    smtp.stop()
    register()
    mail = OutgoingMail.objects.get()
    now = timezone.now()

    for _ in range(services.MAX_ATTEMPTS):
        now += outbox.MAX_RETRY_DELAY
        assert services.deliver_due(now=now) == 0

    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.next_attempt_at) == (
        MailState.FAILED,
        services.MAX_ATTEMPTS,
        None,
    )
    assert services.enqueue_due(now=now + dt.timedelta(days=1)) == 0


def test_failure_schedules_a_retry_with_the_database_backend(
    smtp, register, django_capture_on_commit_callbacks
):
    smtp.stop()
    register()
    mail = OutgoingMail.objects.get()
    # The first attempt's task, written with the registration (in its transaction).
    before = set(DBTaskResult.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        services.deliver(mail)

    mail.refresh_from_db()
    [job] = DBTaskResult.objects.filter(task_path__endswith="send_mail").exclude(pk__in=before)
    assert (job.args_kwargs["args"], job.run_after) == ([mail.pk], mail.next_attempt_at)


def test_send_queued_mail_command_sends_due_mail(smtp, register, capsys):
    register()
    register()

    call_command("send_queued_mail", "--here")

    assert capsys.readouterr().out == "0 scheduled mails queued.\n2 mails sent.\n"
    assert len(smtp.messages) == 2


def test_send_queued_mail_command_enqueues_due_mail(register, capsys):
    register()

    call_command("send_queued_mail")

    assert capsys.readouterr().out == "0 scheduled mails queued.\n1 mails enqueued.\n"


def test_confirmation_for_an_event_with_the_longest_name_goes_out_with_a_shortened_subject(
    smtp, register, event
):
    event.name_nl = "Buurtbijeenkomst " * 17 + "Utrecht"  # 296 of the 300 characters allowed
    event.save()
    registration = register()

    assert services.deliver(OutgoingMail.objects.get()) is True

    [message] = smtp.messages
    # Folded onto the next line by the mail library: the fold's space is no part of it.
    subject = message["Subject"].lstrip()
    assert len(subject) == 255
    assert subject.startswith(f"Uw aanmelding {registration.code} voor Buurtbijeenkomst ")
    assert subject.endswith(" Buurt…")


def test_mail_queued_with_a_subject_longer_than_the_outbox_keeps_is_sent(smtp, event):
    subject = "Webhook uitgezet: https://example.org/" + "a" * 460

    mail = services.queue_mail(
        event,
        kind=MailKind.NOTICE,
        recipient="o@example.org",
        language="nl",
        subject=subject,
        body_text="Tekst\n",
    )

    assert services.deliver(mail) is True
    [message] = smtp.messages
    assert message["Subject"].lstrip() == subject[:254] + "…"
