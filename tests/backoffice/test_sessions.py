"""Sessions: 8 hours at most, 30 minutes idle for roles that see money or special-category
data; every back-office response says `Cache-Control: no-store`."""

import pytest
from django.urls import reverse

from goedeburen.backoffice.middleware import AUTH_AT, SEEN_AT
from goedeburen.events.models import Role
from tests.backoffice.conftest import backoffice_patterns, make_world, url
from tests.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def _member(world, role):
    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=world.event)
    return user


def _age(client, *, seen_ago: float, signed_in_ago: float | None = None):
    """Move the session's clock back, as if that much time had passed."""
    import time

    session = client.session
    now = time.time()
    session[SEEN_AT] = now - seen_ago
    session[AUTH_AT] = now - (signed_in_ago if signed_in_ago is not None else seen_ago)
    session.save()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.EDITOR, Role.REGISTRATIONS, Role.OWNER])
def test_idle_session_of_a_sensitive_role_ends_after_30_minutes(client, world, role):
    client.force_login(_member(world, role))
    _age(client, seen_ago=29 * 60)
    assert client.get(url("event.detail", world)).status_code == 200

    _age(client, seen_ago=31 * 60)
    response = client.get(url("event.detail", world))

    assert response.status_code == 302
    assert response.url.startswith(reverse("backoffice:login"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", [Role.HOST, Role.CHECKIN, Role.CATERER])
def test_idle_session_of_other_roles_lasts(client, world, role):
    client.force_login(_member(world, role))
    _age(client, seen_ago=2 * 60 * 60)
    assert client.get(url("event.detail", world)).status_code == 200


def test_every_session_ends_8_hours_after_signing_in(client, world):
    client.force_login(_member(world, Role.HOST))
    _age(client, seen_ago=60, signed_in_ago=8 * 60 * 60 + 1)

    response = client.get(url("event.detail", world))

    assert response.url.startswith(reverse("backoffice:login"))


def test_activity_keeps_the_session_going(client, world):
    client.force_login(_member(world, Role.FINANCE))
    _age(client, seen_ago=20 * 60, signed_in_ago=20 * 60)
    client.get(url("event.detail", world))  # seen now
    session = client.session
    session[AUTH_AT] -= 15 * 60
    session.save()

    assert client.get(url("event.detail", world)).status_code == 200


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_backoffice_response_says_no_store(client, world, signed_in):
    if signed_in:
        client.force_login(world.owner)
    for name in sorted(backoffice_patterns()):
        for method in ("get", "post"):
            response = getattr(client, method)(url(name, world))
            assert "no-store" in response.get("Cache-Control", ""), (method, name)
    # Not found under the back office too, and in English.
    assert "no-store" in client.get("/en/backoffice/no-such-event/")["Cache-Control"]


def test_public_pages_keep_their_own_caching(client, world):
    response = client.get(reverse("public:event.home", args=[world.event.slug]))
    assert "no-store" not in response.get("Cache-Control", "")
