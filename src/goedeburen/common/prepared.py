"""Querysets compiled once per process and run again with other parameters: hot paths.

Building a queryset and compiling it to SQL costs the ORM more CPU than PostgreSQL needs
to run a simple query (a locked registration with its event and organiser: about 1 ms
of Python per call, the same SQL every time but for a key and a date). A `Prepared`
query builds its queryset once per database, from sample parameters, and keeps the SQL,
the positions of the parameters and the ORM's own recipe for turning rows into instances
(fields, `select_related` populators, annotations, converters); each call then only
executes and builds the instances as the queryset would have (tests/common/test_prepared.py
compares them with the ORM's).

The parameters are found by compiling the queryset twice, from two different sets of
samples: the positions where the parameters differ are theirs, so a sample never has to be
told apart from a constant of the query by its value.

On PostgreSQL the statement is also prepared on the server, once per connection
(`PREPARE`, then `EXECUTE name(…)`): planning a join of four tables with three subqueries
cost PostgreSQL 1.6 ms a call, four times what running it costs. Prepared statements live
as long as the connection (whatever its transactions do); behind a pooler that hands one
client's statements to different server connections (PgBouncer in transaction mode),
switch them off with `DATABASE_PREPARED_STATEMENTS=false`.
"""

import functools
import hashlib
import re
import threading
import weakref

try:
    import psycopg
    from psycopg.pq import TransactionStatus
except ImportError:  # SQLite only
    psycopg = None
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators


@dataclass(frozen=True)
class _Plan:
    alias: str
    sql: str
    params: tuple
    slots: tuple  # (position, name, conversion or None)
    compiler: object
    converters: dict  # the compiler's, worked out once (it would per call: 0.2 ms a query)
    init_list: list
    start: int
    end: int
    populators: list
    annotations: dict
    name: str  # of the server-side prepared statement (PostgreSQL)


# Django's placeholders as PostgreSQL's numbered ones ("%%" is a literal percent sign).
_PLACEHOLDER = re.compile(r"%%|%s")

# Per server connection (psycopg's object), the names of the statements prepared on it
# (read from `pg_prepared_statements` when the connection is first used here).
_prepared_on: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Statements PostgreSQL would not prepare (a parameter of no type it can infer): run as SQL.
_unpreparable: set[str] = set()


class Prepared:
    """A query made by `build(**parameters)`, compiled once per database alias.

    `samples` and `others` are two sets of values for the parameters, differing in every
    one: `build` is called with each to find where the parameters go in the SQL.
    `build` must return a queryset whose SQL depends on the parameters' values only
    (never its shape: no `if` on a value).
    """

    def __init__(self, build: Callable[..., QuerySet], *, samples: dict, others: dict):
        self.build = build
        self.samples, self.others = samples, others
        self._plans: dict[str, _Plan] = {}
        self._lock = threading.Lock()

    def _plan(self) -> _Plan:
        # One database (alias) is all this project has: the first call compiles for it.
        plan = self._plans.get("plan")
        if plan is None:
            with self._lock:
                plan = self._plans.get("plan")
                if plan is None:
                    queryset = self.build(**self.samples)
                    plan = self._plans["plan"] = self._compile(queryset, queryset.db)
        return plan

    def _compile(self, queryset: QuerySet, alias: str) -> _Plan:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        other_sql, other_params = self.build(**self.others).query.get_compiler(alias).as_sql()
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError("the query's SQL depends on its parameters' values")
        slots = []
        for position, (one, two) in enumerate(zip(params, other_params, strict=True)):
            if one == two:
                continue
            names = [n for n, v in self.samples.items() if v == one or str(v) == str(one)]
            if len(names) != 1:
                raise ValueError(f"parameter {position} ({one!r}) is no one sample")
            name = names[0]
            sample = self.samples[name]
            # A backend may pass a value adapted (SQLite: a date as its ISO text).
            slots.append((position, name, None if type(one) is type(sample) else type(one)))
        found = {name for _position, name, _conversion in slots}
        if found != set(self.samples):
            raise ValueError(f"parameters not in the SQL: {set(self.samples) - found}")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        columns = [column[0] for column in select[0 : compiler.col_count]]
        return _Plan(
            alias=alias,
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            compiler=compiler,
            converters=compiler.get_converters(columns),
            init_list=[f[0].target.attname for f in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, alias),
            annotations=dict(compiler.annotation_col_map or {}),
            name=_name(sql),
        )

    def fetch(self, **values) -> list[Model]:
        """Return the instances the queryset built from `values` would return, in order."""
        plan = self._plan()
        connection = connections[plan.alias]
        params = self._params(plan, values)
        with connection.cursor() as cursor:
            cursor.execute(_statement(connection, plan, len(params)), params)
            return self._instances(plan, cursor.fetchall())

    def _params(self, plan: _Plan, values: dict) -> list:
        params = list(plan.params)
        for position, name, conversion in plan.slots:
            value = values[name]
            params[position] = value if conversion is None else conversion(value)
        return params

    def _instances(self, plan: _Plan, rows: list) -> list[Model]:
        model_cls = plan.compiler.query.model
        found = []
        if plan.converters:
            rows = plan.compiler.apply_converters(rows, plan.converters)
        for row in rows:
            obj = model_cls.from_db(plan.alias, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def fetch_together(*queries: tuple[Prepared, dict]) -> list[list[Model]]:
    """Return what each (prepared query, values) fetches, as `fetch` would one by one, run
    in this order; on PostgreSQL in one round trip (the queries sent as one string).

    For reads that do not wait for each other's answers (a registration and its
    attendees, an invoice and its lines): one wait for the database instead of several.
    """
    plans = [(prepared, prepared._plan(), values) for prepared, values in queries]
    connection = connections[plans[0][1].alias]
    if connection.vendor != "postgresql":
        return [prepared.fetch(**values) for prepared, _plan, values in plans]
    params = []
    for prepared, plan, values in plans:
        params.extend(prepared._params(plan, values))
    found = []
    with connection.cursor() as cursor:
        statements = [
            _statement(connection, plan, len(prepared._params(plan, values)))
            for prepared, plan, values in plans
        ]
        cursor.execute(";\n".join(statements), params)
        for n, (prepared, plan, _values) in enumerate(plans):
            if n:
                cursor.nextset()
            found.append(prepared._instances(plan, cursor.fetchall()))
    return found


def execute(cursor, sql: str, params: Sequence) -> None:
    """Execute `sql` (Django's `%s` placeholders) with `params` on `cursor` (a Django
    cursor), prepared on the server as the compiled reads are: for a hot query written
    out by hand."""
    statement = _written_out(sql, len(params))
    cursor.execute(_statement(cursor.db, statement, len(params)), params)


@functools.cache
def _written_out(sql: str, count: int) -> "_Statement":
    return _Statement(name=_name(sql), sql=sql, count=count)


@dataclass(frozen=True)
class _Statement:
    name: str
    sql: str
    count: int


# Name -> SQL of every statement named here: what an "EXECUTE name(…)" in a log runs.
_texts: dict[str, str] = {}
_EXECUTE = re.compile(r"EXECUTE (gb_[0-9a-f]{24})(\([^;]*\))?")


def _name(sql: str) -> str:
    name = "gb_" + hashlib.sha256(sql.encode()).hexdigest()[:24]
    _texts[name] = sql
    return name


def readable(logged: str) -> str:
    """Return a statement as logged (Django's captured queries, the debug log) with each
    `EXECUTE name(values)` of ours written as the SQL it runs (its values left out)."""
    return _EXECUTE.sub(lambda m: _texts.get(m[1], m[0]), logged)


def _statement(connection, plan, count: int) -> str:
    """Return the SQL that runs `plan` (a `_Plan` or `_Statement`) with `count` parameters
    on `connection`: EXECUTE of its prepared statement (prepared first if this connection
    has not got it), or the plain SQL where statements are not prepared."""
    if (
        connection.vendor != "postgresql"
        or not settings.DATABASE_PREPARED_STATEMENTS
        or plan.name in _unpreparable
    ):
        return plan.sql
    connection.ensure_connection()
    server = connection.connection
    names = _prepared_on.get(server)
    if names is None:
        names = _prepared_on[server] = _read_prepared(connection)
    if plan.name not in names:
        if not _prepare(connection, plan.name, plan.sql, count):
            return plan.sql
        names.add(plan.name)
    return f"EXECUTE {plan.name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {plan.name}"


def _read_prepared(connection) -> set[str]:
    # On the server connection itself, as `_prepare`: bookkeeping of the session, once per
    # connection, not one of the statements a request runs (nor counted as one).
    rows = connection.connection.execute("SELECT name FROM pg_prepared_statements").fetchall()
    return {name for (name,) in rows}


def _prepare(connection, name: str, sql: str, count: int) -> bool:
    """Prepare `sql` as `name` on the connection's server session; False if PostgreSQL
    refuses.

    In a savepoint when a transaction is open, so that a refusal leaves it usable; the
    prepared statement itself outlives every transaction of the session."""
    numbered = iter(range(1, count + 1))
    text = _PLACEHOLDER.sub(lambda m: "%" if m[0] == "%%" else f"${next(numbered)}", sql)
    server = connection.connection
    prepare = f"PREPARE {name} AS {text}"
    # Inside Django's atomic block psycopg opens the transaction with the first statement,
    # so its status may still say idle: a savepoint whenever autocommit is off.
    in_transaction = (
        not server.autocommit or server.info.transaction_status != TransactionStatus.IDLE
    )
    try:
        if in_transaction:
            server.execute(f"SAVEPOINT gb_prepare; {prepare}; RELEASE SAVEPOINT gb_prepare")
        else:
            server.execute(prepare)
    except psycopg.Error:
        if in_transaction:
            server.execute("ROLLBACK TO SAVEPOINT gb_prepare; RELEASE SAVEPOINT gb_prepare")
        _unpreparable.add(name)
        return False
    return True
