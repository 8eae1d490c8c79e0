"""Test seams: take a production lock away to show that a race test can fail.

Production code holds no test switch and no sleep (pretix keeps its test hooks in
`testutils` the same way). A negative control swaps a lock function for a version that
reads and writes without the lock, and widens the gap between the two so that the race
shows on every run. Two ways in:

- in the test process: `without_quota_lock(monkeypatch.setattr)` and friends, undone by
  pytest after the test;
- in a subprocess (gunicorn, the worker): environment variables read by
  `SeamsConfig.ready` — an app that only tests/settings.py installs:
  `GOEDEBUREN_TEST_NO_QUOTA_LOCK=1`, `GOEDEBUREN_TEST_PDF_FAILS_ONCE=<marker file>`.
"""

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.apps import AppConfig
from django.db import IntegrityError, connection, transaction

# How long a lock-less negative control waits between reading and writing.
QUOTA_GAP = 0.25
COUNTER_GAP = 0.02


def without_quota_lock(setattr_: Callable = setattr) -> None:
    """Take seats by reading the counter and then writing it, without a lock, and wait
    between the two: concurrent takers then all see the same free seats."""
    from goedeburen.registration.models import Quota
    from goedeburen.registration.services import capacity

    def increment_unlocked(quota_id: int, seats: int) -> bool:
        size, taken = Quota.objects.values_list("size", "taken").get(pk=quota_id)
        time.sleep(QUOTA_GAP)  # a widened race window, not a wait for a result
        if taken + seats > size:
            return False
        Quota.objects.filter(pk=quota_id).update(taken=taken + seats)
        return True

    def unlocked(quota_ids):
        return {quota.pk: quota for quota in Quota.objects.filter(pk__in=list(quota_ids))}

    setattr_(capacity, "increment", increment_unlocked)
    setattr_(capacity, "lock_rows", unlocked)


def without_invoice_counter_lock(setattr_: Callable = setattr) -> None:
    """Take invoice numbers by reading and then writing the counter, without its lock."""
    from goedeburen.payments.models import InvoiceCounter
    from goedeburen.payments.services import invoices

    def take_number_unlocked(organiser, *, year: int) -> tuple[int, None]:
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
        return counter.last_number, None  # no key: the invoice takes its own

    setattr_(invoices, "take_number_and_key", take_number_unlocked)


BANK_LINE_GAP = 0.25


def without_bank_line_lock(setattr_: Callable = setattr) -> None:
    """Read a bank line without locking it, and wait before acting on what was read."""
    from goedeburen.payments.models import BankTransaction
    from goedeburen.payments.services import bank_import

    def read_unlocked(pk: int):
        row = BankTransaction.objects.get(pk=pk)
        time.sleep(BANK_LINE_GAP)  # a widened race window, not a wait for a result
        return row

    setattr_(bank_import, "_lock_line", read_unlocked)


IMPORT_GAP = 0.25


def without_import_lock(setattr_: Callable = setattr) -> None:
    """Import statements without waiting for the organiser's other imports, and wait after
    checking the other format's days: both imports then pass the check."""
    from goedeburen.payments.services import bank_import

    refuse_other_format = bank_import._refuse_other_format

    def refuse_then_wait(organiser, statement):
        refuse_other_format(organiser, statement)
        time.sleep(IMPORT_GAP)  # a widened race window, not a wait for a result

    setattr_(bank_import, "_lock_imports", lambda organiser: None)
    setattr_(bank_import, "_refuse_other_format", refuse_then_wait)


def pdf_fails_once(marker: Path, setattr_: Callable = setattr) -> None:
    """Make reportlab fail the first PDF it writes after this (as a full disk would).

    `marker` is created by the failure, so the failure happens once across processes.
    """
    from reportlab.pdfgen.canvas import Canvas

    save = Canvas.save

    def save_or_fail(self):
        try:
            Path(marker).open("x").close()
        except FileExistsError:
            return save(self)
        raise OSError("the PDF could not be written (tests/seams.py)")

    setattr_(Canvas, "save", save_or_fail)


class Rendezvous:
    """Hold each settler after it read its settlement until the other caught up.

    The other has caught up when it arrived too, or when it waits for a row lock (then
    it cannot arrive before this one commits). `due` counts settlers that found the
    settlement still due: with the lock one, without it both.
    """

    def __init__(self, parties: int = 2, seconds: float = 20) -> None:
        self.parties, self.seconds = parties, seconds
        self.arrived = 0
        self.due = 0
        self._count = threading.Lock()

    def __call__(self, settlement) -> None:
        with self._count:
            self.arrived += 1
            self.due += settlement is not None and settlement.settled is None
        deadline = time.monotonic() + self.seconds
        while self.arrived < self.parties and not someone_waits_for_a_lock():
            if time.monotonic() > deadline:
                raise AssertionError("the other settler never came")
            time.sleep(0.005)  # polling a condition, with a deadline


def someone_waits_for_a_lock() -> bool:
    """Return whether a connection to the test database waits for a row lock now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view stays as first read
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def settlement_rendezvous(setattr_: Callable, *, lock: bool = True) -> Rendezvous:
    """Meet two settlers after reading their settlement, with its row lock and their
    registration's (taken first) or without either."""
    from goedeburen.payments.models import Settlement
    from goedeburen.payments.services import settlement as settling
    from goedeburen.registration.models import Registration

    locked = settling.lock_settlement
    rendezvous = Rendezvous()

    def read(settlement_id: int):
        if lock:
            found = locked(settlement_id)
        else:
            found = Settlement.objects.filter(pk=settlement_id).first()
        rendezvous(found)
        return found

    def registration_unlocked(settlement_id: int):
        registration_id = Settlement.objects.filter(pk=settlement_id).values("registration_id")
        return Registration.objects.filter(pk__in=registration_id).first()

    setattr_(settling, "lock_settlement", read)
    if not lock:
        setattr_(settling, "lock_registration_of", registration_unlocked)
    return rendezvous


class SeamsConfig(AppConfig):
    """Install the seams that a subprocess's environment asks for (tests/settings.py only)."""

    name = "tests"
    label = "test_seams"
    verbose_name = "test seams"

    def ready(self) -> None:
        if os.environ.get("GOEDEBUREN_TEST_NO_QUOTA_LOCK") == "1":
            without_quota_lock()
        if os.environ.get("GOEDEBUREN_TEST_PDF_FAILS_ONCE"):
            pdf_fails_once(Path(os.environ["GOEDEBUREN_TEST_PDF_FAILS_ONCE"]))


CHECKIN_GAP = 0.2  # seconds between reading who is checked in and checking in, without a lock


def without_attendee_lock(setattr_: Callable = setattr) -> None:
    """Take check-in's attendee row lock away and wait before deciding, so that scans of one
    ticket all read "not checked in yet" and race to insert."""
    from goedeburen.checkin.services import checking
    from goedeburen.registration.models import Attendee

    def unlocked(event, attendee_ids):
        found = {
            a.pk: a
            for a in Attendee.objects.filter(pk__in=list(attendee_ids)).select_related(
                "registration"
            )
        }
        time.sleep(CHECKIN_GAP)  # a widened race window, not a wait for a result
        return found

    setattr_(checking, "lock_attendees", unlocked)


def meet_before_the_change_lock(setattr_: Callable, meet: Callable[[], object]) -> None:
    """Call `meet()` in `change_registration` just before it locks the registration: after
    every check its caller made before (an API request's serializer and its `If-Match`).

    A barrier's `wait` as `meet` holds every request there until all have passed those
    checks, so that each of them runs into the checks made under the lock."""
    from goedeburen.registration.services import editing

    lock = editing.locked

    def meet_then_lock(registration):
        meet()
        return lock(registration)

    setattr_(editing, "locked", meet_then_lock)


def without_the_seen_check(setattr_: Callable = setattr) -> None:
    """Change a registration from the API without what the client read (`seen`): the check
    under the lock that refuses a change made since then has nothing to compare with, and
    only the `If-Match` before the lock is left."""
    from goedeburen.registration import services
    from goedeburen.registration.services import editing

    def change_unseen(registration, *, seen=None, **changes):
        return editing.change_registration(registration, **changes)

    setattr_(services, "change_registration", change_unseen)


def meet_after(setattr_: Callable, owner, name: str) -> threading.Event:
    """Replace `owner.name` with a version that, once it returned (its locks taken), sets
    the returned event and waits until another transaction waits for a lock (a
    `Rendezvous` of two that only this side joins), with a deadline.

    The shape of a deadlock test: the other side starts once the event is set, so each
    holds its first lock before either asks for its second."""
    passed, rendezvous, original = threading.Event(), Rendezvous(), getattr(owner, name)

    def call_then_meet(*args, **kwargs):
        result = original(*args, **kwargs)
        passed.set()
        rendezvous(None)
        return result

    setattr_(owner, name, call_then_meet)
    return passed
