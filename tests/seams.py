"""Test seams: take a production lock away to show that a race test can fail.

Production code holds no test switch and no sleep (pretix keeps its test hooks in
`testutils` the same way). A negative control swaps a lock function for a version that
reads and writes without the lock, and widens the gap between the two so that the race
shows on every run. Two ways in:

- in the test process: `without_quota_lock(monkeypatch.setattr)` and friends, undone by
  pytest after the test;
- in a subprocess (gunicorn): the environment variable `GOEDEBUREN_TEST_NO_QUOTA_LOCK=1`,
  read by `SeamsConfig.ready` — an app that only tests/settings.py installs.
"""

import os
import time
from collections.abc import Callable

from django.apps import AppConfig
from django.db import IntegrityError, transaction

# How long a lock-less negative control waits between reading and writing.
QUOTA_GAP = 0.25
COUNTER_GAP = 0.02


def without_quota_lock(setattr_: Callable = setattr) -> None:
    """Take the quota row lock away and wait between counting seats and taking them."""
    from goedeburen.registration import queries
    from goedeburen.registration.services import capacity

    counted = queries.seats_taken

    def unlocked(quotas):
        return {quota.pk: quota for quota in quotas.order_by("pk")}

    def seats_taken_slowly(*args, **kwargs):
        taken = counted(*args, **kwargs)
        time.sleep(QUOTA_GAP)  # a widened race window, not a wait for a result
        return taken

    setattr_(capacity, "lock_rows", unlocked)
    setattr_(queries, "seats_taken", seats_taken_slowly)


def without_invoice_counter_lock(setattr_: Callable = setattr) -> None:
    """Take invoice numbers by reading and then writing the counter, without its lock."""
    from goedeburen.payments.models import InvoiceCounter
    from goedeburen.payments.services import invoices

    def take_number_unlocked(organiser, *, year: int) -> int:
        counters = InvoiceCounter.objects.filter(organiser=organiser, year=year)
        counter = counters.first()
        if counter is None:
            try:
                with transaction.atomic():
                    InvoiceCounter.objects.create(organiser=organiser, year=year)
            except IntegrityError:
                pass
            counter = counters.get()
        time.sleep(COUNTER_GAP)  # a widened race window, not a wait for a result
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        return counter.last_number

    setattr_(invoices, "take_number", take_number_unlocked)


class SeamsConfig(AppConfig):
    """Install the seams that a subprocess's environment asks for (tests/settings.py only)."""

    name = "tests"
    label = "test_seams"
    verbose_name = "test seams"

    def ready(self) -> None:
        if os.environ.get("GOEDEBUREN_TEST_NO_QUOTA_LOCK") == "1":
            without_quota_lock()
