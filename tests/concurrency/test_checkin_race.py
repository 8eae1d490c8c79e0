"""Twenty phones scan the same ticket at once on PostgreSQL: one check-in, nineteen
"already checked in", no error; without the attendee lock the scans race into the
database's unique constraint (the negative control shows the race is real)."""

import secrets
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connections

from goedeburen.checkin import services, tickets
from goedeburen.checkin.models import CheckIn
from goedeburen.checkin.services import checking
from tests import seams
from tests.factories import (
    OpenEventFactory,
    QuotaFactory,
    TicketTypeFactory,
    UserFactory,
    attendee,
    booker,
    form_token,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PHONES = 20


@pytest.fixture
def ticket_secret(on_postgresql):
    event = OpenEventFactory()
    free = TicketTypeFactory(event=event, price=Decimal("0"))
    QuotaFactory(event=event, size=10, ticket_types=[free])
    from goedeburen.registration import services as registration_services

    registration = registration_services.register(
        event,
        booker=booker(),
        attendees=[attendee(free)],
        form_token=form_token(event),
        language="nl",
    )
    return event, tickets.secret_for(registration.attendees.get()), UserFactory()


def _scan_at_once(event, secret, user) -> tuple[Counter, int]:
    """Scan `secret` on PHONES threads released together; count outcomes and batch runs."""
    barrier = threading.Barrier(PHONES)
    results = [None] * PHONES
    runs = Counter()
    original = checking._Batch.run

    def counted(self, scans):
        runs["runs"] += 1
        return original(self, scans)

    checking._Batch.run = counted
    try:

        def work(n):
            try:
                barrier.wait()
                results[n] = services.record_scan(
                    event,
                    services.ScanInput(
                        nonce=secrets.token_hex(16), ticket_hash=tickets.hash_secret(secret)
                    ),
                    staff=services.Staff(user=user, device=f"phone-{n}"),
                ).outcome
            except Exception as unexpected:  # reported by the assertions
                results[n] = repr(unexpected)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(n,)) for n in range(PHONES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        checking._Batch.run = original
    return Counter(results), runs["runs"]


def test_twenty_phones_scanning_one_ticket_check_in_once(ticket_secret):
    event, secret, user = ticket_secret

    outcomes, runs = _scan_at_once(event, secret, user)

    assert outcomes == Counter({"checked_in": 1, "already": PHONES - 1})
    assert runs == PHONES  # nobody ran into the constraint: the lock decided
    assert CheckIn.objects.filter(undone=None).count() == 1


def test_without_the_lock_the_scans_race_into_the_constraint(ticket_secret, monkeypatch):
    event, secret, user = ticket_secret
    seams.without_attendee_lock(monkeypatch.setattr)
    # Every phone has read "not checked in yet" before any writes: the race, made certain.
    all_read = threading.Barrier(PHONES)
    first_write = threading.local()
    original_write = checking._Batch._write

    def write_when_all_have_read(self):
        if not getattr(first_write, "done", False):
            first_write.done = True
            all_read.wait(timeout=60)
        return original_write(self)

    monkeypatch.setattr(checking._Batch, "_write", write_when_all_have_read)

    outcomes, runs = _scan_at_once(event, secret, user)

    assert runs > PHONES  # scans failed on the unique constraint and were decided again
    assert CheckIn.objects.filter(undone=None).count() == 1
    assert outcomes["checked_in"] == 1
