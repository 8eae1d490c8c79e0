"""How a transactional test's database is emptied on PostgreSQL (`tests/postgresql/base.py`)."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from goedeburen.registration.models import Attendee, Registration
from tests.factories import OpenEventFactory, QuotaFactory, TicketTypeFactory, many_registrations

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _flush():
    # As pytest-django empties the database after a transactional test.
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)


def _rows_left() -> dict[str, int]:
    left = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(include_views=False):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            if count := cursor.fetchone()[0]:
                left[table] = count
    return left


def test_flush_empties_every_table_but_the_installed_apps_content_types(on_postgresql):
    event = OpenEventFactory()
    ticket = TicketTypeFactory(event=event)
    QuotaFactory(event=event, size=500, ticket_types=[ticket])
    many_registrations(event, ticket, 300)
    made_by_migrate = set(ContentType.objects.values_list("app_label", "model", "id"))
    own = ContentType.objects.create(app_label="a_test_of_its_own", model="thing")
    Permission.objects.create(content_type=own, codename="touch_thing", name="Touch")

    _flush()

    assert (Registration.objects.count(), Attendee.objects.count()) == (0, 0)
    assert set(_rows_left()) == {"django_content_type", "auth_permission"}
    assert not ContentType.objects.filter(app_label="a_test_of_its_own").exists()
    assert not Permission.objects.filter(codename="touch_thing").exists()
    # The installed apps' content types keep their ids: a cached one stays right.
    assert set(ContentType.objects.values_list("app_label", "model", "id")) == made_by_migrate
    assert {label for label, _, _ in made_by_migrate} <= {c.label for c in apps.get_app_configs()}


def test_a_flush_that_does_not_empty_every_table_keeps_the_foreign_keys_checked(on_postgresql):
    sql = connection.ops.sql_flush(no_style(), ["registration_registration"], allow_cascade=True)
    assert all("replica" not in statement for statement in sql)
    assert any(statement.startswith("TRUNCATE") for statement in sql)
