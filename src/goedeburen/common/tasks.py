"""Enqueue background work so that it only runs for data that was committed."""

from functools import partial

from django.db import transaction


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Enqueue `task` once the current transaction commits; never if it rolls back.

    The database backend would roll back its own row anyway, but the Redis backend pushes
    to a queue outside the transaction, so every caller goes through here.
    """
    transaction.on_commit(partial(task.enqueue, *args, **kwargs), robust=True)


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
