"""Two organisers with a complete event each, tokens, and a client that speaks to the API."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from goedeburen.api import services
from goedeburen.api.scopes import SCOPES
from goedeburen.events.models import EventStatus, Role
from tests.backoffice.conftest import World, make_world
from tests.factories import TeamMemberFactory, UserFactory

ALL_SCOPES = sorted(SCOPES)


class Api:
    """A Django test client that sends a bearer token and JSON."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **headers):
        return self.client.get(path, headers={**self.headers, **headers})

    def post(self, path: str, data, **headers):
        return self._send(self.client.post, path, data, headers)

    def patch(self, path: str, data, **headers):
        return self._send(self.client.patch, path, data, headers)

    def _send(self, method, path: str, data, headers: dict):
        return method(
            path,
            data=json.dumps(data),
            content_type="application/json",
            headers={**self.headers, **headers},
        )


def make_token(world: World, *, scopes=None, user=None, event=None, days: int = 30) -> str:
    _token, text = services.create_token(
        organiser=world.organiser,
        event=event,
        name="CRM",
        scopes=ALL_SCOPES if scopes is None else scopes,
        expires=timezone.now() + dt.timedelta(days=days),
        by=user or world.owner,
    )
    return text


@pytest.fixture
def world(db) -> World:
    return make_world(status=EventStatus.REGISTRATION_OPEN)


@pytest.fixture
def other_world(db) -> World:
    return make_world()


@pytest.fixture
def api(world) -> Api:
    """The organiser owner's token with every scope."""
    return Api(make_token(world))


def member(world: World, role: str, *, organiser_wide: bool = False):
    user = UserFactory()
    TeamMemberFactory(
        organiser=world.organiser,
        user=user,
        role=role,
        event=None if organiser_wide else world.event,
    )
    return user


ROLES = [Role.OWNER, Role.EDITOR, Role.FINANCE, Role.HOST, Role.CHECKIN]


@pytest.fixture
def owner_client_for_world(client, world):
    client.force_login(world.owner)
    return client
