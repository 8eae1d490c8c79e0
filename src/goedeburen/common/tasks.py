"""Enqueue background work so that it only runs for data that was committed."""

import datetime as dt
import threading
from functools import partial

from django.db import router, transaction
from django.db.models.signals import pre_save


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Enqueue `task` so that it runs only if the current transaction commits.

    The database backend writes its task row in this transaction when it uses the same
    database: the row then commits or rolls back with the change it belongs to, at no
    extra round trip after the commit (a registration writes two such rows). The Redis
    backend pushes to a queue outside the transaction, so it is enqueued once the
    transaction commits, and never if it rolls back.
    """
    backend = task.get_backend()
    if _writes_in_this_transaction(backend):
        _enqueue_in_database(backend, task, [args], kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs), robust=True)


def enqueue_each_on_commit(task, calls: list[tuple]) -> None:
    """Enqueue `task` once per tuple of arguments in `calls`, as `enqueue_on_commit` would
    one by one; with the database backend, all rows in one INSERT."""
    backend = task.get_backend()
    if _writes_in_this_transaction(backend):
        _enqueue_in_database(backend, task, calls)
    else:
        for args in calls:
            transaction.on_commit(partial(task.enqueue, *args), robust=True)


# Sweeps this process has enqueued, committed: (task path, minute) -> None.
_sweeps: dict[tuple[str, dt.datetime], None] = {}
_sweeps_lock = threading.Lock()


def enqueue_sweep_on_commit(task, *, at: dt.datetime) -> None:
    """Have the sweep `task` (it handles everything due when it runs) run at `at` or
    within the minute after it, once this transaction commits.

    One run at the end of a minute serves everything due in that minute: a booking rush
    holds seats of thousands of registrations ending in the same few minutes, and every
    one enqueued its own run of the same sweep (a task row, and a worker run, each).
    So the run is set at the next whole minute and, in this process, enqueued once per
    minute: a later call for a minute whose run has committed enqueues nothing. A
    transaction that rolls back leaves nothing remembered; other processes enqueue their
    own (a few rows a minute instead of one per booking).
    """
    minute = minute_after(at)
    key = (task.module_path, minute)
    if key in _sweeps:
        return
    timed = task.using(run_after=minute)
    backend = timed.get_backend()
    if _writes_in_this_transaction(backend):
        _enqueue_in_database(backend, timed, [()])
        transaction.on_commit(partial(_remember_sweep, key))
    else:
        transaction.on_commit(partial(_enqueue_sweep, timed, key), robust=True)


def minute_after(at: dt.datetime) -> dt.datetime:
    """Return `at` if it is a whole minute, else the next whole minute."""
    minute = at.replace(second=0, microsecond=0)
    return minute if minute == at else minute + dt.timedelta(minutes=1)


def _enqueue_sweep(task, key) -> None:
    task.enqueue()
    _remember_sweep(key)  # only once it is enqueued: a failed push is tried again


def _remember_sweep(key) -> None:
    with _sweeps_lock:
        if len(_sweeps) >= 1000:  # forget the minutes gone by
            now = dt.datetime.now(dt.UTC)
            for old in [k for k in _sweeps if k[1] < now]:
                del _sweeps[old]
        _sweeps[key] = None


def forget_sweeps() -> None:
    """Forget which sweeps were enqueued (tests: their rows roll back with each test)."""
    with _sweeps_lock:
        _sweeps.clear()


class Pending:
    """Tasks to enqueue whose rows (`rows`) the caller writes with its own rows, in one
    round trip (`common.rows.insert_together`), and then calls `enqueued()`. With a
    backend that does not write in this transaction there are no rows: the tasks were
    handed to `transaction.on_commit` already."""

    def __init__(self):
        self.rows: list = []
        self._after: list = []

    def add(self, task, *args) -> None:
        """Enqueue `task` with `args` as `enqueue_on_commit` would."""
        backend = task.get_backend()
        if _writes_in_this_transaction(backend):
            rows = _task_rows(backend, task, [args])
            self.rows.extend(rows)
            self._after.append((backend, rows))
        else:
            transaction.on_commit(partial(task.enqueue, *args), robust=True)

    def enqueued(self) -> None:
        """Send what the backend sends once its rows are written."""
        for backend, rows in self._after:
            _rows_written(backend, rows)


def _writes_in_this_transaction(backend) -> bool:
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is installed everywhere
        return False
    return isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == "default"


def _enqueue_in_database(backend, task, calls: list[tuple], kwargs=None):
    """Do what the database backend's `enqueue` does once per arguments in `calls`, with
    the rows written by `common.rows.insert` (one statement) instead of `objects.create`,
    whose building of the statement cost more CPU than the rest of the task's enqueuing
    (tests/common/test_rows.py compares the rows)."""
    from .rows import insert

    rows = _task_rows(backend, task, calls, kwargs)
    insert(rows)
    _rows_written(backend, rows)


def _task_rows(backend, task, calls: list[tuple], kwargs=None) -> list:
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult

    backend.validate_task(task)
    rows = []
    for args in calls:
        row = DBTaskResult(
            id=backend._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs or {}}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=backend.alias,
        )
        # The library fills in what the task leaves open (`run_after`) in a pre_save receiver.
        pre_save.send(DBTaskResult, instance=row, raw=False, using="default", update_fields=None)
        rows.append(row)
    return rows


def _rows_written(backend, rows) -> None:
    from django_tasks_db.compat import task_enqueued

    if task_enqueued.has_listeners(type(backend)):
        for row in rows:
            task_enqueued.send(type(backend), task_result=row.task_result)


_WORKER_START: list = []


def on_worker_start(starter) -> None:
    """Have `goedeburen worker` call `starter()` before it works (e.g. to start a daily
    chain of tasks that re-enqueue themselves); a domain app registers it from `ready`."""
    if starter not in _WORKER_START:
        _WORKER_START.append(starter)


def worker_starting() -> None:
    """Call every starter registered with `on_worker_start`."""
    for starter in _WORKER_START:
        starter()
