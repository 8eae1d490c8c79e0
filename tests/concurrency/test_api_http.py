"""200 programs race through the API for the last 50 seats, served by gunicorn.

The same quota safety as the form: the API registers through the same service. The
negative control switches the quota lock off (test seam) and shows the race is real.
"""

import json
import threading
from decimal import Decimal

import pytest

from goedeburen.registration.models import Attendee
from tests.concurrency.test_registration_http import _request, gunicorn  # noqa: F401
from tests.factories import OpenEventFactory, QuotaFactory, TicketTypeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 200
SEATS = 50


def _world():
    import datetime as dt

    from django.utils import timezone

    from goedeburen.api import services
    from goedeburen.events.models import Role
    from tests.factories import TeamMemberFactory, UserFactory

    event = OpenEventFactory()
    ticket = TicketTypeFactory(event=event, price=Decimal("0"))
    QuotaFactory(event=event, size=SEATS, ticket_types=[ticket])
    owner = UserFactory()
    TeamMemberFactory(organiser=event.organiser, user=owner, role=Role.OWNER)
    _token, text = services.create_token(
        organiser=event.organiser,
        event=None,
        name="race",
        scopes=["registrations:write", "registrations:read"],
        expires=timezone.now() + dt.timedelta(days=1),
        by=owner,
    )
    return event, ticket, text


def _race(port, event, ticket, token, *, same_key=False) -> list[int]:
    barrier = threading.Barrier(CLIENTS, timeout=60)
    statuses = [0] * CLIENTS
    path = f"/api/v1/events/{event.slug}/registrations/"

    def client(n: int) -> None:
        body = json.dumps(
            {
                "booker_name": f"Booker {n}",
                "email": f"booker{n}@example.org",
                "attendees": [
                    {"ticket_type": ticket.pk, "given_name": f"Ada {n}", "role": "other"}
                ],
            }
        )
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        if same_key:
            headers["Idempotency-Key"] = "one-key"
            body = body.replace(f"Booker {n}", "Booker").replace(f"booker{n}@", "booker@")
            body = body.replace(f"Ada {n}", "Ada")
        try:
            barrier.wait()
            statuses[n], _headers, _text = _request(port, "POST", path, body=body, headers=headers)
        except Exception:  # counted as status 0
            return

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_200_api_registrations_for_50_seats_take_exactly_50(gunicorn):  # noqa: F811
    event, ticket, token = _world()
    server = gunicorn()

    statuses = _race(server.port, event, ticket, token)

    assert statuses.count(201) == SEATS
    assert statuses.count(422) == CLIENTS - SEATS
    assert Attendee.objects.filter(registration__event=event).count() == SEATS


def test_without_the_quota_lock_the_api_oversells(gunicorn):  # noqa: F811
    event, ticket, token = _world()
    server = gunicorn(lock=False)

    _race(server.port, event, ticket, token)

    assert Attendee.objects.filter(registration__event=event).count() > SEATS


def test_one_idempotency_key_sent_200_times_at_once_registers_once(gunicorn):  # noqa: F811
    event, ticket, token = _world()
    server = gunicorn()

    statuses = _race(server.port, event, ticket, token, same_key=True)

    assert statuses.count(201) == CLIENTS
    assert Attendee.objects.filter(registration__event=event).count() == 1
