"""Publishing a programme while a participant cancels, on PostgreSQL: both go through, never
a database error (a 500 on the publish button or the manage page).

Publishing locked the event's row (FOR UPDATE) and queued a mail per registration, whose
foreign key locks the registration's row at the commit (KEY SHARE: Django's foreign keys are
checked at the commit); a cancellation locks its registration's row and writes a log entry,
whose foreign key locks the event's row at its commit. FOR UPDATE conflicts with KEY SHARE:
the two commits waited for each other, a deadlock. Now the event's row is locked FOR NO
KEY UPDATE, which still keeps two publishes (and runs) of one event apart but lets rows
that point at the event be written. The negative control locks the event FOR UPDATE
again: one of the two fails."""

import pytest
from django.db import OperationalError, connection

from goedeburen.events.models import Event
from goedeburen.matching import services
from goedeburen.matching.models import AssignmentRun
from goedeburen.matching.services import publishing
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from goedeburen.registration.services import cancellation
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


def _meet_with_both_rows_locked(monkeypatch) -> None:
    """Hold the publish after it locked the event, and the cancellation after it locked the
    registration, until the other has too (or waits for a lock)."""
    rendezvous = Rendezvous()
    to_tell, locked = publishing._registrations_to_tell, cancellation.locked

    def tell_after_meeting(run, previous):
        rendezvous(None)
        return to_tell(run, previous)

    def lock_then_meet(registration):
        found = locked(registration)
        rendezvous(None)
        return found

    monkeypatch.setattr(publishing, "_registrations_to_tell", tell_after_meeting)
    monkeypatch.setattr(cancellation, "locked", lock_then_meet)


def _publish_as_one_cancels():
    small = make_small(people=4)
    run = services.execute_run(services.start_run(small.event, by=None).pk)
    registration = small.attendees[0].registration

    def work(n):
        if n == 0:
            return services.publish_run(run, by=None)
        return cancellation.cancel_registration(registration, by=None, reason="ziek")

    return run, registration, all_at_once(2, work)


def test_publishing_as_a_participant_cancels_does_both(monkeypatch):
    _meet_with_both_rows_locked(monkeypatch)

    run, registration, results = _publish_as_one_cancels()

    assert not [r for r in results if isinstance(r, Exception)], results
    run.refresh_from_db()
    assert run.is_published
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_negative_control_with_the_event_locked_for_update_they_deadlock(monkeypatch):
    _meet_with_both_rows_locked(monkeypatch)

    def lock_for_update(event_id):
        Event.objects.select_for_update().get(pk=event_id)

    monkeypatch.setattr(publishing, "lock_event", lock_for_update)

    _run, _registration, results = _publish_as_one_cancels()

    failed = [r for r in results if isinstance(r, Exception)]
    assert len(failed) == 1, results
    assert isinstance(failed[0], OperationalError)
    assert "deadlock detected" in str(failed[0])
    assert AssignmentRun.objects.exists()
    assert Registration.objects.exists()
