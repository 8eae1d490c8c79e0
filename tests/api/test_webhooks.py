"""Webhooks against a real HTTP receiver that checks signatures with `standardwebhooks`."""

import datetime as dt
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone, translation
from standardwebhooks.webhooks import Webhook

from goedeburen.api import services, webhooks
from goedeburen.api.exceptions import ApiError
from goedeburen.api.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from goedeburen.mail.models import OutgoingMail
from goedeburen.registration import services as registration_services
from tests.factories import attendee, billing, booker, form_token
from tests.mail.conftest import drain  # noqa: F401 - the worker fixture

from .conftest import make_token  # noqa: F401


class Receiver:
    """An HTTP server that answers with the statuses it is given, then 200; records each call.

    With `tls`, an HTTPS server with that context.
    """

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.secrets: list[str] = []
        self.statuses: list[int] = []
        self.received: list[dict] = []
        self.verified: list[bool] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                ok = []
                for secret in receiver.secrets:
                    try:
                        Webhook(secret).verify(body, headers)
                        ok.append(True)
                    except Exception:
                        ok.append(False)
                receiver.verified.append(ok)
                receiver.received.append({"headers": headers, "body": json.loads(body)})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.url = self.url_at("127.0.0.1")
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url_at(self, host: str) -> str:
        """Return the receiver's URL with `host` (a name the test makes resolve here)."""
        scheme = "https" if isinstance(self.server.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://{host}:{self.server.server_port}/hooks"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def endpoint(world, receiver):
    made, secret = services.create_endpoint(
        organiser=world.organiser,
        event=None,
        url=receiver.url,
        event_types=["registration.created", "registration.cancelled"],
        by=world.owner,
    )
    receiver.secrets.append(secret)
    return made


def _endpoint_to(world, url: str):
    """Make an organiser-wide endpoint for `registration.created` at `url`, as its owner."""
    return services.create_endpoint(
        organiser=world.organiser,
        event=None,
        url=url,
        event_types=["registration.created"],
        by=world.owner,
    )


def _register(world):
    return registration_services.register(
        world.event,
        booker=booker(),
        attendees=[attendee(world.ticket_type)],
        billing=billing(),
        form_token=form_token(world.event),
        language="nl",
    )


def _send_due(*, now):
    return [webhooks.deliver(pk, now=now) for pk in webhooks.due_ids(now=now)]


def test_a_registration_queues_one_signed_delivery_with_a_minimal_payload(
    world, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        registration = _register(world)

    states = _send_due(now=timezone.now())

    assert states == ["delivered"]
    (call,) = receiver.received
    assert receiver.verified == [[True]]
    assert call["body"]["type"] == "registration.created"
    assert call["body"]["data"]["id"] == registration.code
    assert call["body"]["data"]["url"].endswith(
        f"/api/v1/events/{world.event.slug}/registrations/{registration.code}/"
    )
    assert set(call["body"]["data"]) == {"id", "url", "event"}
    assert call["headers"]["webhook-id"].startswith("msg_")


def test_a_registration_rolled_back_never_emits_a_webhook(world, endpoint):
    with pytest.raises(RuntimeError), transaction.atomic():
        _register(world)
        raise RuntimeError("the surrounding change fails")

    assert not WebhookDelivery.objects.exists()


def test_an_event_type_nobody_wants_writes_nothing(world, receiver):
    services.create_endpoint(
        organiser=world.organiser,
        event=None,
        url=receiver.url,
        event_types=["payment.received"],
        by=world.owner,
    )

    _register(world)

    assert not WebhookDelivery.objects.exists()


def test_a_receiver_that_fails_three_times_gets_it_exactly_once_more(world, endpoint, receiver):
    receiver.statuses = [500, 503, 502]
    _register(world)
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()

    outcomes = []
    for _ in range(6):
        outcomes += _send_due(now=now)
        delivery.refresh_from_db()
        now = (delivery.next_attempt_at or now) + dt.timedelta(seconds=1)

    assert outcomes == ["failed", "failed", "failed", "delivered"]
    assert len(receiver.received) == 4
    assert len({call["headers"]["webhook-id"] for call in receiver.received}) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 4, 200)
    assert delivery.last_duration_ms is not None


def test_retries_back_off_for_more_than_72_hours(world, endpoint, receiver):
    assert sum(webhooks.RETRY_DELAYS) > 72 * 3600
    receiver.statuses = [500] * 50
    _register(world)
    delivery = WebhookDelivery.objects.get()
    now = start = timezone.now()
    while delivery.state != DeliveryState.GAVE_UP:
        _send_due(now=now)
        delivery.refresh_from_db()
        now = (delivery.next_attempt_at or now) + dt.timedelta(seconds=1)

    assert delivery.attempts == webhooks.MAX_ATTEMPTS
    assert now - start > dt.timedelta(hours=72)


def test_a_410_switches_the_endpoint_off_and_mails_the_owner(world, endpoint, receiver):
    receiver.statuses = [410]
    _register(world)

    _send_due(now=timezone.now())

    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.disabled_reason) == (False, "410 Gone")
    assert OutgoingMail.objects.filter(kind="notice", recipient=world.owner.email).count() == 1
    _register(world)
    assert WebhookDelivery.objects.count() == 1  # nothing more for a switched-off endpoint


def test_a_week_of_failures_switches_the_endpoint_off(world, endpoint, receiver):
    receiver.statuses = [500] * 50
    _register(world)
    now = timezone.now()
    _send_due(now=now)

    _register(world)
    _send_due(now=now + dt.timedelta(days=7, minutes=1))

    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert endpoint.disabled_reason == "failing for a week"


def test_after_a_rotation_both_secrets_sign_during_the_overlap(world, endpoint, receiver):
    new = services.rotate_secret(endpoint, by=world.owner)
    receiver.secrets.append(new)
    _register(world)

    _send_due(now=timezone.now())
    assert receiver.verified[-1] == [True, True]

    # The overlap ends: only the new secret signs.
    endpoint.secrets.filter(expires__isnull=False).update(
        expires=timezone.now() - dt.timedelta(seconds=1)
    )
    _register(world)
    _send_due(now=timezone.now())
    assert receiver.verified[-1] == [False, True]


def test_ping_and_redeliver_by_hand(world, endpoint, receiver):
    receiver.statuses = [500]
    delivery = services.ping(endpoint, by=world.owner)
    _send_due(now=timezone.now())
    delivery.refresh_from_db()
    assert delivery.state == "failed"

    services.redeliver(delivery, by=world.owner)
    _send_due(now=timezone.now())

    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert [c["body"]["type"] for c in receiver.received] == ["ping", "ping"]


def test_the_secret_is_not_readable_in_the_database(world, endpoint, receiver):
    stored = list(endpoint.secrets.values_list("encrypted", flat=True))

    assert receiver.secrets[0] not in str(stored)
    assert receiver.secrets[0].removeprefix("whsec_") not in str(stored)


@pytest.mark.parametrize("url", ["ftp://example.org/", "http://example.org/hook", "nonsense"])
def test_an_endpoint_must_be_https(world, url):
    with pytest.raises(ApiError):
        _endpoint_to(world, url)
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_a_registration_once(world, endpoint, receiver, drain):  # noqa: F811
    registration = _register(world)

    drain()
    drain()

    assert [c["body"]["data"]["id"] for c in receiver.received] == [registration.code]
    assert receiver.verified == [[True]]


def _deliver_while_the_endpoint_row_is_locked(endpoint, delivery_id) -> str:
    """Deliver while another transaction holds the endpoint's row (as a worker recording
    another delivery's outcome does)."""
    from django.db import connections

    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        return webhooks.deliver(delivery_id)
    finally:
        release.set()
        holder.join(timeout=30)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_is_sent_while_another_worker_writes_its_endpoint(
    on_postgresql, world, endpoint, receiver
):
    delivery = webhooks.queue_delivery(
        endpoint, event_type="registration.created", data={"id": "X"}
    )

    assert _deliver_while_the_endpoint_row_is_locked(endpoint, delivery.pk) == "delivered"
    assert len(receiver.received) == 1


def _claim_at_once(pk, claim) -> list:
    """Two workers claim delivery `pk` at the same moment; return what each got."""
    from django.db import connections

    barrier, got = threading.Barrier(2), []

    def worker():
        try:
            barrier.wait(timeout=30)
            got.append(claim(pk, now=timezone.now()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return got


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_one_delivery_at_once_send_it_once(
    on_postgresql, world, endpoint, receiver
):
    delivery = webhooks.queue_delivery(
        endpoint, event_type="registration.created", data={"id": "X"}
    )

    got = _claim_at_once(delivery.pk, webhooks._claim)

    assert sorted(claimed is not None for claimed in got) == [False, True]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENDING, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_a_claim_that_reads_then_writes_sends_twice(
    on_postgresql, world, endpoint, receiver
):
    both_read = threading.Barrier(2)

    def read_then_write(pk, *, now):
        due = WebhookDelivery.objects.filter(webhooks._due(now), pk=pk).exists()
        both_read.wait(timeout=30)
        if due:
            WebhookDelivery.objects.filter(pk=pk).update(state=DeliveryState.SENDING)
            return pk
        return None

    delivery = webhooks.queue_delivery(
        endpoint, event_type="registration.created", data={"id": "X"}
    )

    assert _claim_at_once(delivery.pk, read_then_write) == [delivery.pk, delivery.pk]


# Addresses off the public internet ---------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "http://127.0.0.1:8000/hooks",
        "https://localhost/hooks",
        "https://api.localhost./hooks",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.1.20:8443/hooks",
        "https://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "https://0.0.0.0/hooks",
    ],
)
def test_a_webhook_to_this_machine_or_a_private_network_is_refused(world, settings, url):
    settings.WEBHOOK_PRIVATE_ADDRESSES = False

    with pytest.raises(ApiError) as refused, translation.override("nl"):
        _endpoint_to(world, url)

    assert refused.value.code == "address_private"
    with translation.override("nl"):
        assert str(refused.value.message).startswith("Webhooks gaan alleen naar adressen")
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", ["https://93.184.216.34/hooks", "https://hooks.example.invalid/"])
def test_a_webhook_to_a_public_or_not_yet_known_address_is_kept(world, settings, url):
    settings.WEBHOOK_PRIVATE_ADDRESSES = False

    made, _secret = _endpoint_to(world, url)

    assert made.url == url


def test_a_delivery_to_a_name_that_now_means_this_machine_is_not_sent(
    world, endpoint, receiver, settings
):
    # Made while allowed (or the name resolved elsewhere then): checked again on delivery.
    settings.WEBHOOK_PRIVATE_ADDRESSES = False
    _register(world)

    assert _send_due(now=timezone.now()) == ["failed"]

    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.last_status, delivery.last_error) == (
        None,
        "address not on the public internet",
    )
