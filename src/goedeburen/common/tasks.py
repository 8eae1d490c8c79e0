"""Enqueue background work so that it only runs for data that was committed."""

from functools import partial

from django.db import transaction


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Enqueue `task` once the current transaction commits; never if it rolls back.

    The database backend would roll back its own row anyway, but the Redis backend pushes
    to a queue outside the transaction, so every caller goes through here.
    """
    transaction.on_commit(partial(task.enqueue, *args, **kwargs), robust=True)
