"""The event services refuse writes outside the event or organiser they are called for."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from goedeburen.common.models import LogEntry
from goedeburen.events import services
from goedeburen.events.exceptions import EventError
from goedeburen.events.models import RESERVED_SLUGS, Room, Speaker, Venue
from tests.factories import (
    EventFactory,
    OrganiserFactory,
    ProgrammeItemFactory,
    RoomFactory,
    RoundFactory,
    SessionFactory,
    SpeakerFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


def test_save_event_part_of_other_event_is_refused_and_saves_nothing():
    event, other = EventFactory(), EventFactory()
    speaker = Speaker(event=other, name="Kees", slug="kees")

    with pytest.raises(EventError) as refused:
        services.save_event_part(speaker, event=event, by=UserFactory())

    assert refused.value.code == "wrong_event"
    assert (Speaker.objects.count(), LogEntry.objects.count()) == (0, 0)


def test_save_event_part_session_of_other_events_round_is_refused():
    event = EventFactory()
    session = SessionFactory.build(round=RoundFactory(), capacity=5)
    with pytest.raises(EventError):
        services.save_event_part(session, event=event, by=None)


def test_delete_event_part_of_other_event_is_refused():
    speaker = SpeakerFactory()
    with pytest.raises(EventError):
        services.delete_event_part(speaker, event=EventFactory(), by=None)
    assert Speaker.objects.filter(pk=speaker.pk).exists()


def test_save_venue_part_logs_on_room_and_venue():
    venue = VenueFactory()
    user = UserFactory()
    room = services.save_venue_part(
        Room(venue=venue, name="Zaal 1", capacity=10), organiser=venue.organiser, by=user
    )
    actions = list(LogEntry.objects.order_by("pk").values_list("action", "object_id", "actor"))
    assert actions == [
        ("room.created", str(room.pk), user.pk),
        ("room.created", str(venue.pk), user.pk),
    ]


def test_save_venue_part_of_other_organiser_is_refused():
    venue = VenueFactory()
    with pytest.raises(EventError) as refused:
        services.save_venue_part(
            Room(venue=venue, name="Zaal 1", capacity=10), organiser=OrganiserFactory(), by=None
        )
    assert refused.value.code == "wrong_organiser"
    assert Room.objects.count() == 0


def test_delete_venue_in_use_is_refused():
    event = EventFactory()
    with pytest.raises(EventError) as refused:
        services.delete_venue_part(event.venue, organiser=event.organiser, by=None)
    assert refused.value.code == "venue_in_use"
    assert Venue.objects.filter(pk=event.venue_id).exists()


@pytest.mark.parametrize("slug", sorted(RESERVED_SLUGS))
def test_event_with_reserved_slug_is_invalid(slug):
    event = EventFactory.build(slug=slug, organiser=OrganiserFactory(), venue=None)
    with pytest.raises(ValidationError) as invalid:
        event.full_clean()
    assert list(invalid.value.message_dict) == ["slug"]


def test_event_hours_that_leave_out_a_programme_item_are_invalid():
    item = ProgrammeItemFactory(start=dt.time(10, 0), end=dt.time(10, 30))
    event = item.event
    event.start_time = dt.time(10, 15)
    with pytest.raises(ValidationError) as invalid:
        event.full_clean()
    assert list(invalid.value.message_dict) == ["start_time"]


def test_round_times_that_leave_out_a_sessions_own_times_are_invalid():
    session = SessionFactory(start=dt.time(11, 30), end=dt.time(12, 0))
    round_ = session.round
    round_.end = dt.time(11, 30)
    with pytest.raises(ValidationError) as invalid:
        round_.full_clean()
    assert list(invalid.value.message_dict) == ["start"]


def test_round_times_may_change_for_sessions_without_own_times():
    round_ = SessionFactory().round
    round_.end = dt.time(11, 30)
    round_.full_clean()


def test_room_smaller_than_its_sessions_is_invalid():
    room = RoomFactory(capacity=20)
    SessionFactory(room=room, capacity=15)
    room.capacity = 14
    with pytest.raises(ValidationError) as invalid:
        room.full_clean()
    assert list(invalid.value.message_dict) == ["capacity"]


def _item_sequence(event, item) -> int:
    from icalendar import Calendar

    from goedeburen.events.calendar import programme_calendar

    calendar = Calendar.from_ical(programme_calendar(event))
    uid = f"item-{item.pk}@{event.slug}.goedeburen"
    [entry] = [e for e in calendar.walk("VEVENT") if str(e["uid"]) == uid]
    return int(entry["sequence"])


def test_each_change_within_one_second_gives_the_calendar_a_higher_sequence(monkeypatch):
    from goedeburen.events.calendar import event_sequence
    from goedeburen.events.models import Event

    moment = dt.datetime(2027, 1, 10, 9, 30, 5, 250000, tzinfo=dt.UTC)
    monkeypatch.setattr(services, "_now", lambda: moment)
    event = EventFactory()
    item = ProgrammeItemFactory(event=event)
    stale = Event.objects.get(pk=event.pk)  # a copy read before the changes (a form)
    sequences = []

    for title in ("Opening", "Welkom", "Start"):
        item.title_nl = title
        services.save_event_part(item, event=event, by=None)
        event.refresh_from_db()
        sequences.append((event_sequence(event), _item_sequence(event, item)))
    # The event itself, saved from the older copy, in the same second.
    stale.tagline_nl = "Nieuw"
    services.save_event_part(stale, event=stale, by=None)
    event.refresh_from_db()
    sequences.append((event_sequence(event), _item_sequence(event, item)))

    versions = [version for version, _ in sequences]
    assert versions == sorted(set(versions))  # strictly growing, one per change
    assert [entry for _, entry in sequences] == versions
    assert event.updated == moment  # every change in the same second
