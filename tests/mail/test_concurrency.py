"""Workers racing for one mail: only one of them sends it (PostgreSQL, real threads)."""

import threading
import time

import pytest
from django.db import connections

from goedeburen.mail import services
from goedeburen.mail.enums import MailState
from goedeburen.mail.models import OutgoingMail
from goedeburen.mail.services import contact, outbox
from tests.factories import OutgoingMailFactory
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 8


def _race(target) -> None:
    """Run `target` in WORKERS threads that all start at the same moment."""
    barrier = threading.Barrier(WORKERS)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as error:  # a thread's failure must fail the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def test_racing_workers_send_a_mail_once(on_postgresql, smtp):
    mail = OutgoingMailFactory()

    _race(lambda: services.deliver(mail))

    assert smtp.message_ids() == [mail.message_id]
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == (MailState.SENT, 1)


def test_racing_workers_without_the_claim_send_a_mail_more_than_once(on_postgresql, smtp):
    # Negative control: the same race with a check-then-send instead of the claim sends the
    # mail several times, so the test above would notice a claim that is not atomic.
    mail = OutgoingMailFactory()

    def check_then_send():
        found = OutgoingMail.objects.select_related("event").get(pk=mail.pk)
        if found.state == MailState.QUEUED:
            outbox._send(found)
            OutgoingMail.objects.filter(pk=mail.pk).update(state=MailState.SENT)

    _race(check_then_send)

    assert len(smtp.messages) > 1
    assert set(smtp.message_ids()) == {mail.message_id}


CONTACT = {"name": "Karin Kwast", "email": "karin@example.org", "message": "Is er parkeerplek?"}


def _contact_twice_at_once(event) -> int:
    """Send one contact form twice at once (a double click); return the mails queued."""
    results = all_at_once(2, lambda n: services.send_contact_message(event, **CONTACT))

    assert all(isinstance(r, OutgoingMail) for r in results), results
    return OutgoingMail.objects.filter(kind="contact").count()


def test_one_contact_message_sent_twice_at_once_goes_once(event):
    assert _contact_twice_at_once(event) == 1


def test_negative_control_without_the_senders_lock_the_message_goes_twice(
    on_postgresql, event, monkeypatch
):
    sent_just_now = contact.sent_just_now

    def look_then_wait(*args, **kwargs):
        found = sent_just_now(*args, **kwargs)
        time.sleep(0.2)  # a widened race window, not a wait for a result
        return found

    monkeypatch.setattr(contact, "hold_until_commit", lambda kind, key: None)
    monkeypatch.setattr(contact, "sent_just_now", look_then_wait)

    assert _contact_twice_at_once(event) == 2
