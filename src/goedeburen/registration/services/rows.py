"""Insert a row unless its unique value is taken, in one statement: the booking's hot path.

The ORM's way (a savepoint, `save()`, catch `IntegrityError`, or a SELECT first) costs two
or three statements and most of the CPU of building them; a registration makes two such
rows (its form token and itself). Both PostgreSQL and SQLite (3.35+) know
`INSERT … ON CONFLICT (…) DO NOTHING RETURNING`. The values are prepared by the model's own
fields, so the row is the one `save()` would write (tests/registration/test_rows.py).
"""

from django.db import connection, models


def insert_unless_taken(instance: models.Model, *, unique: str) -> bool:
    """Insert `instance` unless a row with its value of `unique` exists; return whether.

    On success the instance gets its primary key and is marked as saved. A concurrent
    insert of the same value makes this wait for that transaction (and then return False
    if it committed). Signals are not sent: only for models that no receiver watches.
    """
    meta = instance._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key or not f.db_returning]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    pk = meta.pk
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "  # noqa: S608 - names from the model
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({connection.ops.quote_name(meta.get_field(unique).column)}) DO NOTHING "
        f"RETURNING {connection.ops.quote_name(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    setattr(instance, pk.attname, row[0])
    instance._state.adding = False
    instance._state.db = connection.alias
    return True
