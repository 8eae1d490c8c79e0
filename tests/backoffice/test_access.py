"""Who reaches which back-office screen: sign-in first, then a role for the event."""

import pytest
from django.urls import reverse

from goedeburen.events.models import Role
from tests.backoffice.conftest import (
    CHECKIN_SCREENS,
    EVENT_URL_NAMES,
    PARTS,
    PAYMENT_SCREENS,
    REGISTRATION_SCREENS,
    URLS,
    backoffice_url_names,
    make_world,
    url,
)
from tests.factories import EventFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_SCREENS = ["event.detail", *(f"{part}.list" for part in PARTS)]
# Buttons, not pages: they answer POST only.
POST_ONLY = [
    "event.status",
    "mail.cancel",
    "mail.retry",
    "assignment.start",
    "assignment.pin",
    "assignment.hosts",
    "assignment.move",
    "assignment.publish",
]
# Session hosts see their own session lists: see tests/backoffice/test_assignment.py.
HOST_SCREENS = ["assignment.lists"]
# Downloads that send the user back to the results while there is nothing to export.
DOWNLOADS = ["survey.export"]
CHANGE_SCREENS = sorted(
    name
    for name in EVENT_URL_NAMES
    if name not in LIST_SCREENS
    and name not in REGISTRATION_SCREENS
    and name not in POST_ONLY
    and name not in PAYMENT_SCREENS
    and name not in HOST_SCREENS
    and name not in CHECKIN_SCREENS
    and name not in DOWNLOADS
    and not name.startswith(("venue", "room"))
)
VENUE_CHANGE_SCREENS = sorted(
    name for name in EVENT_URL_NAMES if name.startswith(("venue", "room")) and name != "venue.list"
)
# Registration screens: see test_registrations.py for who reaches which.


def _member(world, role, *, event=None):
    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=event)
    return user


def test_url_table_covers_every_backoffice_url():
    assert set(URLS) == backoffice_url_names()


@pytest.mark.parametrize("name", sorted(set(URLS) - {"login", "logout"}))
@pytest.mark.parametrize("method", ["get", "post"])
def test_screen_for_anonymous_visitor_redirects_to_login(client, world, name, method):
    path = url(name, world)
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response.url == f"{reverse('backoffice:login')}?next={path}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_logout_for_anonymous_visitor_redirects_to_login(client, world, method):
    response = getattr(client, method)(url("logout", world))
    assert (response.status_code, response.url) == (302, reverse("backoffice:login"))


def test_login_page_answers_anonymous_visitor(client):
    assert client.get(reverse("backoffice:login")).status_code == 200


@pytest.mark.parametrize("name", EVENT_URL_NAMES)
def test_event_screen_for_owner_of_other_organiser_is_not_found(client, world, other_world, name):
    client.force_login(other_world.owner)
    assert client.get(url(name, world)).status_code == 404
    assert client.post(url(name, world)).status_code == 404


@pytest.mark.parametrize("name", EVENT_URL_NAMES)
def test_event_screen_for_member_of_other_event_only_is_not_found(client, world, name):
    other_event = EventFactory(organiser=world.organiser)
    client.force_login(_member(world, Role.OWNER, event=other_event))
    assert client.get(url(name, world)).status_code == 404


@pytest.mark.parametrize("name", LIST_SCREENS)
@pytest.mark.parametrize("role", [Role.HOST, Role.FINANCE, Role.CHECKIN])
def test_list_screen_for_any_role_answers(client, world, name, role):
    client.force_login(_member(world, role, event=world.event))
    assert client.get(url(name, world)).status_code == 200


@pytest.mark.parametrize("name", [*CHANGE_SCREENS, *VENUE_CHANGE_SCREENS, *POST_ONLY, *DOWNLOADS])
def test_change_screen_for_session_host_is_forbidden(client, world, name):
    client.force_login(_member(world, Role.HOST, event=world.event))
    assert client.get(url(name, world)).status_code == 403
    assert client.post(url(name, world)).status_code == 403


@pytest.mark.parametrize("name", CHANGE_SCREENS)
def test_change_screen_for_event_editor_answers(client, world, name):
    client.force_login(_member(world, Role.EDITOR, event=world.event))
    assert client.get(url(name, world)).status_code == 200


def test_status_change_for_editor_is_forbidden(client, world):
    client.force_login(_member(world, Role.EDITOR))
    response = client.post(url("event.status", world), {"status": "draft"})
    assert response.status_code == 403


@pytest.mark.parametrize("name", VENUE_CHANGE_SCREENS)
def test_venue_screen_for_editor_of_one_event_is_forbidden(client, world, name):
    # A venue is the organiser's, shared by its events: one event's editor may not change it.
    client.force_login(_member(world, Role.EDITOR, event=world.event))
    assert client.get(url(name, world)).status_code == 403


@pytest.mark.parametrize("name", VENUE_CHANGE_SCREENS)
def test_venue_screen_for_organiser_wide_editor_answers(client, world, name):
    client.force_login(_member(world, Role.EDITOR))
    assert client.get(url(name, world)).status_code == 200


def test_new_event_for_organiser_member_who_is_not_owner_is_forbidden(client, world):
    client.force_login(_member(world, Role.EDITOR))
    assert client.get(url("event.create", world)).status_code == 403


def test_new_event_for_owner_of_one_event_only_is_forbidden(client, world):
    client.force_login(_member(world, Role.OWNER, event=world.event))
    assert client.get(url("event.create", world)).status_code == 403


def test_new_event_for_stranger_to_organiser_is_not_found(client, world, other_world):
    client.force_login(other_world.owner)
    assert client.get(url("event.create", world)).status_code == 404


def test_status_change_by_get_is_not_allowed(owner_client, world):
    assert owner_client.get(url("event.status", world)).status_code == 405


@pytest.mark.parametrize("action", ["update", "delete"])
@pytest.mark.parametrize(
    "part", ["partner", "item", "round", "session", "speaker", "project", "question"]
)
def test_part_of_other_event_of_same_organiser_is_not_found(owner_client, world, part, action):
    other = make_world(organiser=world.organiser)
    path = reverse(
        f"backoffice:{part}.{action}",
        kwargs={"event": world.event.slug, "pk": getattr(other, part).pk},
    )
    assert owner_client.get(path).status_code == 404
    assert owner_client.post(path).status_code == 404


@pytest.mark.parametrize("name", ["venue.update", "venue.delete", "room.update", "room.delete"])
def test_venue_of_other_organiser_is_not_found(owner_client, world, other_world, name):
    pk = (other_world.venue if name.startswith("venue") else other_world.room).pk
    path = reverse(f"backoffice:{name}", kwargs={"event": world.event.slug, "pk": pk})
    assert owner_client.get(path).status_code == 404


def test_room_in_venue_of_other_organiser_is_not_found(owner_client, world, other_world):
    path = reverse(
        "backoffice:room.create", kwargs={"event": world.event.slug, "venue": other_world.venue.pk}
    )
    assert owner_client.get(path).status_code == 404
    assert owner_client.post(path, {"name": "Zaal", "capacity": "5"}).status_code == 404
    assert other_world.venue.rooms.count() == 1


def test_dashboard_lists_only_the_users_events(owner_client, world, other_world):
    response = owner_client.get(reverse("backoffice:dashboard"))
    assert list(response.context["events"]) == [world.event]
    assert list(response.context["organisers"]) == [world.organiser]
