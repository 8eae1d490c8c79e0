"""A booking that takes a seat of a quota at the moment the sweep releases an expired hold
of the same quota, on PostgreSQL: both go through, never a database error (a 500 on the
booking form, a sweep that stops halfway).

The sweep locked each expired registration together with its event's row (FOR UPDATE, by
`select_related` without `of`) and then gave the seats back to the quota. The booking takes
its seat (the quota's row locked) as its last statement, and at its commit the new rows'
foreign keys lock the event's row (KEY SHARE, which FOR UPDATE keeps waiting): the booking
waited for the sweep's event lock, the sweep for the booking's quota, a deadlock. Now the
sweep locks only the registration. The negative control locks the event with it again."""

import threading
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.utils import timezone

from goedeburen.registration import services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Quota, Registration
from goedeburen.registration.services import capacity, expiry
from tests.seams import Rendezvous
from tests.threads import all_at_once

from .test_transition_races import _book, _world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _book_as_the_sweep_releases_the_hold(monkeypatch) -> tuple:
    """Book a free seat of a quota while the sweep releases an expired hold of it: the sweep
    starts once the booking has taken its seat, the booking commits once the sweep waits for
    a lock or is done."""
    event, ticket, quota = _world(size=2, price=Decimal("50"))
    held = _book(event, ticket)
    Registration.objects.filter(pk=held.pk).update(hold_until=timezone.now())
    rendezvous, taken = Rendezvous(), threading.Event()
    take_seats = capacity.take_seats

    def take_then_meet(*args, **kwargs):
        take_seats(*args, **kwargs)
        taken.set()
        rendezvous(None)

    monkeypatch.setattr(capacity, "take_seats", take_then_meet)

    def work(n):
        if n == 0:
            return _book(event, ticket)
        assert taken.wait(20)
        released = services.release_expired_holds()
        rendezvous(None)
        return released

    return held, quota, all_at_once(2, work)


def test_a_booking_as_the_sweep_releases_a_hold_does_both(on_postgresql, monkeypatch):
    held, quota, results = _book_as_the_sweep_releases_the_hold(monkeypatch)

    assert not [r for r in results if isinstance(r, Exception)], results
    booked, released = results
    assert released == 1
    assert booked.status == RegistrationStatus.PENDING_PAYMENT
    held.refresh_from_db()
    assert held.status == RegistrationStatus.CANCELLED
    assert Quota.objects.get(pk=quota.pk).taken == 1
    assert services.recount_seats(repair=False) == []


def test_negative_control_locking_the_event_with_the_hold_deadlocks(on_postgresql, monkeypatch):
    def with_its_event(pk):
        return Registration.objects.select_for_update().select_related("event").get(pk=pk)

    monkeypatch.setattr(expiry, "locked_for_release", with_its_event)

    _held, _quota, results = _book_as_the_sweep_releases_the_hold(monkeypatch)

    failed = [r for r in results if isinstance(r, Exception)]
    assert len(failed) == 1, results
    assert isinstance(failed[0], OperationalError)
    assert "deadlock detected" in str(failed[0])
