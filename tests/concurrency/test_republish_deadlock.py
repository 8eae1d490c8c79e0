"""Publishing a new programme over a published one while a booker cancels one of the people
placed, on PostgreSQL: both go through, never a database error (a 500).

Publishing carries each placement's calendar sequence over from the programme before (its
rows of the new run updated, so locked) and queues a mail per registration, whose foreign
key locks the registration's row at the commit; cancelling the person locks the
registration and deletes the person with their placements. The commit waited for the
registration, the delete for the placement: a deadlock. Now publishing locks the
registrations it tells first, in order of id."""

import threading

import pytest
from django.db import OperationalError, connection

from goedeburen.matching import services
from goedeburen.matching.models import AssignmentRun
from goedeburen.matching.services import publishing
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
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _republish_as_the_booker_cancels_one(monkeypatch) -> tuple:
    small = make_small(people=3)
    person = small.attendees[0]
    AttendeeFactory(registration=person.registration, ticket_type=small.ticket)
    first = services.execute_run(services.start_run(small.event, by=None).pk)
    services.publish_run(first, by=None)
    second = services.execute_run(services.start_run(small.event, by=None).pk)
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
        return services.publish_run(second, by=None)

    return person, second, all_at_once(2, work)


def test_republishing_as_a_booker_cancels_a_person_does_both(monkeypatch):
    person, second, results = _republish_as_the_booker_cancels_one(monkeypatch)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert AssignmentRun.objects.get(pk=second.pk).is_published
    assert not Attendee.objects.filter(pk=person.pk).exists()


def test_negative_control_without_locking_the_registrations_first_deadlocks(monkeypatch):
    monkeypatch.setattr(publishing, "_lock_registrations", lambda registrations: None)

    _person, _second, results = _republish_as_the_booker_cancels_one(monkeypatch)

    failed = [r for r in results if isinstance(r, OperationalError)]
    assert len(failed) == 1, results
    assert "deadlock detected" in str(failed[0])
