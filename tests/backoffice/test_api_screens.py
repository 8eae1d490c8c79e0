"""The organiser's API screens: tokens and webhooks, for the organiser's owners only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goedeburen.api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from goedeburen.events.models import Role
from tests.factories import TeamMemberFactory, UserFactory

from .conftest import _delivery, _endpoint, url


def _tokens(world):
    return reverse("backoffice:api.tokens", kwargs={"organiser": world.organiser.slug})


def _webhooks(world):
    return reverse("backoffice:api.webhooks", kwargs={"organiser": world.organiser.slug})


def _token_form(**overrides):
    return {
        "name": "CRM",
        "event": "",
        "scopes": ["events:read"],
        "expires": "2099-01-01",
        **overrides,
    }


@pytest.mark.parametrize("name", ["api.tokens", "api.webhooks", "api.webhook", "api.token_revoke"])
@pytest.mark.parametrize(("role", "organiser_wide"), [(Role.FINANCE, True), (Role.OWNER, False)])
def test_api_screens_need_the_organisers_owner(client, world, name, role, organiser_wide):
    user = UserFactory()
    event = None if organiser_wide else world.event
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=event)
    client.force_login(user)

    assert client.get(url(name, world)).status_code == 403
    assert client.post(url(name, world)).status_code == 403


@pytest.mark.parametrize("name", ["api.tokens", "api.webhooks", "api.webhook", "api.redeliver"])
def test_api_screens_of_another_organiser_are_not_found(client, world, other_world, name):
    client.force_login(other_world.owner)

    assert client.post(url(name, world)).status_code == 404


def test_a_new_token_is_shown_once_and_never_again(owner_client, world):
    response = owner_client.post(_tokens(world), _token_form(expires="2026-12-31"))

    token = ApiToken.objects.get()
    html = response.content.decode()
    text = html.split('<code class="bo-secret">')[1].split("</code>")[0]
    assert text.startswith("gbt_")
    assert "no-store" in response["Cache-Control"]
    assert text not in owner_client.get(_tokens(world)).content.decode()
    assert token.scopes == ["events:read"]


@pytest.mark.parametrize(
    "bad",
    [
        {"name": ""},
        {"scopes": []},
        {"scopes": ["everything"]},
        {"expires": "2001-01-01"},
        {"expires": "not a date"},
        {"event": "999999"},
    ],
)
def test_a_bad_token_form_says_why_and_makes_nothing(owner_client, world, bad):
    response = owner_client.post(_tokens(world), _token_form(**bad))

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_needs_the_confirmation(owner_client, world):
    path = url("api.token_revoke", world)
    token = ApiToken.objects.get()

    assert owner_client.post(path).status_code == 400
    token.refresh_from_db()
    assert token.revoked is None

    owner_client.post(path, {"confirm": "yes"})
    token.refresh_from_db()
    assert token.revoked is not None


def test_a_new_webhook_shows_its_secret_once(owner_client, world):
    response = owner_client.post(
        _webhooks(world),
        {"url": "https://crm.example.org/in", "event_types": ["registration.created"]},
    )

    assert "whsec_" in response.content.decode()
    assert WebhookEndpoint.objects.get().url == "https://crm.example.org/in"
    assert "whsec_" not in owner_client.get(_webhooks(world)).content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        {"url": "http://crm.example.org/in", "event_types": ["registration.created"]},
        {"url": "https://crm.example.org/in", "event_types": []},
        {"url": "https://crm.example.org/in", "event_types": ["ping"]},
        {"url": "not a url", "event_types": ["registration.created"]},
        # Ports no server listens on, which Django's URL field lets through.
        {"url": "https://crm.example.org:99999/in", "event_types": ["registration.created"]},
        {"url": "https://crm.example.org:0/in", "event_types": ["registration.created"]},
    ],
)
def test_a_bad_webhook_form_makes_nothing(owner_client, world, bad):
    response = owner_client.post(_webhooks(world), bad)

    assert response.status_code == 400
    assert not WebhookEndpoint.objects.exists()


def test_a_webhook_port_that_does_not_exist_is_named(owner_client, world, english):
    response = owner_client.post(
        _webhooks(world),
        {"url": "https://crm.example.org:99999/in", "event_types": ["registration.created"]},
    )

    assert "The port in this URL does not exist" in response.content.decode()


def test_ping_rotate_and_redeliver_from_the_screen(owner_client, world):
    endpoint = _endpoint(world)
    path = url("api.webhook", world)

    owner_client.post(path, {"action": "ping"})
    owner_client.post(path, {"action": "rotate"})  # without the tick: nothing
    assert endpoint.secrets.count() == 1
    rotated = owner_client.post(path, {"action": "rotate", "confirm": "yes"})
    assert "whsec_" in rotated.content.decode()
    assert endpoint.secrets.count() == 2

    delivery = _delivery(world)
    owner_client.post(url("api.redeliver", world))
    delivery.refresh_from_db()
    assert delivery.state == "queued"
    assert WebhookDelivery.objects.filter(event_type="ping").count() == 2
    assert owner_client.post(path, {"action": "nonsense"}).status_code == 302


@pytest.mark.parametrize("name", ["api.tokens", "api.webhooks"])
def test_api_lists_use_a_constant_number_of_queries(owner_client, world, name):
    from goedeburen.api import services

    endpoint = _endpoint(world)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url(name, world)).status_code == 200
        return len(queries)

    one = count()
    for n in range(3):
        services.create_endpoint(
            organiser=world.organiser,
            event=world.event,
            url=f"https://crm{n}.example.org/in",
            event_types=["registration.created"],
            by=world.owner,
        )
        url("api.token_revoke", world)  # makes the token
    assert endpoint and count() == one
