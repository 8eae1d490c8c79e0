"""200 browsers race for the last 50 seats of a quota through the real form, served by gunicorn.

Unlike tests/registration/test_concurrency.py, which calls the service from threads, this
goes through everything a visitor goes through: two gunicorn worker processes (each with a
few threads and its own database connections), CSRF, the signed one-time form token, the
cached form page, the view and the seat counter. Every client first GETs the form (its CSRF
cookie and form token), then a barrier releases all 200 POSTs at once. The race runs on an
empty quota of 50 and on one of 30,000 with 29,950 seats taken (registrations in the
database, so a count of records would be slow and the counter must agree with them).

PostgreSQL only (`max_connections` 100 is shared with the rest of the suite: gunicorn holds
at most 2 × 4 connections).
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Quota, Registration
from goedeburen.registration.services import recount_seats
from tests.factories import (
    OpenEventFactory,
    OrganiserBillingFactory,
    QuotaFactory,
    TicketTypeFactory,
    fill_seats,
)
from tests.processes import child_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 200
SEATS = 50
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    """Return a free port: from GOEDEBUREN_TEST_PORTS ("8180-8189") when set, else any."""
    first, _, last = os.environ.get("GOEDEBUREN_TEST_PORTS", "0-0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    pytest.fail(f"no free port in GOEDEBUREN_TEST_PORTS={first}-{last}")


@dataclass(frozen=True)
class Server:
    port: int


def _start_gunicorn(*, lock: bool, sync: bool = False):
    port = _free_port()
    env = child_env(
        CONN_MAX_AGE="5",
        PYTHONUNBUFFERED="1",
        # 200 browsers on one machine share its address: not the abuse that is held back
        # for review (registration.services.abuse), which has tests of its own.
        REGISTRATION_REVIEW_SEATS_PER_HOUR="100000",
    )
    if not lock:
        env["GOEDEBUREN_TEST_NO_QUOTA_LOCK"] = "1"
    # `sync`: production's own worker class (goedeburen.gunicorn_config), one request at a
    # time in each of 4 processes.
    workers = (
        ["--workers", "4", "--worker-class", "sync"]
        if sync
        else ["--workers", "2", "--worker-class", "gthread", "--threads", "4"]
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "goedeburen.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            *workers,
            # Django is loaded once and the workers forked from it: each worker loading it
            # again took 1.5 to 2 s of CPU, 4 to 8 s a server on a busy 2-core machine.
            "--preload",
            "--backlog",
            "512",
            "--timeout",
            "60",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped: {process.stderr.read()}")
        try:
            status, _, _ = _request(port, "GET", "/static/goedeburen/site.css")
            if status == 200:
                return process, Server(port=port)
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    pytest.fail("gunicorn did not answer within 30 s")


def _stop(process) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        _, errors = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        _, errors = process.communicate()
    return errors


@pytest.fixture
def gunicorn(on_postgresql):
    """Start gunicorn (2 workers × 4 threads, or with `sync=True` 4 sync workers) on the
    test database; `lock=False` for the negative control. Fails the test if a worker
    logged a server error."""
    started = []

    def start(*, lock: bool = True, sync: bool = False) -> Server:
        process, server = _start_gunicorn(lock=lock, sync=sync)
        started.append(process)
        return server

    yield start
    for process in started:
        errors = _stop(process)
        assert "Traceback" not in errors, errors


def _request(port: int, method: str, path: str, *, body: str = "", headers=None):
    """Send one request on its own connection; return status, headers and text."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body.encode() if body else None, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


@dataclass
class Outcome:
    status: int = 0
    location: str = ""
    text: str = ""
    error: str = ""


def _race(server: Server, event, ticket_type, **paying) -> list[Outcome]:
    """Let CLIENTS browsers fetch the form, then submit it all at once (with `paying`: the
    form's billing and payment fields as well)."""
    from urllib.parse import urlencode

    with translation.override("en"):
        path = reverse("public:registration.start", kwargs={"event": event.slug})
    barrier = threading.Barrier(CLIENTS, timeout=60)
    outcomes = [Outcome() for _ in range(CLIENTS)]

    def client(n: int) -> None:
        outcome = outcomes[n]
        try:
            status, headers, html = _request(server.port, "GET", path)
            assert status == 200, status
            csrf = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
            form_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
            middleware_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
            body = urlencode(
                {
                    "csrfmiddlewaretoken": middleware_token.group(1),
                    "form_token": form_token,
                    "attendee_count": "1",
                    "action": "register",
                    "booker-name": f"Booker {n}",
                    "booker-email": f"booker{n}@example.org",
                    "attendee-0-ticket_type": str(ticket_type.pk),
                    "attendee-0-given_name": f"Ada {n}",
                    "attendee-0-role": "municipality",
                    "attendee-0-badge_name": "full",
                    **paying,
                }
            )
        except Exception as failed:  # reported by the assertions
            outcome.error = repr(failed)
            barrier.abort()
            return
        try:
            barrier.wait()
            status, headers, text = _request(
                server.port,
                "POST",
                path,
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={csrf}",
                },
            )
            outcome.status, outcome.location, outcome.text = status, headers["Location"] or "", text
        except Exception as failed:
            outcome.error = repr(failed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return outcomes


def _tally(outcomes: list[Outcome]) -> Counter:
    def kind(outcome: Outcome) -> str:
        if outcome.error:
            return "error"
        if outcome.status == 302 and "/register/done/" in outcome.location:
            return "registered"
        if outcome.status == 200 and "is sold out." in outcome.text:
            return "sold_out"
        return f"http_{outcome.status}"

    return Counter(kind(outcome) for outcome in outcomes)


TAKEN = {"empty": 0, "nearly_full": 29_950}


@pytest.fixture(params=list(TAKEN))
def last_fifty(request):
    """A quota with exactly SEATS seats left: empty, or with 29,950 taken by registrations."""
    event = OpenEventFactory()
    ticket_type = TicketTypeFactory(event=event, price=Decimal("0"), max_per_registration=1)
    taken = TAKEN[request.param]
    quota = QuotaFactory(event=event, size=taken + SEATS, ticket_types=[ticket_type])
    if taken:
        fill_seats(ticket_type, taken)
    assert Quota.objects.get(pk=quota.pk).taken == taken
    return event, ticket_type, taken


def _new_registrations():
    return Registration.objects.exclude(code__startswith="F0")  # not those of fill_seats


def test_200_browsers_for_the_last_50_seats_get_exactly_50(gunicorn, last_fifty):
    event, ticket_type, taken = last_fifty
    server = gunicorn()

    outcomes = _race(server, event, ticket_type)

    errors = [o.error for o in outcomes if o.error][:3]
    assert (_tally(outcomes), errors) == (
        Counter(registered=SEATS, sold_out=CLIENTS - SEATS),
        [],
    )
    assert _new_registrations().filter(status=RegistrationStatus.CONFIRMED).count() == SEATS
    assert Attendee.objects.count() == taken + SEATS
    codes = {o.location.rstrip("/").rsplit("/", 1)[-1] for o in outcomes if o.status == 302}
    assert set(_new_registrations().values_list("code", flat=True)) == codes
    assert Quota.objects.get(event=event).taken == taken + SEATS
    assert recount_seats(repair=False) == []


def test_200_browsers_without_the_quota_lock_oversell(gunicorn, last_fifty):
    # Negative control: the same race with the test seam that takes seats by reading and
    # then writing the counter without its lock must oversell, which proves that the test
    # above can fail.
    event, ticket_type, taken = last_fifty
    server = gunicorn(lock=False)

    outcomes = _race(server, event, ticket_type)

    tally = _tally(outcomes)
    assert (tally["error"], tally["registered"] + tally["sold_out"]) == (0, CLIENTS)
    assert tally["registered"] > SEATS
    assert Attendee.objects.count() > taken + SEATS


def test_200_browsers_paying_by_transfer_for_the_last_50_seats_get_50_invoices(gunicorn):
    """The way to pay is chosen in the booking's transaction: each of the 50 gets its
    seat and its invoice at once, numbered without a gap; the 150 refused take no number."""
    from goedeburen.payments.models import Invoice, PaymentSettings

    event = OpenEventFactory()
    OrganiserBillingFactory(organiser=event.organiser)
    PaymentSettings.objects.create(event=event, bank_transfer_enabled=True)
    ticket_type = TicketTypeFactory(event=event, price=Decimal("125.00"), max_per_registration=1)
    QuotaFactory(event=event, size=SEATS, ticket_types=[ticket_type])
    server = gunicorn()

    outcomes = _race(
        server,
        event,
        ticket_type,
        **{
            "billing-organisation": "Woonstichting De Linde",
            "billing-address": "Lindelaan 1\n3500 AA Utrecht",
            "payment-provider": "bank_transfer",
        },
    )

    errors = [o.error for o in outcomes if o.error][:3]
    assert (_tally(outcomes), errors) == (
        Counter(registered=SEATS, sold_out=CLIENTS - SEATS),
        [],
    )
    held = Registration.objects.filter(status=RegistrationStatus.PENDING_PAYMENT)
    assert held.count() == SEATS
    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == list(range(1, SEATS + 1))
    assert set(Invoice.objects.values_list("registration_id", flat=True)) == set(
        held.values_list("pk", flat=True)
    )
    assert Quota.objects.get(event=event).taken == SEATS
    assert recount_seats(repair=False) == []
