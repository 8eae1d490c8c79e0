"""Races on PostgreSQL: two "start a run" at once make one run; two publishes leave one; the
published programme changed while a booker cancels never deadlocks.

Threads call the real services, each on its own connection, released together by a barrier.
"""

import threading

import pytest
from django.db import OperationalError, connection

from goedeburen.events.models import Event
from goedeburen.matching import services
from goedeburen.matching.exceptions import MatchingError
from goedeburen.matching.models import AssignmentRun, Placement
from goedeburen.matching.services import publishing, runs
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee
from goedeburen.registration.services import cancellation
from tests.factories import AttendeeFactory
from tests.seams import meet_after
from tests.threads import all_at_once

from .conftest import make_small

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    # Nothing runs the queued runs: the race is about starting them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_eight_organisers_starting_a_run_at_once_start_one():
    small = make_small(people=4)

    results = all_at_once(8, lambda n: services.start_run(small.event, by=None))

    runs = [r for r in results if isinstance(r, AssignmentRun)]
    refused = [r for r in results if isinstance(r, MatchingError)]
    assert (len(runs), len(refused)) == (1, 7)
    assert {r.code for r in refused} == {"busy"}
    assert AssignmentRun.objects.filter(event=small.event).count() == 1


def test_publishing_two_runs_at_once_leaves_exactly_one_published():
    small = make_small(people=4)
    done = []
    for _ in range(2):
        run = services.start_run(small.event, by=None)
        done.append(services.execute_run(run.pk))

    results = all_at_once(2, lambda n: services.publish_run(done[n], by=None))

    assert all(isinstance(r, AssignmentRun) for r in results), results
    assert AssignmentRun.objects.filter(event=small.event, is_published=True).count() == 1


def _save_twice_at_once(small, monkeypatch, *, lock: bool) -> list:
    """Save one attendee's choices twice at once (a double click) over earlier choices.

    With the registration's row lock, the first save holds it and the second waits (the
    rendezvous lets the first on once the second waits for the lock). Without it (the
    negative control) the first save, its rows replaced, waits before it commits until
    the second waits too (for the earlier rows, which the first deleted): the second's
    delete then goes on without the rows the first inserted.
    """
    import time

    from goedeburen.matching.services import preferences
    from goedeburen.registration.models import Registration
    from tests.seams import Rendezvous, someone_waits_for_a_lock

    attendee = small.attendees[0]
    first, second = small.sessions[0][:2]
    services.save_rankings(attendee, rankings={small.rounds[0].pk: [second.pk]})
    rendezvous = Rendezvous()
    locked, log_action = preferences.lock_registration, preferences.log_action

    def read(registration):
        found = locked(registration)
        rendezvous(None)
        return found

    def unlocked(registration):
        return Registration.objects.get(pk=registration.pk)

    def log_when_the_other_waits(*args, **kwargs):
        deadline = time.monotonic() + 20
        while not someone_waits_for_a_lock():
            assert time.monotonic() < deadline, "the other save never came"
            time.sleep(0.005)  # polling a condition, with a deadline
        return log_action(*args, **kwargs)

    if lock:
        monkeypatch.setattr(preferences, "lock_registration", read)
    else:
        monkeypatch.setattr(preferences, "lock_registration", unlocked)
        monkeypatch.setattr(preferences, "log_action", log_when_the_other_waits)
    return all_at_once(
        2,
        lambda n: services.save_rankings(
            attendee, rankings={small.rounds[0].pk: [first.pk, second.pk]}
        ),
    )


def test_one_attendee_saving_choices_twice_at_once_keeps_one_set(monkeypatch):
    from goedeburen.matching.models import Ranking

    small = make_small(people=1)

    results = _save_twice_at_once(small, monkeypatch, lock=True)

    assert [type(r) for r in results] == [list, list], results
    first, second = small.sessions[0][:2]
    assert list(Ranking.objects.order_by("rank").values_list("session_id", "rank")) == [
        (first.pk, 1),
        (second.pk, 2),
    ]


def test_without_the_registration_lock_the_second_save_breaks_on_the_duplicate(monkeypatch):
    # Negative control: both saves delete the old rows before either inserts, and the
    # second insert runs into the first's rows (the 500 a double click gave).
    from django.db import IntegrityError

    small = make_small(people=1)

    results = _save_twice_at_once(small, monkeypatch, lock=False)

    assert sorted(type(r).__name__ for r in results) == ["IntegrityError", "list"], results
    assert any(isinstance(r, IntegrityError) for r in results)


def test_choices_saved_as_the_attendee_is_cancelled_are_refused_not_broken():
    from goedeburen.matching.exceptions import MatchingError
    from goedeburen.matching.models import Ranking
    from goedeburen.registration import services as registration_services

    small = make_small(people=1)
    attendee = small.attendees[0]
    registration_services.cancel_registration(attendee.registration, by=None, reason="test")

    # The attendee object still says "confirmed", as the page that posted it read it.
    with pytest.raises(MatchingError) as refused:
        services.save_rankings(attendee, rankings={small.rounds[0].pk: [small.sessions[0][0].pk]})

    assert refused.value.code == "not_attending"
    assert Ranking.objects.count() == 0


# The published programme changed while a booker cancels: both go through (or the
# organiser's move is refused with a message), never a database error (a 500). Django
# checks foreign keys at the commit: a row that points at a registration or an event locks
# that row then (KEY SHARE), which a FOR UPDATE lock keeps waiting. Each test holds the
# cancellation after it locked the registration and starts the organiser's change only
# then; the negative controls take each fix away and the two meet in a deadlock.
#
# - Publishing locked the event's row FOR UPDATE and queued a mail per registration; the
#   cancellation's log entry points at the event: the two waited for each other. Now the
#   event is locked FOR NO KEY UPDATE (`publishing.lock_event`).
# - Publishing over an earlier programme updates the new run's placements; cancelling a
#   person deletes theirs, after locking the registration the publish's mails point at.
#   Now publishing locks the registrations it tells first (`_lock_registrations`).
# - Moving a person by hand locked the placement, the person and their registration in
#   one statement, in that order, against the cancellation's registration, then
#   placements. Now the move locks the registration first (`runs._lock_placement`).


@pytest.fixture
def published():
    """A published programme; the first person's registration has a second person."""
    small = make_small(people=3)
    AttendeeFactory(registration=small.attendees[0].registration, ticket_type=small.ticket)
    services.publish_run(_done_run(small), by=None)
    return small


def _done_run(small):
    return services.execute_run(services.start_run(small.event, by=None).pk)


def _as_the_booker_cancels(monkeypatch, cancel, change) -> list:
    """Run `cancel()` and, once it holds the registration, `change()`; the cancellation goes
    on once the change waits for a lock."""
    registration_locked = meet_after(monkeypatch.setattr, cancellation, "locked")

    def work(n):
        if n == 0:
            return cancel()
        assert registration_locked.wait(20)
        return change()

    return all_at_once(2, work)


def _assert_one_deadlock(results) -> None:
    failed = [r for r in results if isinstance(r, OperationalError)]
    assert len(failed) == 1, results
    assert "deadlock detected" in str(failed[0])


def _publish_as_the_booker_cancels(small, monkeypatch, *, whole: bool) -> tuple:
    """Publish a new run as a booker cancels their registration (`whole`) or one person."""
    run, person = _done_run(small), small.attendees[1 if whole else 0]

    def cancel():
        if whole:
            return cancellation.cancel_registration(person.registration, by=None, reason="ziek")
        return cancellation.cancel_attendee(person, by=None, reason="ziek")

    results = _as_the_booker_cancels(
        monkeypatch, cancel, lambda: services.publish_run(run, by=None)
    )
    return run, person, results


@pytest.mark.parametrize("whole", [True, False], ids=["registration", "person"])
def test_publishing_as_a_booker_cancels_does_both(published, monkeypatch, whole):
    run, person, results = _publish_as_the_booker_cancels(published, monkeypatch, whole=whole)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert AssignmentRun.objects.get(pk=run.pk).is_published
    person.registration.refresh_from_db()
    assert (person.registration.status == RegistrationStatus.CANCELLED) == whole
    assert Attendee.objects.filter(pk=person.pk).exists() == whole


def test_negative_control_with_the_event_locked_for_update_publishing_deadlocks(
    published, monkeypatch
):
    def lock_for_update(event_id):
        Event.objects.select_for_update().get(pk=event_id)

    monkeypatch.setattr(publishing, "lock_event", lock_for_update)

    _assert_one_deadlock(_publish_as_the_booker_cancels(published, monkeypatch, whole=True)[2])


def test_negative_control_without_locking_the_registrations_first_publishing_deadlocks(
    published, monkeypatch
):
    monkeypatch.setattr(publishing, "_lock_registrations", lambda registrations: None)

    _assert_one_deadlock(_publish_as_the_booker_cancels(published, monkeypatch, whole=False)[2])


def _move_as_the_person_is_cancelled(small, monkeypatch) -> tuple:
    person = small.attendees[0]
    run = AssignmentRun.objects.get(event=small.event, is_published=True)
    placement = Placement.objects.get(run=run, attendee=person, round=small.rounds[0])
    other = next(s for s in small.sessions[0] if s.pk != placement.session_id)
    results = _as_the_booker_cancels(
        monkeypatch,
        lambda: cancellation.cancel_attendee(person, by=None, reason="ziek"),
        lambda: services.move_placement(run, attendee=person, session=other, by=None),
    )
    return person, results


def test_moving_a_person_as_the_booker_cancels_them_refuses_the_move(published, monkeypatch):
    person, (cancelled, moved) = _move_as_the_person_is_cancelled(published, monkeypatch)

    assert not isinstance(cancelled, Exception), (cancelled, moved)
    assert isinstance(moved, MatchingError), (cancelled, moved)
    assert not Attendee.objects.filter(pk=person.pk).exists()


def test_negative_control_locking_the_placement_first_moving_deadlocks(published, monkeypatch):
    def placement_first(run, *, attendee, round_id):
        return (
            Placement.objects.select_for_update()
            .select_related("attendee__registration")
            .filter(run=run, attendee=attendee, round_id=round_id)
            .first()
        )

    monkeypatch.setattr(runs, "_lock_placement", placement_first)

    _assert_one_deadlock(_move_as_the_person_is_cancelled(published, monkeypatch)[1])


# An incremental run (queued by a change after publishing) solves without holding the
# event's row: a solve may take a minute, and publishing, starting a run or changing the
# event's status lock that row. What it holds is a session lock of its own (one such run
# at a time per event); the event is locked only to store and publish the result, after
# checking that the placement it started from is still the published one.


def _publish_by_hand_while_an_incremental_run_solves(small, monkeypatch) -> tuple:
    """Publish a run by hand once the incremental run is in its solve; the solve goes on
    when the publish has returned, or when it waits for a lock. Returns the incremental
    run, the run published by hand, both results and whether the publish waited."""
    from tests.seams import Rendezvous

    by_hand = _done_run(small)
    cancellation.cancel_registration(small.attendees[2].registration, by=None, reason="ziek")
    incremental = AssignmentRun.objects.get(event=small.event, status="queued")
    solving, rendezvous, solve = threading.Event(), Rendezvous(), runs.solve
    publish_waited = []

    def solve_after_the_publish(*args, **kwargs):
        solving.set()
        rendezvous(None)
        publish_waited.append(rendezvous.arrived < 2)
        return solve(*args, **kwargs)

    monkeypatch.setattr(runs, "solve", solve_after_the_publish)

    def work(n):
        if n == 0:
            return services.execute_run(incremental.pk)
        assert solving.wait(20)
        published = services.publish_run(by_hand, by=None)
        rendezvous(None)
        return published

    results = all_at_once(2, work)
    return incremental, by_hand, results, publish_waited


def test_publishing_by_hand_while_an_incremental_run_solves_neither_waits_nor_is_undone(
    published, monkeypatch
):
    incremental, by_hand, results, publish_waited = (
        _publish_by_hand_while_an_incremental_run_solves(published, monkeypatch)
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert publish_waited == [False]
    incremental.refresh_from_db()
    assert (incremental.status, incremental.phase) == ("superseded", "base_changed")
    assert not Placement.objects.filter(run=incremental).exists()
    assert AssignmentRun.objects.get(is_published=True) == by_hand
    # The change the incremental run was for is solved again, from what is published now.
    follow_up = AssignmentRun.objects.get(event=published.event, status="queued")
    assert follow_up.base == by_hand
    run = services.execute_run(follow_up.pk)
    assert (run.status, run.is_published) == ("done", True)
    placed = set(Placement.objects.filter(run=run).values_list("attendee_id", flat=True))
    assert published.attendees[2].pk not in placed


def test_negative_control_with_the_event_locked_for_the_solve_publishing_waits(
    published, monkeypatch
):
    from contextlib import contextmanager

    from django.db import transaction

    @contextmanager
    def event_locked(kind, key):
        with transaction.atomic():
            publishing.lock_event(int(key))
            yield

    monkeypatch.setattr(runs.locks, "held", event_locked)

    incremental, by_hand, results, publish_waited = (
        _publish_by_hand_while_an_incremental_run_solves(published, monkeypatch)
    )

    assert publish_waited == [True]
    assert not [r for r in results if isinstance(r, Exception)], results


def _two_incremental_runs_at_once(small, monkeypatch) -> list:
    """A change after publishing queues a run; a second change comes while the first run
    builds, and a second worker takes its run at once. Each run's build waits until the
    other's has come as far, or waits for a lock."""
    from tests.seams import Rendezvous

    cancellation.cancel_registration(small.attendees[2].registration, by=None, reason="ziek")
    first = AssignmentRun.objects.get(event=small.event, status="queued")
    building, rendezvous, build = threading.Event(), Rendezvous(), runs.build_instance

    def build_when_both_came(event):
        building.set()
        rendezvous(None)
        return build(event)

    monkeypatch.setattr(runs, "build_instance", build_when_both_came)

    def work(n):
        if n == 0:
            return services.execute_run(first.pk)
        assert building.wait(20)
        cancellation.cancel_registration(small.attendees[1].registration, by=None, reason="ziek")
        second = AssignmentRun.objects.get(event=small.event, status="queued")
        return services.execute_run(second.pk)

    return all_at_once(2, work)


def test_two_incremental_runs_of_an_event_solve_one_after_the_other(published, monkeypatch):
    results = _two_incremental_runs_at_once(published, monkeypatch)

    assert [(r.status, r.phase) for r in results] == [("done", "done")] * 2, results
    assert AssignmentRun.objects.get(is_published=True) == results[1]
    placed = set(Placement.objects.filter(run=results[1]).values_list("attendee_id", flat=True))
    assert placed.isdisjoint(person.pk for person in published.attendees[1:3])


def test_negative_control_without_the_run_lock_both_solve_from_one_base(published, monkeypatch):
    # Still right (the later one sees the base changed and queues a run from it), but a
    # whole solve is thrown away.
    from contextlib import nullcontext

    monkeypatch.setattr(runs.locks, "held", lambda kind, key: nullcontext())

    results = _two_incremental_runs_at_once(published, monkeypatch)

    assert sorted((r.status, r.phase) for r in results) == [
        ("done", "done"),
        ("superseded", "base_changed"),
    ], results
