"""Acceptance: a mailing to 2,000 recipients through the real worker process reaches every
recipient exactly once, whether SMTP goes down in the middle or the worker is killed.

A running worker is watched until it reaches a state (polling with a deadline); the rest
is sent by `goedeburen worker --burst`, which stops once the queue is empty, and counted
after it stopped."""

import collections
import datetime as dt
import signal

import pytest
from django.utils import timezone

from goedeburen.mail import services
from goedeburen.mail.enums import MailState
from goedeburen.mail.models import Mailing, OutgoingMail
from goedeburen.mail.services import outbox
from tests.factories import many_registrations
from tests.mail.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 2000


@pytest.fixture
def mailing(event, ticket):
    many_registrations(event, ticket, RECIPIENTS)
    draft = Mailing(subject_nl="Nieuws over {{ event }}", body_nl="Beste {{ name }},\n\nTot dan!")
    return services.save_mailing(draft, event=event)


def _sent() -> int:
    return OutgoingMail.objects.filter(state=MailState.SENT).count()


def _per_recipient(smtp) -> collections.Counter:
    return collections.Counter(str(message["To"]) for message in smtp.messages)


def _message_ids_per_recipient(smtp) -> dict[str, set[str]]:
    found = collections.defaultdict(set)
    for message in smtp.messages:
        found[str(message["To"])].add(message["Message-ID"])
    return found


def test_smtp_down_during_a_mailing_loses_nothing_and_sends_each_once(
    smtp, start_worker, drain, mailing
):
    worker = start_worker()
    services.start_mailing(mailing)
    # Let part of the mailing go out, then take SMTP away for the rest.
    wait_for(lambda: _sent() >= 200, seconds=120, every=0.05)
    smtp.stop()
    wait_for(
        lambda: (
            OutgoingMail.objects.filter(mailing=mailing, state=MailState.FAILED).exists()
            and not OutgoingMail.objects.filter(
                mailing=mailing, state__in=[MailState.QUEUED, MailState.SENDING]
            ).exists()
        ),
        seconds=300,
    )
    worker.terminate()
    worker.wait(timeout=30)
    failed = OutgoingMail.objects.filter(state=MailState.FAILED).count()
    assert OutgoingMail.objects.filter(mailing=mailing).count() == RECIPIENTS
    assert failed + _sent() == RECIPIENTS and failed > 0

    smtp.start()
    # The retries are due in a minute; make that minute pass, then sweep (twice, as an
    # overlapping cron would) instead of waiting.
    OutgoingMail.objects.filter(state=MailState.FAILED).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.enqueue_due() == failed
    services.enqueue_due()

    drain()

    assert _sent() == RECIPIENTS
    per_recipient = _per_recipient(smtp)
    assert len(per_recipient) == RECIPIENTS
    assert set(per_recipient.values()) == {1}
    assert sorted(smtp.message_ids()) == sorted(
        OutgoingMail.objects.values_list("message_id", flat=True)
    )


def test_worker_killed_mid_batch_loses_nothing_and_sends_each_once(
    smtp, start_worker, drain, mailing
):
    first = start_worker()
    services.start_mailing(mailing)
    wait_for(lambda: _sent() >= 300, seconds=120, every=0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    sent_before = _sent()
    in_flight = OutgoingMail.objects.filter(state=MailState.SENDING).count()
    assert 300 <= sent_before < RECIPIENTS

    # The mail the dead worker was sending is taken again once it counts as stale; make
    # that time pass, sweep up the batch the dead one held and drain the queue.
    OutgoingMail.objects.filter(state=MailState.SENDING).update(
        claimed_at=timezone.now() - outbox.SENDING_STALE_AFTER - dt.timedelta(seconds=1)
    )
    services.enqueue_due()

    drain()

    assert _sent() == RECIPIENTS
    per_recipient = _message_ids_per_recipient(smtp)
    assert len(per_recipient) == RECIPIENTS
    # Each recipient has one mail: one Message-ID. Only a mail that had reached the SMTP
    # server when the worker died (at most the one in flight) can arrive twice, with the
    # same Message-ID, so mail programs show it once.
    assert {len(ids) for ids in per_recipient.values()} == {1}
    duplicates = len(smtp.messages) - RECIPIENTS
    assert 0 <= duplicates <= in_flight
