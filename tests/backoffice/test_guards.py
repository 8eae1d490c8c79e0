"""Guards for actions with consequences (issue 12): a room holds one session at a time,
moving a date people hold asks first, no past date while registration is open, nothing
to mark as paid on a cancelled and credited registration."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from goedeburen.events.models import Event, EventStatus, Session
from goedeburen.payments.models import Payment
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from tests.backoffice.conftest import url

pytestmark = pytest.mark.django_db


def _session_data(world, **overrides):
    data = {
        "round": world.round.pk,
        "kind": "living_room",
        "title_nl": "Tweede gesprek",
        "room": world.room.pk,
        "capacity": "5",
        "start": "",
        "end": "",
        "order": "0",
    }
    data.update(overrides)
    return data


def test_a_room_cannot_hold_two_sessions_at_once(owner_client, world):
    response = owner_client.post(url("session.create", world), _session_data(world))

    assert response.status_code == 200
    message = response.context["form"].errors["room"][0]
    assert world.session.title_nl in message and world.room.name in message
    assert "11:00" in message and "12:00" in message
    assert Session.objects.filter(round__event=world.event).count() == 1


def test_a_room_holds_sessions_one_after_the_other(owner_client, world):
    Session.objects.filter(pk=world.session.pk).update(end=dt.time(11, 30))

    response = owner_client.post(
        url("session.create", world), _session_data(world, start="11:30", end="12:00")
    )

    assert response.status_code == 302
    assert Session.objects.filter(round__event=world.event, room=world.room).count() == 2


def event_data(event, **overrides) -> dict:
    """The event form as it is shown filled in, with `overrides` (also used elsewhere)."""
    data = {
        "slug": event.slug,
        "name_nl": event.name_nl,
        "name_en": event.name_en,
        "date": event.date.isoformat(),
        "start_time": event.start_time.strftime("%H:%M"),
        "end_time": event.end_time.strftime("%H:%M"),
        "venue": event.venue_id,
    }
    data.update(overrides)
    return data


def test_moving_the_date_people_hold_asks_first_and_offers_a_mailing(owner_client, world):
    new_date = (world.event.date + dt.timedelta(days=7)).isoformat()

    asked = owner_client.post(url("event.update", world), event_data(world.event, date=new_date))

    assert asked.status_code == 200
    assert asked.context["confirm_move"] == 1  # the world's one registration
    assert Event.objects.get(pk=world.event.pk).date == world.event.date
    moved = owner_client.post(
        url("event.update", world),
        event_data(world.event, date=new_date, confirm="yes", mailing="yes"),
    )
    assert moved.status_code == 302 and moved.url == url("mailing.create", world)
    assert Event.objects.get(pk=world.event.pk).date.isoformat() == new_date


def test_other_changes_do_not_ask(owner_client, world):
    response = owner_client.post(
        url("event.update", world), event_data(world.event, name_nl="Nieuwe naam")
    )
    assert response.status_code == 302


def test_a_past_date_while_registration_is_open_is_refused(owner_client, world):
    Event.objects.filter(pk=world.event.pk).update(status=EventStatus.REGISTRATION_OPEN)
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    response = owner_client.post(
        url("event.update", world), event_data(world.event, date=past, confirm="yes")
    )

    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert Event.objects.get(pk=world.event.pk).date == world.event.date


def test_mark_as_paid_is_not_offered_on_a_cancelled_registration_that_owes_nothing(
    owner_client, world
):
    Registration.objects.filter(pk=world.registration.pk).update(
        status=RegistrationStatus.CANCELLED
    )
    page = owner_client.get(url("registration.payments", world))
    assert page.context["may_record_payment"] is False
    assert url("registration.record_payment", world) not in page.content.decode()

    owner_client.post(url("registration.record_payment", world), {"amount": "125,00"})

    assert not Payment.objects.filter(registration=world.registration).exists()


def test_mark_as_paid_is_offered_while_money_is_owed(owner_client, world):
    page = owner_client.get(url("registration.payments", world))
    assert page.context["may_record_payment"] is True
    assert page.context["balance"].open == Decimal("125.00")


def test_rooms_and_sessions_sort_naturally(owner_client, world):
    from goedeburen.common.text import natural_key
    from tests.factories import RoomFactory, SessionFactory

    for n in (10, 2, 1, 11):
        room = RoomFactory(venue=world.venue, name=f"Huiskamer {n}", capacity=12)
        SessionFactory(round=world.round, room=None, title_nl=f"Gesprek {n}", capacity=5)
    assert sorted(["Zaal 10", "zaal 9"], key=natural_key) == ["zaal 9", "Zaal 10"]

    venues = owner_client.get(url("venue.list", world)).context["object_list"]
    rooms = [r.name for r in venues[0].sorted_rooms if r.name.startswith("Huiskamer")]
    assert rooms == ["Huiskamer 1", "Huiskamer 2", "Huiskamer 10", "Huiskamer 11"]
    rounds = owner_client.get(url("session.list", world)).context["rounds"]
    titles = [s.title_nl for s in rounds[0].sorted_sessions if s.title_nl.startswith("Gesprek")]
    assert titles == ["Gesprek 1", "Gesprek 2", "Gesprek 10", "Gesprek 11"]
    assert room  # made
