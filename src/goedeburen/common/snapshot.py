"""Read figures once while the database cannot have changed them.

PostgreSQL's `pg_current_snapshot()` changes with every transaction that commits, or starts
writing, anywhere in the database cluster; while it reads the same, no row can read
differently. A figure read after a snapshot is therefore still exact as long as the
snapshot is the same (and the clock has not passed a moment that changes it, `until`).

Kept per process, for a few hundred keys; on another database than PostgreSQL, or inside a
transaction (whose own writes leave the snapshot as it is), everything is read every time.
"""

import datetime as dt
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

T = TypeVar("T")

# key -> (snapshot, the moment read for, the moment it may change, the figure)
_KEPT: dict[Hashable, tuple[str, dt.datetime, dt.datetime | None, object]] = {}
_KEPT_MAX = 256


def current() -> str | None:
    """Return the database's current snapshot, or None where it cannot vouch for reads."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        return cursor.fetchone()[0]


def kept(
    key: Hashable,
    read: Callable[[], T],
    *,
    until: Callable[[], dt.datetime | None] | None = None,
    now: dt.datetime | None = None,
) -> T:
    """Return `read()`, or what it returned before under `key` with the same snapshot, for
    a `now` from the moment it was read up to the moment `until()` gave then (None: no such
    moment). A figure read for a later moment (a hold already ended) is never given for an
    earlier one."""
    snapshot = current()
    if snapshot is None:
        return read()
    now = now or timezone.now()
    found = _KEPT.get(key)
    if (
        found is not None
        and found[0] == snapshot
        and found[1] <= now
        and (found[2] is None or now < found[2])
    ):
        return found[3]  # type: ignore[return-value]
    value = read()
    _KEPT.pop(key, None)
    _KEPT[key] = (snapshot, now, until() if until else None, value)
    if len(_KEPT) > _KEPT_MAX:
        _KEPT.pop(next(iter(_KEPT)))
    return value


def query_key(rows: QuerySet) -> tuple | None:
    """Return what identifies the rows of `rows` for `kept` (its database, SQL and parameters),
    or None for a query that is empty without asking the database (nothing to keep)."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return None
    return (rows.db, sql, repr(params))
