"""The outbox screen: the organiser sees every mail's state and error, retries or cancels."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from goedeburen.common.audit import history
from goedeburen.mail import exceptions
from goedeburen.mail.enums import MailState
from goedeburen.mail.models import OutgoingMail
from tests.factories import OutgoingMailFactory

pytestmark = pytest.mark.django_db


def _url(name, world, mail=None):
    kwargs = {"event": world.event.slug}
    if mail is not None:
        kwargs["pk"] = mail.pk
    return reverse(f"backoffice:mail.{name}", kwargs=kwargs)


def test_outbox_shows_state_attempts_and_last_error(owner_client, world):
    OutgoingMailFactory(
        event=world.event,
        recipient="bea@example.org",
        state=MailState.FAILED,
        attempts=3,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )

    response = owner_client.get(_url("list", world))

    html = response.content.decode()
    assert response.status_code == 200
    assert "bea@example.org" in html
    assert "ConnectionRefusedError: [Errno 111] Connection refused" in html
    assert _url("retry", world, OutgoingMail.objects.get()) in html


@pytest.mark.parametrize("state", [MailState.FAILED, MailState.SENT])
def test_outbox_filters_by_state(owner_client, world, state):
    failed = OutgoingMailFactory(event=world.event, state=MailState.FAILED)
    sent = OutgoingMailFactory(event=world.event, state=MailState.SENT)

    response = owner_client.get(_url("list", world), {"state": state})

    expected = failed if state == MailState.FAILED else sent
    assert list(response.context["object_list"]) == [expected]


def test_outbox_with_unknown_state_shows_everything(owner_client, world):
    OutgoingMailFactory(event=world.event, state=MailState.FAILED)
    OutgoingMailFactory(event=world.event, state=MailState.SENT)

    response = owner_client.get(_url("list", world), {"state": "<nonsense>"})

    assert len(response.context["object_list"]) == 2


def test_outbox_shows_only_the_events_mail(owner_client, world, other_world):
    OutgoingMailFactory(event=other_world.event, recipient="other@example.org")

    response = owner_client.get(_url("list", world))

    assert list(response.context["object_list"]) == []
    assert "other@example.org" not in response.content.decode()


def test_retry_queues_a_failed_mail_again(owner_client, world, django_capture_on_commit_callbacks):
    mail = OutgoingMailFactory(
        event=world.event, state=MailState.FAILED, attempts=10, last_error="timeout"
    )

    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post(_url("retry", world, mail), {"state": "failed"})

    assert (response.status_code, response.url) == (302, f"{_url('list', world)}?state=failed")
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.last_error) == (MailState.QUEUED, 0, "timeout")
    # The send task: its row written in the retry's transaction (the database backend), or
    # enqueued once the retry is committed (Redis).
    queued = DBTaskResult.objects.filter(task_path="goedeburen.mail.tasks.send_mail").count()
    assert len(callbacks) + queued == 1
    [entry] = history(mail)
    assert (entry.action, entry.actor) == ("mail.retried", world.owner)


def test_cancel_stops_a_queued_mail(owner_client, world):
    mail = OutgoingMailFactory(event=world.event, state=MailState.QUEUED)

    asked = owner_client.post(_url("cancel", world, mail))
    assert asked.status_code == 200  # the confirm page: nothing happened yet
    mail.refresh_from_db()
    assert mail.state == MailState.QUEUED

    response = owner_client.post(_url("cancel", world, mail), {"confirm": "yes"})

    assert (response.status_code, response.url) == (302, _url("list", world))
    mail.refresh_from_db()
    assert mail.state == MailState.CANCELLED
    assert [e.action for e in history(mail)] == ["mail.cancelled"]


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("retry", MailState.SENT),
        ("retry", MailState.QUEUED),
        ("retry", MailState.SENDING),
        ("cancel", MailState.SENT),
        ("cancel", MailState.SENDING),
        ("cancel", MailState.CANCELLED),
    ],
)
def test_action_in_the_wrong_state_is_refused_with_a_message(owner_client, world, action, state):
    mail = OutgoingMailFactory(event=world.event, state=state)

    response = owner_client.post(_url(action, world, mail), {"confirm": "yes"}, follow=True)

    mail.refresh_from_db()
    assert mail.state == state
    refusal = exceptions.NOT_RETRYABLE if action == "retry" else exceptions.NOT_CANCELLABLE
    assert [str(m) for m in response.context["messages"]] == [str(refusal)]
    assert list(history(mail)) == []


@pytest.mark.parametrize("action", ["retry", "cancel"])
def test_action_on_mail_of_another_event_is_not_found(owner_client, world, other_world, action):
    mail = OutgoingMailFactory(event=other_world.event, state=MailState.FAILED)

    assert owner_client.post(_url(action, world, mail)).status_code == 404
    mail.refresh_from_db()
    assert mail.state == MailState.FAILED


def test_outbox_and_mailing_say_which_failed_mails_are_not_tried_again(owner_client, world):
    from django.utils import timezone

    from goedeburen.mail.models import Mailing

    mailing = Mailing.objects.create(
        event=world.event,
        subject_nl="x",
        body_nl="x",
        state="started",
        queued_at=timezone.now(),
    )
    OutgoingMailFactory(
        event=world.event,
        mailing=mailing,
        state=MailState.FAILED,
        last_error="550 5.1.1 No such user here",
        next_attempt_at=None,
    )
    OutgoingMailFactory(
        event=world.event,
        mailing=mailing,
        state=MailState.FAILED,
        last_error="452 4.2.2 Mailbox full",
        next_attempt_at=timezone.now(),
    )

    outbox = owner_client.get(_url("list", world)).content.decode()
    detail = owner_client.get(
        reverse("backoffice:mailing.detail", kwargs={"event": world.event.slug, "pk": mailing.pk})
    ).content.decode()

    assert outbox.count("<br>wordt niet opnieuw geprobeerd</td>") == 1
    assert "550 5.1.1 No such user here" in outbox
    assert "1 mail is nu mislukt; hij wordt vanzelf opnieuw geprobeerd." in detail
    assert "1 mail is mislukt en wordt niet opnieuw geprobeerd" in detail
