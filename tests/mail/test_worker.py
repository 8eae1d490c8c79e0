"""The real worker process (`goedeburen worker`) sends the outbox over SMTP, once per mail.

Each test drains the queue with `goedeburen worker --burst` and then counts: once the
worker has stopped, no duplicate can still arrive.
"""

import pytest

from goedeburen.mail import services
from goedeburen.mail.enums import MailState
from goedeburen.mail.models import OutgoingMail

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
