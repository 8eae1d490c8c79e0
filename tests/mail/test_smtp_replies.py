"""What the receiving server answers decides what happens next: a refusal for good (5xx) is
not tried again and says why; a refusal for now (4xx) is tried again after its back-off."""

import datetime as dt

import pytest
from django.utils import timezone

from goedeburen.mail import services
from goedeburen.mail.enums import MailState
from goedeburen.mail.models import OutgoingMail
from tests.factories import OutgoingMailFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("RCPT", "550 5.1.1 No such user here"),
        ("RCPT", "553 5.1.3 Bad recipient address syntax"),
        ("DATA", "552 5.3.4 Message too big"),
        ("DATA", "554 5.7.1 Message refused as spam"),
    ],
)
def test_mail_refused_for_good_is_not_tried_again_and_says_why(smtp, command, reply):
    smtp.replies[command] = reply
    mail = OutgoingMailFactory()

    assert services.deliver(mail) is False

    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.next_attempt_at) == (MailState.FAILED, 1, None)
    assert mail.last_error == reply
    smtp.replies.clear()
    later = timezone.now() + dt.timedelta(days=1)
    assert services.enqueue_due(now=later) == 0
    assert services.deliver_due(now=later) == 0
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("RCPT", "450 4.2.1 Mailbox busy"),
        ("RCPT", "451 4.7.1 Greylisted, try again later"),
        ("RCPT", "452 4.2.2 Mailbox full"),
        ("RCPT", "421 4.3.2 Service shutting down"),
        ("DATA", "451 4.3.0 Local error in processing"),
    ],
)
def test_mail_refused_for_now_is_tried_again_after_its_back_off(smtp, command, reply):
    smtp.replies[command] = reply
    mail = OutgoingMailFactory()
    before = timezone.now()

    assert services.deliver(mail) is False

    mail.refresh_from_db()
    assert (mail.state, mail.last_error) == (MailState.FAILED, reply)
    assert before + dt.timedelta(minutes=1) <= mail.next_attempt_at
    smtp.replies.clear()
    assert services.deliver_due(now=mail.next_attempt_at) == 1
    assert smtp.message_ids() == [mail.message_id]


def test_a_mail_refused_for_good_in_a_batch_leaves_the_others_going(smtp):
    mails = [OutgoingMailFactory() for _ in range(3)]
    smtp.replies["DATA"] = "552 5.3.4 Message too big"
    assert services.deliver(mails[0]) is False
    smtp.replies.clear()

    assert services.deliver_many([mail.pk for mail in mails]) == 2

    states = dict(OutgoingMail.objects.values_list("pk", "state"))
    assert [states[mail.pk] for mail in mails] == [MailState.FAILED, MailState.SENT, MailState.SENT]


@pytest.mark.parametrize(
    ("command", "reply", "logged"),
    [
        ("RCPT", "550 5.1.1 <ada@example.org>: no such user", "SMTPRecipientsRefused 550"),
        ("DATA", "554 5.7.1 Refused for ada@example.org", "SMTPDataError 554"),
        ("RCPT", "450 4.2.1 <ada@example.org>: mailbox busy", "SMTPRecipientsRefused 450"),
    ],
)
def test_the_operators_log_has_the_servers_code_not_its_words_about_the_address(
    smtp, caplog, command, reply, logged
):
    smtp.replies[command] = reply
    mail = OutgoingMailFactory(recipient="ada@example.org")

    with caplog.at_level("WARNING", logger="goedeburen.mail.services.outbox"):
        services.deliver(mail)

    mail.refresh_from_db()
    assert mail.last_error == reply  # the organiser still reads the server's words
    assert [record.getMessage() for record in caplog.records] == [
        f"Mail {mail.pk}, attempt 1 failed: {logged}"
    ]
    assert "ada@" not in caplog.text


def test_the_operators_log_says_why_a_connection_failed(smtp, caplog):
    smtp.stop()
    mail = OutgoingMailFactory()

    with caplog.at_level("WARNING", logger="goedeburen.mail.services.outbox"):
        services.deliver(mail)

    assert "ConnectionRefusedError: [Errno 111] Connection refused" in caplog.text
