"""The check-in app hit 20 times at once through gunicorn's sync workers (production's
shape), by one signed-in phone: the same scan sent 20 times (a retry storm), 20 scans of one
ticket with nonces of their own, one offline queue uploaded by several requests at once, and
one walk-in form sent 20 times. Afterwards the database holds one check-in per person, one
scan per nonce and one walk-in registration, and no worker logged a server error (the
`gunicorn` fixture fails the test on a traceback). The service-level race
(tests/concurrency/test_checkin_race.py) has the negative control without the attendee
lock."""

import json
import secrets
from collections import Counter
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from goedeburen.backoffice.views.checkin import DEVICE_KEY
from goedeburen.checkin import tickets
from goedeburen.checkin.models import CheckIn, Scan
from goedeburen.events.models import Role
from goedeburen.registration import services as registration_services
from goedeburen.registration.models import Registration, TicketType
from tests.clients import StaffClient
from tests.concurrency.test_registration_http import _request, gunicorn  # noqa: F401
from tests.factories import (
    OpenEventFactory,
    QuotaFactory,
    TeamMemberFactory,
    TicketTypeFactory,
    UserFactory,
    attendee,
    booker,
    form_token,
)
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 20
CSRF = "c" * 32  # a CSRF secret of the client's own, sent as cookie and as header


def signed_in(user, **session) -> dict:
    """Return the headers of a browser in which `user` signed in with both factors (and
    whose session holds `session`), for requests that need CSRF."""
    client = StaffClient()
    client.force_login(user)
    stored = client.session
    stored.update(session)
    stored.save()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}; csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
    }


@pytest.fixture
def door(on_postgresql):
    """An event with five confirmed attendees (one registration each) and a check-in
    volunteer's phone, signed in."""
    event = OpenEventFactory()
    free = TicketTypeFactory(event=event, price=Decimal("0"))
    QuotaFactory(event=event, size=10, ticket_types=[free])
    hashes = []
    for n in range(5):
        registration = registration_services.register(
            event,
            booker=booker(email=f"booker{n}@example.org"),
            attendees=[attendee(free, given_name=f"Ada{n}")],
            form_token=form_token(event),
            language="nl",
        )
        hashes.append(tickets.hash_secret(tickets.secret_for(registration.attendees.get())))
    user = UserFactory()
    TeamMemberFactory(organiser=event.organiser, user=user, role=Role.CHECKIN, event=event)
    with translation.override("en"):
        path = reverse("backoffice:checkin.scans", kwargs={"event": event.slug})
    headers = {
        **signed_in(user, **{DEVICE_KEY: "phone-1"}),
        "Content-Type": "application/json",
    }
    return path, headers, hashes


def _post_at_once(port: int, path: str, headers: dict, bodies: list[dict]) -> list:
    def client(n: int):
        status, _headers, text = _request(
            port, "POST", path, body=json.dumps(bodies[n]), headers=headers
        )
        assert status == 200, (status, text[:500])
        return [result["outcome"] for result in json.loads(text)["results"]]

    return all_at_once(len(bodies), client)


def test_one_scan_sent_20_times_at_once_checks_in_once(gunicorn, door):  # noqa: F811
    path, headers, hashes = door
    server = gunicorn(sync=True)
    scan = {"scans": [{"nonce": secrets.token_hex(16), "ticket": hashes[0]}]}

    answers = _post_at_once(server.port, path, headers, [scan] * CLIENTS)

    # Each answer is the first one's, replayed.
    assert Counter(tuple(a) if isinstance(a, list) else a for a in answers) == Counter(
        {("checked_in",): CLIENTS}
    )
    assert Scan.objects.count() == 1
    assert CheckIn.objects.filter(undone=None).count() == 1


def test_20_scans_of_one_ticket_at_once_check_in_once(gunicorn, door):  # noqa: F811
    path, headers, hashes = door
    server = gunicorn(sync=True)
    scans = [
        {"scans": [{"nonce": secrets.token_hex(16), "ticket": hashes[0]}]} for _ in range(CLIENTS)
    ]

    answers = _post_at_once(server.port, path, headers, scans)

    assert Counter(a[0] if isinstance(a, list) else repr(a) for a in answers) == Counter(
        {"checked_in": 1, "already": CLIENTS - 1}
    )
    assert Scan.objects.count() == CLIENTS
    assert CheckIn.objects.filter(undone=None).count() == 1


def test_an_offline_queue_uploaded_by_10_requests_at_once_checks_each_in_once(
    gunicorn,  # noqa: F811
    door,
):
    path, headers, hashes = door
    server = gunicorn(sync=True)
    queue = {
        "offline": True,
        "counts": True,
        "scans": [{"nonce": secrets.token_hex(16), "ticket": hashed} for hashed in hashes],
    }

    answers = _post_at_once(server.port, path, headers, [queue] * 10)

    assert [a if isinstance(a, list) else repr(a) for a in answers] == [["checked_in"] * 5] * 10
    assert Scan.objects.count() == len(hashes)
    assert CheckIn.objects.filter(undone=None).count() == len(hashes)


def test_one_walk_in_form_sent_20_times_at_once_registers_and_checks_in_once(
    gunicorn,  # noqa: F811
    door,
):
    _path, headers, _hashes = door
    ticket = TicketType.objects.get()  # the door's event's one ticket
    event = ticket.event
    with translation.override("en"):
        path = reverse("backoffice:checkin.walk_in", kwargs={"event": event.slug})
    body = urlencode(
        {
            "csrfmiddlewaretoken": CSRF,
            "ticket_type": ticket.pk,
            "given_name": "Wim",
            "payment": "paid",
            "form_token": form_token(event),
        }
    )
    form = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    before = Registration.objects.count()
    server = gunicorn(sync=True)

    answers = all_at_once(
        CLIENTS, lambda n: _request(server.port, "POST", path, body=body, headers=form)[0]
    )

    assert Counter(answers) == Counter({200: CLIENTS})
    assert Registration.objects.count() == before + 1
    assert CheckIn.objects.filter(undone=None).count() == 1
