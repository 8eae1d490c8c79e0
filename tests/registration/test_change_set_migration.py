"""The migration that rewrites the two former change-set shapes into the one."""

import importlib

import pytest
from django.apps import apps

from goedeburen.common.audit import log_action
from goedeburen.common.logtypes import describe
from goedeburen.common.models import LogEntry
from tests.factories import AttendeeFactory

migration = importlib.import_module("goedeburen.registration.migrations.0005_one_change_set")

ADA = {"attendee": 7, "name": "Ada de Vries"}
BACK_OFFICE_SHAPE = {
    "changes": [
        {"attendee": None, "name": None, "field": "booker_name", "before": "A", "after": "B"},
        {
            "attendee": 7,
            "name": "Ada de Vries",
            "field": "organisation",
            "before": "",
            "after": "X",
        },
        {**ADA, "field": "dietary_wishes"},
        {**ADA, "field": "Lunch?", "before": "nee", "after": "ja"},
        {**ADA, "field": "Medicijnen?"},
    ]
}
SELF_SERVICE_SHAPE = {
    "booker_name": ["A", "B"],
    "attendee 1: organisation": ["", "X"],
    "attendee 1: role": ["other", "resident"],
    "attendee 1: dietary_wishes": ["…", "…"],
    "attendee 1: Lunch?": ["nee", "ja"],
    "attendee 1: Medicijnen?": ["…", "…"],
}
ONE_SHAPE = {
    "changes": {"booker_name": ["A", "B"]},
    "attendees": [
        {
            "attendee": 7,
            "name": "Ada de Vries",
            "changes": {"organisation": ["", "X"], "dietary_wishes": ["changed"]},
            "answers": {"Lunch?": ["nee", "ja"], "Medicijnen?": ["changed"]},
        }
    ],
}


def test_back_office_shape_becomes_the_one_shape():
    assert migration.convert(BACK_OFFICE_SHAPE, {}) == ONE_SHAPE


def test_self_service_shape_becomes_the_one_shape_without_sensitive_values():
    converted = migration.convert(SELF_SERVICE_SHAPE, {0: (7, "Ada de Vries")})
    expected = {**ONE_SHAPE, "attendees": [dict(ONE_SHAPE["attendees"][0])]}
    expected["attendees"][0]["changes"] = {
        "organisation": ["", "X"],
        "role": ["changed"],
        "dietary_wishes": ["changed"],
    }
    assert converted == expected
    assert "resident" not in str(converted)


def test_the_one_shape_stays_as_it_is():
    assert migration.convert(ONE_SHAPE, {}) == ONE_SHAPE


@pytest.mark.django_db
def test_migration_rewrites_stored_entries_so_the_history_names_the_changes():
    attendee = AttendeeFactory()
    entry = log_action(
        attendee.registration, action="registration.changed", data=SELF_SERVICE_SHAPE
    )

    migration.forwards(apps, None)

    entry = LogEntry.objects.get(pk=entry.pk)
    assert entry.data["attendees"][0]["attendee"] == attendee.pk
    assert describe(entry, show_sensitive=False).startswith(
        "Gegevens gewijzigd: naam van “A” naar “B”; Ada de Vries: organisatie van “” naar “X”"
    )
