"""Check-ins through the API: the check-in app's rules and nonces, and a webhook per check-in."""

from goedeburen.api import services
from goedeburen.api.models import WebhookDelivery
from goedeburen.checkin.models import CheckIn
from goedeburen.registration.models import Registration

from .conftest import Api, make_token


def _path(world):
    return f"/api/v1/events/{world.event.slug}/check-ins/"


def test_a_scan_checks_in_once_whatever_the_replays(world):
    Registration.objects.filter(pk=world.registration.pk).update(status="confirmed")
    api = Api(make_token(world, scopes=["checkin:write", "checkin:read"]))
    scan = {"nonce": "device-1-scan-0001", "attendee": world.attendee.pk}

    first = api.post(_path(world), scan)
    again = api.post(_path(world), scan)

    assert first.status_code == 200, first.content
    assert first.json()["outcome"] == "checked_in"
    assert again.json()["replayed"] is True
    assert CheckIn.objects.filter(attendee=world.attendee).count() == 1
    assert [c["attendee"] for c in api.get(_path(world)).json()["results"]] == [world.attendee.pk]


def test_a_check_in_emits_its_webhook(world):
    Registration.objects.filter(pk=world.registration.pk).update(status="confirmed")
    services.create_endpoint(
        organiser=world.organiser,
        event=None,
        url="https://crm.example.org/in",
        event_types=["checkin.created"],
        by=world.owner,
    )
    api = Api(make_token(world, scopes=["checkin:write"]))

    api.post(_path(world), {"nonce": "device-1-scan-0002", "attendee": world.attendee.pk})

    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == ["checkin.created"]


def test_a_scan_without_ticket_or_attendee_is_a_problem(world):
    api = Api(make_token(world, scopes=["checkin:write"]))

    response = api.post(_path(world), {"nonce": "device-1-scan-0003"})

    assert response.status_code == 400
    assert not CheckIn.objects.exists()
