"""Locks on things that may have no row yet to lock: an e-mail address, a user name."""

import hashlib

from django.db import connection


def hold_until_commit(kind: str, key: str) -> None:
    """Make whoever holds the same `kind` and `key` wait until this transaction ends.

    A PostgreSQL advisory lock on a hash of both (64 bits, so unrelated keys meet only
    by a negligible chance, and then only wait). SQLite needs none: its transactions take
    the database's write lock when they begin (IMMEDIATE).
    """
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"{kind}\0{key}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)]
        )
