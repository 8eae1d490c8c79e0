"""The real worker process (`goedeburen worker`) sends the outbox over SMTP, once per mail."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from goedeburen.mail import services
from goedeburen.mail.enums import MailState
from goedeburen.mail.models import OutgoingMail

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(smtp, tmp_path):
    """Start `python -m goedeburen worker` on the test database, sending to `smtp`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "GOEDEBUREN_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "EMAIL_TIMEOUT": "5",
    }
    with open(tmp_path / "worker.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "goedeburen", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        yield process
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(condition, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(0.1)


def test_worker_sends_the_confirmation_mail(smtp, worker, register):
    registration = register()

    _wait_for(lambda: len(smtp.messages) == 1)

    mail = OutgoingMail.objects.get()
    _wait_for(lambda: OutgoingMail.objects.get().state == MailState.SENT)
    [message] = smtp.messages
    assert message["Message-ID"] == mail.message_id
    assert registration.code in message["Subject"]
    assert worker.poll() is None


def test_worker_sends_mail_queued_while_smtp_was_down_exactly_once(smtp, worker, register):
    smtp.stop()
    for _ in range(3):
        register()
    _wait_for(lambda: OutgoingMail.objects.filter(state=MailState.FAILED).count() == 3)

    smtp.start()
    # The retries are due in a minute; make that minute pass, then sweep (twice, as an
    # overlapping cron would) instead of waiting.
    for mail in OutgoingMail.objects.all():
        mail.next_attempt_at = mail.created
        mail.save(update_fields=["next_attempt_at"])
    assert services.enqueue_due() == 3
    assert services.enqueue_due() == 3

    _wait_for(lambda: OutgoingMail.objects.filter(state=MailState.SENT).count() == 3)
    time.sleep(1.5)  # room for a duplicate to show up, were there one
    assert sorted(smtp.message_ids()) == sorted(
        OutgoingMail.objects.values_list("message_id", flat=True)
    )
    assert set(OutgoingMail.objects.values_list("attempts", flat=True)) == {2}
