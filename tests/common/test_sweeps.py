"""A sweep task is enqueued once per minute per process (`common.tasks.enqueue_sweep_on_commit`):
a rush of holds ending in the same minute makes one run, not one per registration."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goedeburen.common.tasks import enqueue_sweep_on_commit, minute_after
from goedeburen.registration import tasks

pytestmark = pytest.mark.django_db(transaction=True)

SWEEP = tasks.release_expired_holds


def _runs() -> list[dt.datetime]:
    rows = DBTaskResult.objects.filter(task_path__endswith="release_expired_holds")
    return sorted(rows.values_list("run_after", flat=True))


def _enqueue(at: dt.datetime) -> None:
    with transaction.atomic():
        enqueue_sweep_on_commit(SWEEP, at=at)


def test_the_run_is_at_the_end_of_the_minute_and_a_whole_minute_stays():
    at = dt.datetime(2027, 1, 22, 9, 41, 5, 120, tzinfo=dt.UTC)
    assert minute_after(at) == dt.datetime(2027, 1, 22, 9, 42, tzinfo=dt.UTC)
    whole = dt.datetime(2027, 1, 22, 9, 42, tzinfo=dt.UTC)
    assert minute_after(whole) == whole


def test_holds_ending_in_one_minute_make_one_run_and_another_minute_its_own():
    start = minute_after(timezone.now()) + dt.timedelta(minutes=30)
    for second in range(0, 60, 2):  # thirty holds ending within one minute
        _enqueue(start + dt.timedelta(seconds=second, milliseconds=5))
    _enqueue(start + dt.timedelta(minutes=1, seconds=1))

    assert _runs() == [start + dt.timedelta(minutes=1), start + dt.timedelta(minutes=2)]


def test_a_rolled_back_transaction_leaves_the_next_one_to_enqueue():
    at = minute_after(timezone.now()) + dt.timedelta(minutes=10, seconds=3)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        enqueue_sweep_on_commit(SWEEP, at=at)
        raise ZeroDivisionError
    assert _runs() == []

    _enqueue(at)
    assert _runs() == [minute_after(at)]


def test_a_second_call_before_the_first_commits_enqueues_again():
    # Until a run has committed it is not remembered: two rows, never none.
    at = minute_after(timezone.now()) + dt.timedelta(minutes=20, seconds=7)
    with transaction.atomic():
        enqueue_sweep_on_commit(SWEEP, at=at)
        with transaction.atomic():  # a savepoint: the outer has not committed yet
            enqueue_sweep_on_commit(SWEEP, at=at)
    assert len(_runs()) == 2
