"""Compiled reads are prepared on the PostgreSQL server once per connection
(`common.prepared`), and stay correct whatever the connection and its transactions do."""

import pytest
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from goedeburen.common import prepared as prepared_module
from goedeburen.common.prepared import Prepared, fetch_together
from goedeburen.events.models import Organiser
from tests.factories.events import OrganiserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("on_postgresql")]


def _by_pk(pk):
    return Organiser.objects.filter(pk=pk).order_by("pk")


def _by_slug(slug):
    return Organiser.objects.filter(slug=slug).order_by("pk")


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


class Statements:
    """The statements run through Django, as the database sees them."""

    def __init__(self):
        self.sql = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)


def test_a_read_is_prepared_once_and_then_executed_by_name():
    one, two = OrganiserFactory(), OrganiserFactory()
    read = Prepared(_by_pk, samples={"pk": 1}, others={"pk": 2})
    seen = Statements()
    with connection.execute_wrapper(seen):
        assert read.fetch(pk=one.pk) == [one]
        assert read.fetch(pk=two.pk) == [two]
    name = read._plan().name
    assert name in _prepared_names()
    assert seen.sql == [f"EXECUTE {name}(%s)"] * 2


def test_a_percent_sign_in_the_query_stays_a_percent_sign():
    organiser = OrganiserFactory()

    def with_percent(pk):  # Django writes a literal percent sign in its SQL as "%%"
        return _by_pk(pk).annotate(share=RawSQL("'100%%'", ()))

    read = Prepared(with_percent, samples={"pk": 1}, others={"pk": 2})
    (found,) = read.fetch(pk=organiser.pk)
    assert found.share == "100%"
    assert read._plan().name in _prepared_names()


def test_a_new_connection_prepares_again():
    organiser = OrganiserFactory()
    read = Prepared(_by_pk, samples={"pk": 1}, others={"pk": 2})
    assert read.fetch(pk=organiser.pk) == [organiser]
    connection.close()
    assert read._plan().name not in _prepared_names()
    assert read.fetch(pk=organiser.pk) == [organiser]
    assert read._plan().name in _prepared_names()


def test_the_statement_outlives_the_transaction_that_prepared_it():
    organiser = OrganiserFactory()
    read = Prepared(_by_pk, samples={"pk": 1}, others={"pk": 2})
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert read.fetch(pk=organiser.pk) == [organiser]
        raise ZeroDivisionError  # rolls back the transaction it was prepared in
    with transaction.atomic():
        assert read.fetch(pk=organiser.pk) == [organiser]


def test_reads_fetched_together_run_their_prepared_statements_in_one_round_trip():
    one, two = OrganiserFactory(), OrganiserFactory()
    by_pk = Prepared(_by_pk, samples={"pk": 1}, others={"pk": 2})
    by_slug = Prepared(_by_slug, samples={"slug": "a"}, others={"slug": "b"})
    seen = Statements()
    with connection.execute_wrapper(seen):
        found = fetch_together((by_pk, {"pk": one.pk}), (by_slug, {"slug": two.slug}))
    assert found == [[one], [two]]
    assert seen.sql == [f"EXECUTE {by_pk._plan().name}(%s);\nEXECUTE {by_slug._plan().name}(%s)"]


def test_a_query_postgresql_will_not_prepare_runs_as_sql_and_spoils_no_transaction():
    organiser = OrganiserFactory()

    def with_untyped_value(pk):  # "$1 IS NULL": no type to infer for the parameter
        return _by_pk(pk).annotate(unknown=RawSQL("%s IS NULL", (pk,)))

    read = Prepared(with_untyped_value, samples={"pk": 1}, others={"pk": 2})
    with transaction.atomic():
        (found,) = read.fetch(pk=organiser.pk)
        assert found == organiser and found.unknown is False
        assert Organiser.objects.filter(pk=organiser.pk).exists()  # the transaction works
    assert read._plan().name in prepared_module._unpreparable


def test_switched_off_the_reads_run_as_plain_sql(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    organiser = OrganiserFactory()
    read = Prepared(_by_pk, samples={"pk": 1}, others={"pk": 2})
    seen = Statements()
    with connection.execute_wrapper(seen):
        assert read.fetch(pk=organiser.pk) == [organiser]
    assert seen.sql[0].startswith("SELECT")
    assert read._plan().name not in _prepared_names()


def test_a_query_written_out_by_hand_is_prepared_once_too():
    organiser = OrganiserFactory()
    sql = "SELECT name FROM events_organiser WHERE id = %s AND slug LIKE %s"
    seen = Statements()
    with connection.execute_wrapper(seen), connection.cursor() as cursor:
        for _ in range(2):
            prepared_module.execute(cursor, sql, [organiser.pk, "%"])
            assert cursor.fetchall() == [(organiser.name,)]
    name = prepared_module._written_out(sql, 2).name
    assert seen.sql == [f"EXECUTE {name}(%s, %s)"] * 2
    assert name in _prepared_names()


def test_a_logged_execute_reads_as_the_sql_it_runs():
    organiser = OrganiserFactory()
    read = Prepared(_by_pk, samples={"pk": 1}, others={"pk": 2})
    with CaptureQueriesContext(connection) as captured:
        read.fetch(pk=organiser.pk)
    (logged,) = (q["sql"] for q in captured)
    assert logged.startswith("EXECUTE gb_")
    assert prepared_module.readable(logged) == read._plan().sql
    assert prepared_module.readable("SELECT 1") == "SELECT 1"


def test_a_refusal_as_the_first_statement_of_a_transaction_spoils_nothing():
    organiser = OrganiserFactory()
    # The connection's statements known already: nothing runs before the PREPARE below.
    Prepared(_by_pk, samples={"pk": 1}, others={"pk": 2}).fetch(pk=organiser.pk)

    def with_untyped_value(pk):
        return _by_pk(pk).annotate(unknown=RawSQL("%s IS NULL", (pk,)))

    read = Prepared(with_untyped_value, samples={"pk": 1}, others={"pk": 2})
    read._plan()  # compiled before the transaction: its first statement is the PREPARE
    with transaction.atomic():
        (found,) = read.fetch(pk=organiser.pk)
        assert found == organiser
        assert Organiser.objects.filter(pk=organiser.pk).exists()
