"""`goedeburen worker --burst` (cron, tests): drains what is queued now and stops at once."""

import time

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker


@pytest.mark.django_db(transaction=True)
def test_a_burst_worker_starts_without_the_random_pause_of_a_long_running_one(monkeypatch):
    pauses = []
    real_sleep = time.sleep

    def recorded(seconds):
        pauses.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(db_worker.time, "sleep", recorded)

    call_command("worker", "--burst", "--backend", "database")

    # The database worker's start-up pause (up to 1 s, to spread many workers started at
    # once) was taken by every drain: half a second each, on average, for nothing.
    assert pauses == []
