"""Locks on things that may have no row yet to lock: an e-mail address, a user name."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def hold_until_commit(kind: str, key: str) -> None:
    """Make whoever holds the same `kind` and `key` wait until this transaction ends.

    A PostgreSQL advisory lock on a hash of both (64 bits, so unrelated keys meet only
    by a negligible chance, and then only wait). SQLite needs none: its transactions take
    the database's write lock when they begin (IMMEDIATE).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(kind, key)])


@contextmanager
def held(kind: str, key: str) -> Iterator[None]:
    """Make whoever holds the same `kind` and `key` wait until this block ends.

    A session lock, not a transaction's: the block may commit transactions of its own
    (progress others should see at once), and it holds no row. The lock ends with the block,
    or with the connection if the process dies. SQLite: none (see `hold_until_commit`); a
    caller that needs more than the order of work there checks what it read when it writes.
    """
    if connection.vendor != "postgresql":
        yield
        return
    lock_id = _lock_id(kind, key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock_id])
    try:
        yield
    finally:
        if connection.is_usable():  # a lost connection took its locks with it
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


def _lock_id(kind: str, key: str) -> int:
    digest = hashlib.sha256(f"{kind}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
