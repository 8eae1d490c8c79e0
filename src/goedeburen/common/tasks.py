"""Enqueue background work so that it only runs for data that was committed."""

from functools import partial

from django.db import router, transaction


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Enqueue `task` so that it runs only if the current transaction commits.

    The database backend writes its task row in this transaction when it uses the same
    database: the row then commits or rolls back with the change it belongs to, at no
    extra round trip after the commit (a registration writes two such rows). The Redis
    backend pushes to a queue outside the transaction, so it is enqueued once the
    transaction commits, and never if it rolls back.
    """
    if _writes_in_this_transaction(task.get_backend()):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs), robust=True)


def _writes_in_this_transaction(backend) -> bool:
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is installed everywhere
        return False
    return isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == "default"


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
