"""What the screens offer and what they do on success: choices, deletes, history, sign-out."""

import pytest
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext

from goedeburen.common.audit import history
from goedeburen.events.models import (
    Partner,
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Speaker,
    Venue,
)
from tests.backoffice.conftest import CONFIRM, url
from tests.factories import EventFactory, RoomFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_session_form_offers_only_this_events_choices(owner_client, world, other_world):
    EventFactory(organiser=world.organiser)  # a sibling event's parts stay out too
    RoomFactory(venue=VenueFactory(organiser=world.organiser))  # a room at another venue

    form = owner_client.get(url("session.create", world)).context["form"]

    assert list(form.fields["round"].queryset) == [world.round]
    assert list(form.fields["room"].queryset) == [world.room]
    assert list(form.fields["hosts"].queryset) == [world.speaker]
    assert list(form.fields["projects"].queryset) == [world.project]


def test_item_form_offers_only_this_events_choices(owner_client, world, other_world):
    form = owner_client.get(url("item.create", world)).context["form"]

    assert list(form.fields["room"].queryset) == [world.room]
    assert list(form.fields["speakers"].queryset) == [world.speaker]
    assert list(form.fields["projects"].queryset) == [world.project]


def test_event_form_offers_only_the_organisers_venues(owner_client, world, other_world):
    second = VenueFactory(organiser=world.organiser, name="Wijkhuis")
    form = owner_client.get(url("event.update", world)).context["form"]
    assert list(form.fields["venue"].queryset) == [world.venue, second]


def test_event_without_venue_offers_no_rooms(owner_client, world):
    world.event.venue = None
    world.event.save()
    form = owner_client.get(url("session.create", world)).context["form"]
    assert list(form.fields["room"].queryset) == []


def test_session_form_preselects_round_from_link(owner_client, world):
    response = owner_client.get(f"{url('session.create', world)}?round={world.round.pk}")
    assert f'<option value="{world.round.pk}" selected>' in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "99999", ""])
def test_session_form_with_bad_round_in_link_preselects_nothing(owner_client, world, value):
    response = owner_client.get(f"{url('session.create', world)}?round={value}")
    assert response.status_code == 200
    assert f'<option value="{world.round.pk}" selected>' not in response.content.decode()


def test_a_control_character_in_the_link_is_a_bad_request(owner_client, world):
    response = owner_client.get(f"{url('session.create', world)}?round=1%00")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("part", "model"),
    [
        ("partner", Partner),
        ("item", ProgrammeItem),
        ("round", Round),
        ("session", Session),
        ("speaker", Speaker),
        ("project", Project),
    ],
)
def test_delete_of_event_part_removes_it_and_logs_on_event(owner_client, world, part, model):
    obj = getattr(world, part)
    assert owner_client.get(url(f"{part}.delete", world)).status_code == 200

    response = owner_client.post(url(f"{part}.delete", world), CONFIRM)

    assert (response.status_code, response.url) == (302, url(f"{part}.list", world))
    assert model.objects.filter(pk=obj.pk).exists() is False
    entry = history(world.event).first()
    assert (entry.action, entry.actor, entry.data) == (
        f"{model._meta.model_name}.deleted",
        world.owner,
        {"object": str(obj), "id": obj.pk},
    )


def test_delete_of_round_takes_its_sessions(owner_client, world):
    owner_client.post(url("round.delete", world), CONFIRM)
    assert Session.objects.filter(pk=world.session.pk).exists() is False


def test_delete_of_room_keeps_sessions_without_room(owner_client, world):
    response = owner_client.post(url("room.delete", world), CONFIRM)
    assert (response.status_code, response.url) == (302, url("venue.list", world))
    assert Room.objects.filter(pk=world.room.pk).exists() is False
    world.session.refresh_from_db()
    assert world.session.room is None


def test_delete_of_unused_venue_removes_it(owner_client, world):
    venue = VenueFactory(organiser=world.organiser)
    path = reverse("backoffice:venue.delete", kwargs={"event": world.event.slug, "pk": venue.pk})
    response = owner_client.post(path, CONFIRM)
    assert (response.status_code, response.url) == (302, url("venue.list", world))
    assert Venue.objects.filter(pk=venue.pk).exists() is False


def test_event_overview_shows_history_of_changes(owner_client, world):
    data = {
        "slug": world.event.slug,
        "name_nl": "Nieuwe naam",
        "name_en": world.event.name_en,
        "date": "2027-03-05",
        "start_time": "10:00",
        "end_time": "16:30",
        "venue": world.venue.pk,
    }
    owner_client.post(url("event.update", world), data)
    owner_client.post(url("speaker.update", world), {"name": "Kees", "slug": world.speaker.slug})

    response = owner_client.get(url("event.detail", world))

    described = [description for _entry, description in response.context["history"]]
    assert described == [
        capfirst(
            gettext("%(thing)s changed: %(object)s")
            % {"thing": gettext("speaker"), "object": "Kees"}
        ),
        gettext("Event details changed: %(fields)s") % {"fields": gettext("Name") + " (NL)"},
    ]
    assert [entry.actor for entry, _description in response.context["history"]] == [
        world.owner,
        world.owner,
    ]


def test_logout_asks_to_confirm_then_signs_out(owner_client):
    assert owner_client.get(reverse("backoffice:logout")).status_code == 200
    response = owner_client.post(reverse("backoffice:logout"))
    assert (response.status_code, response.url) == (302, reverse("backoffice:login"))
    assert "_auth_user_id" not in owner_client.session
