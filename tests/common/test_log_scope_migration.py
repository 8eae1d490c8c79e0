"""The migration that gives older log entries their event and organiser."""

import importlib

import pytest
from django.apps import apps

from goedeburen.common.audit import log_action
from goedeburen.common.models import LogEntry
from tests.factories import AttendeeFactory, RoomFactory

migration = importlib.import_module("goedeburen.common.migrations.0003_backfill_log_scope")


@pytest.mark.django_db
def test_migration_fills_event_and_organiser_where_the_subject_still_exists():
    attendee = AttendeeFactory()
    event = attendee.registration.event
    room = RoomFactory(venue=event.venue)
    entries = [
        log_action(attendee.registration, action="registration.link_renewed"),
        log_action(attendee, action="matching.pinned", data={"session": 1}),
        log_action(room, action="room.created"),
        log_action(event, action="event.created"),
    ]
    gone = log_action(AttendeeFactory(registration=attendee.registration), action="matching.pinned")
    LogEntry.objects.update(event=None, organiser=None)
    gone_attendee_id = int(gone.object_id)
    attendee.registration.attendees.filter(pk=gone_attendee_id).delete()

    migration.backfill(apps, None)

    scopes = [
        LogEntry.objects.values_list("event_id", "organiser_id").get(pk=e.pk) for e in entries
    ]
    assert scopes == [
        (event.pk, event.organiser_id),
        (event.pk, event.organiser_id),
        (None, event.venue.organiser_id),
        (event.pk, event.organiser_id),
    ]
    assert LogEntry.objects.values_list("event_id", "organiser_id").get(pk=gone.pk) == (
        None,
        None,
    )
