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
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

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
        )

    def fetch(self, **values) -> list[Model]:
        """Return the instances the queryset built from `values` would return, in order."""
        plan = self._plan()
        with connections[plan.alias].cursor() as cursor:
            cursor.execute(plan.sql, self._params(plan, values))
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
        cursor.execute(";\n".join(plan.sql for _prepared, plan, _values in plans), params)
        for n, (prepared, plan, _values) in enumerate(plans):
            if n:
                cursor.nextset()
            found.append(prepared._instances(plan, cursor.fetchall()))
    return found
