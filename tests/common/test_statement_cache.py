"""Long statements with many parameters are parsed once per process (`common.apps`)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's own cache")
def test_a_statement_with_many_parameters_is_parsed_once():
    from psycopg import _queries

    values = list(range(120))  # past psycopg's own limit of 50 parameters
    sql = "SELECT " + ", ".join(["%s"] * len(values)) + " -- " + "x" * 5000  # and of 4 KB
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        before = _queries._query2pg_client.cache_info()
        cursor.execute(sql, values)
        assert cursor.fetchone() == tuple(values)
    after = _queries._query2pg_client.cache_info()
    assert after.hits == before.hits + 1
    assert after.misses == before.misses
