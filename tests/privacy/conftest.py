"""The privacy tests share the payments tests' event (organiser with invoice details, a
€ 125,00 ticket), plus a free ticket, and a way to read the whole database as text."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from tests.factories import QuotaFactory, TicketTypeFactory
from tests.mail.conftest import drain  # noqa: F401 (fixture)
from tests.payments.conftest import billing_defaults, event, mollie, ticket  # noqa: F401 (fixtures)


@pytest.fixture
def free_ticket(event):  # noqa: F811 (the imported fixture)
    free = TicketTypeFactory(event=event, name_nl="Bewoner", price=Decimal("0.00"))
    QuotaFactory(event=event, size=20, ticket_types=[free])
    return free


def database_text() -> str:
    """Return every row of every table as text (what a dump holds), binary columns in hex.

    Read inside the test's transaction, so it sees what the test wrote.
    """
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT t::text FROM {quoted} t")  # noqa: S608 (our table names)
            else:
                cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (our table names)
            for row in cursor.fetchall():
                parts.append(
                    " ".join(v.hex() if isinstance(v, bytes | memoryview) else str(v) for v in row)
                )
    return "\n".join(parts)


def found_in_database(needle: str) -> bool:
    """Tell whether `needle` is anywhere in the database, as text or as bytes (hex)."""
    text = database_text()
    return needle in text or needle.encode().hex() in text


def days_ago(days: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=days)
