"""An organiser moving a person to another session of the published programme while the
booker cancels that person, on PostgreSQL: the cancellation goes through and the move is
refused with a message, never a database error (a 500 on the placement screen or the
manage page).

The move locked the placement, the person and their registration in one statement (in that
order); the cancellation locks the registration and then deletes the person with their
placements. Each held what the other needed next: a deadlock. Now the move locks the
registration first, as every change of a registration does. The negative control locks
in the old order again: one of the two fails."""

import threading

import pytest
from django.db import OperationalError, connection

from goedeburen.matching import services
from goedeburen.matching.exceptions import MatchingError
from goedeburen.matching.models import Placement
from goedeburen.matching.services import runs
from goedeburen.registration.models import Attendee
from goedeburen.registration.services import cancellation
from tests.factories import AttendeeFactory
from tests.matching.conftest import make_small
from tests.seams import Rendezvous
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    # Nothing runs the queued tasks: the race is about the two transactions.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _move_as_the_booker_cancels_them(monkeypatch) -> tuple:
    """Move a person of a published programme as their booker cancels them: the move starts
    once the cancellation holds the registration, the cancellation goes on once the move
    waits for a lock."""
    small = make_small(people=3)
    person = small.attendees[0]
    AttendeeFactory(registration=person.registration, ticket_type=small.ticket)
    run = services.execute_run(services.start_run(small.event, by=None).pk)
    services.publish_run(run, by=None)
    placement = Placement.objects.get(run=run, attendee=person, round=small.rounds[0])
    other = next(s for s in small.sessions[0] if s.pk != placement.session_id)
    rendezvous, registration_locked = Rendezvous(), threading.Event()
    locked = cancellation.locked

    def lock_then_meet(registration):
        found = locked(registration)
        registration_locked.set()
        rendezvous(None)
        return found

    monkeypatch.setattr(cancellation, "locked", lock_then_meet)

    def work(n):
        if n == 0:
            return cancellation.cancel_attendee(person, by=None, reason="ziek")
        assert registration_locked.wait(20)
        return services.move_placement(run, attendee=person, session=other, by=None)

    return person, all_at_once(2, work)


def test_moving_a_person_as_the_booker_cancels_them_refuses_the_move(monkeypatch):
    person, results = _move_as_the_booker_cancels_them(monkeypatch)

    cancelled, moved = results
    assert not isinstance(cancelled, Exception), results
    assert isinstance(moved, MatchingError), results
    assert not Attendee.objects.filter(pk=person.pk).exists()


def test_negative_control_locking_the_placement_first_deadlocks(monkeypatch):
    def placement_first(run, *, attendee, round_id):
        return (
            Placement.objects.select_for_update()
            .select_related("attendee__registration")
            .filter(run=run, attendee=attendee, round_id=round_id)
            .first()
        )

    monkeypatch.setattr(runs, "_lock_placement", placement_first)

    _person, results = _move_as_the_booker_cancels_them(monkeypatch)

    failed = [r for r in results if isinstance(r, OperationalError)]
    assert len(failed) == 1, results
    assert "deadlock detected" in str(failed[0])
