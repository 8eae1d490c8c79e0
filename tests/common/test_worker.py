"""Background work through a real `goedeburen worker` process, on both task backends.

The worker runs as a subprocess with the test settings, pointed at this test's database
(GOEDEBUREN_TEST_DB_NAME) and, for RQ, at this test process's own queue. The tests use
`transaction=True` so that the subprocess sees what the test committed.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from icalendar import Calendar

from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.demo import load_demo
from goedeburen.events.models import Event
from goedeburen.events.tasks import render_calendar
from tests.factories import EventFactory
from tests.processes import child_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


class Rollback(Exception):
    """Raised inside a transaction to roll it back."""


def _redis(settings):
    from redis import Redis

    return Redis.from_url(settings.TEST_REDIS_URL, socket_connect_timeout=2)


def _rq_queue(settings):
    import django_rq
    from django_tasks_rq.backend import Job

    return django_rq.get_queue(settings.RQ_TEST_QUEUE, job_class=Job)


def _forget_rq_queue(settings) -> None:
    """Delete this test queue, its jobs, results and registries, and nothing else in Redis."""
    queue = _rq_queue(settings)
    redis = queue.connection
    job_ids = set()
    for registry in (
        queue.finished_job_registry,
        queue.failed_job_registry,
        queue.started_job_registry,
    ):
        job_ids.update(registry.get_job_ids())
    for job_id in job_ids:
        redis.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    queue.delete(delete_jobs=True)
    for key in redis.scan_iter(match=f"*{settings.RQ_TEST_QUEUE}*"):
        redis.delete(key)


@pytest.fixture
def rq_queue(settings):
    """This test process's RQ queue, emptied before and after; skip when Redis is down."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        _redis(settings).ping()
    except RedisConnectionError as error:
        reason = f"Redis is not reachable at {settings.TEST_REDIS_URL} ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true needs Redis for the RQ worker tests.")
        pytest.skip(f"{reason}; the RQ worker tests need it.")
    _forget_rq_queue(settings)
    yield _rq_queue(settings)
    _forget_rq_queue(settings)


@pytest.fixture(params=["database", "rq"])
def backend(request):
    """The alias in tests.settings.TASKS of the backend under test."""
    if request.param == "rq":
        request.getfixturevalue("rq_queue")
    return request.param


@pytest.fixture
def bound_render_calendar(backend, settings):
    """`render_calendar` sent to the backend under test (and, for RQ, to the test queue)."""
    if backend == "rq":
        return render_calendar.using(backend="rq", queue_name=settings.RQ_TEST_QUEUE)
    return render_calendar.using(backend="database")


@pytest.fixture
def worker(backend, settings, tmp_path):
    """Start `goedeburen worker` for the backend under test; stop it cleanly afterwards."""
    env = child_env(
        GOEDEBUREN_TEST_RQ_QUEUE=settings.RQ_TEST_QUEUE, MEDIA_ROOT=str(settings.MEDIA_ROOT)
    )
    env.pop("REDIS_URL", None)
    if backend == "rq":
        env["REDIS_URL"] = settings.TEST_REDIS_URL
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "goedeburen", "worker", "--backend", backend],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log = log_path
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        returncode = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"the worker did not stop on SIGTERM:\n{log_path.read_text()}")
    assert returncode == 0, f"the worker exited with {returncode}:\n{log_path.read_text()}"


def _wait_for_calendar(event: Event, worker) -> str:
    """Return the event's stored calendar file name once the worker has written it."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        name = Event.objects.values_list("calendar_file", flat=True).get(pk=event.pk)
        if name:
            return name
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}:\n{worker.log.read_text()}")
        time.sleep(0.1)
    pytest.fail(f"no calendar after {WAIT_SECONDS} s:\n{worker.log.read_text()}")


def _queued_task_count(backend, settings) -> int:
    if backend == "rq":
        return _rq_queue(settings).count
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(backend_name="database").count()


def test_enqueue_on_commit_in_rolled_back_transaction_never_runs(
    backend, bound_render_calendar, worker, settings
):
    rolled_back, committed = EventFactory(), EventFactory()

    with pytest.raises(Rollback), transaction.atomic():
        enqueue_on_commit(bound_render_calendar, rolled_back.pk)
        raise Rollback
    queued_after_rollback = _queued_task_count(backend, settings)
    # The worker takes tasks in order, so once the committed one ran, the other never will.
    enqueue_on_commit(bound_render_calendar, committed.pk)
    _wait_for_calendar(committed, worker)

    assert queued_after_rollback == 0
    rolled_back.refresh_from_db()
    assert rolled_back.calendar_file.name == ""


def test_enqueue_on_commit_runs_in_worker_after_commit(
    backend, bound_render_calendar, worker, settings
):
    event, _ = load_demo()

    with transaction.atomic():
        enqueue_on_commit(bound_render_calendar, event.pk)
    name = _wait_for_calendar(event, worker)

    assert name == "calendars/goede-buren.ics"
    calendar = Calendar.from_ical((Path(settings.MEDIA_ROOT) / name).read_bytes())
    (whole_day,) = [
        entry for entry in calendar.walk("VEVENT") if entry["UID"] == "event@goede-buren.goedeburen"
    ]
    amsterdam = ZoneInfo("Europe/Amsterdam")
    assert whole_day["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert whole_day.decoded("DTSTART") == dt.datetime(2018, 1, 26, 10, 0, tzinfo=amsterdam)
    assert whole_day.decoded("DTEND") == dt.datetime(2018, 1, 26, 16, 30, tzinfo=amsterdam)


def test_direct_enqueue_in_rolled_back_transaction_reaches_redis(rq_queue, settings):
    """Negative control: without `enqueue_on_commit`, RQ keeps a job for rolled-back data."""
    event = EventFactory()
    task = render_calendar.using(backend="rq", queue_name=settings.RQ_TEST_QUEUE)

    with pytest.raises(Rollback), transaction.atomic():
        result = task.enqueue(event.pk)
        raise Rollback

    assert rq_queue.get_job_ids() == [result.id]
