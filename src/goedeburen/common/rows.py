"""Insert rows in one plain statement each: the booking's hot path.

The ORM's `create()` and `bulk_create()` spend most of a row's CPU building the statement
(on PostgreSQL `bulk_create` adapts every column as an array for `UNNEST`); a registration
writes nine rows in seven tables. These functions write the very row the ORM would: the
values are prepared by the model's own fields (`pre_save`, `get_db_prep_save`, so
`auto_now_add`, defaults and JSON are as `save()` makes them), the statement text is built
once per model and row count, and the instances get their primary keys and are marked as
saved (tests/common/test_rows.py compares the rows with the ORM's).

Like `bulk_create`, they send no model signals and call no `save()` override: use them only
for models whose saving nothing else listens to. Both PostgreSQL and SQLite (3.35+) know
`INSERT … VALUES … RETURNING` and `ON CONFLICT … DO NOTHING`.
"""

from collections.abc import Sequence
from functools import cache

from django.db import connections, models, router


@cache
def _plan(
    model: type[models.Model], alias: str, with_pk: bool = False
) -> tuple[list, str, str, str]:
    """Return the fields written, the INSERT's head, its RETURNING clause and one row's
    placeholders, for `model` on the database `alias` (`with_pk`: keys given, not made)."""
    ops = connections[alias].ops
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_pk or not (f.primary_key and f.db_returning)]
    head = (
        f"INSERT INTO {ops.quote_name(meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(ops.quote_name(f.column) for f in fields)}) VALUES "
    )
    returning = f" RETURNING {ops.quote_name(meta.pk.column)}"
    return fields, head, returning, f"({', '.join(['%s'] * len(fields))})"


def _values(instance: models.Model, fields, connection) -> list:
    instance._prepare_related_fields_for_save(operation_name="insert")
    return [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]


def _saved(instance: models.Model, pk, alias: str) -> None:
    setattr(instance, instance._meta.pk.attname, pk)
    instance._state.adding = False
    instance._state.db = alias


# At most this many rows in one statement (and no more than the database takes parameters).
BATCH_SIZE = 500


def insert(instances: Sequence[models.Model]) -> list[models.Model]:
    """Insert `instances` (all of one model) in one INSERT (one per `BATCH_SIZE` rows);
    return them, with their keys.

    Side effects: the rows; the instances' primary keys and saved state.
    """
    instances = list(instances)
    if not instances:
        return instances
    model = type(instances[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields, head, returning, row = _plan(model, alias, instances[0].pk is not None)
    size = max(1, min(BATCH_SIZE, connection.ops.bulk_batch_size(fields, instances)))
    for start in range(0, len(instances), size):
        batch = instances[start : start + size]
        params = []
        for instance in batch:
            params.extend(_values(instance, fields, connection))
        with connection.cursor() as cursor:
            cursor.execute(head + ", ".join([row] * len(batch)) + returning, params)
            keys = [found[0] for found in cursor.fetchall()]
        for instance, pk in zip(batch, keys, strict=True):
            _saved(instance, pk, alias)
    return instances


def _statement(instances: list, connection, alias: str) -> tuple[str, list]:
    """Return the INSERT of `instances` (one model, keys all given or all not) and its
    parameters."""
    with_pk = instances[0].pk is not None
    fields, head, returning, row = _plan(type(instances[0]), alias, with_pk)
    params = []
    for instance in instances:
        params.extend(_values(instance, fields, connection))
    return head + ", ".join([row] * len(instances)) + returning, params


def insert_together(*groups: Sequence[models.Model]) -> None:
    """Insert each group of instances (each of one model, all on one database), in this
    order, as `insert` would group by group; on PostgreSQL in one round trip.

    An invoice, its lines, its log entry and its mail task are four statements whose
    answers nothing in between waits for; sent as one string they cost one wait for
    the database instead of four (the statements and rows are the same). Keys an
    instance has (taken from the sequence beforehand) are written as given.

    Side effects: the rows; the instances' primary keys and saved state.
    """
    groups = [list(group) for group in groups if group]
    if not groups:
        return
    alias = router.db_for_write(type(groups[0][0]))
    connection = connections[alias]
    if connection.vendor != "postgresql" or any(len(group) > BATCH_SIZE for group in groups):
        for group in groups:  # SQLite runs one statement per call
            insert(group)
        return
    statements, params = [], []
    for group in groups:
        sql, values = _statement(group, connection, alias)
        statements.append(sql)
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute(";\n".join(statements), params)
        for n, group in enumerate(groups):
            if n:
                cursor.nextset()
            keys = [found[0] for found in cursor.fetchall()]
            for instance, pk in zip(group, keys, strict=True):
                _saved(instance, pk, alias)


def insert_unless_taken(instance: models.Model, *, unique: str) -> bool:
    """Insert `instance` unless a row with its value of `unique` exists; return whether.

    On success the instance gets its primary key and is marked as saved. A concurrent
    insert of the same value makes this wait for that transaction (and then return False
    if it committed). The ORM's way (a savepoint, `save()`, catch `IntegrityError`, or a
    SELECT first) costs two or three statements.
    """
    model = type(instance)
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields, head, returning, row = _plan(model, alias)
    column = connection.ops.quote_name(model._meta.get_field(unique).column)
    sql = f"{head}{row} ON CONFLICT ({column}) DO NOTHING{returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, _values(instance, fields, connection))
        found = cursor.fetchone()
    if found is None:
        return False
    _saved(instance, found[0], alias)
    return True
