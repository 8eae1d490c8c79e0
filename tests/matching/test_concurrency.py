"""Races on PostgreSQL: two "start a run" at once make one run; two publishes leave one.

Threads call the real services, each on its own connection, released together by a barrier.
"""

import pytest
from django.db import connection

from goedeburen.matching import services
from goedeburen.matching.exceptions import MatchingError
from goedeburen.matching.models import AssignmentRun
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
