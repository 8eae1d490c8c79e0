"""A delivery connects to the addresses it checked, looked up once (no DNS rebinding).

`socket.getaddrinfo` answers a test name from a script, one answer per lookup; every
connection is recorded, and one to an address off this machine is refused before a packet
leaves (tests reach only 127.0.0.0/8), so "connected to 93.184.216.34" is seen, not sent.
"""

import ipaddress
import socket
import ssl

import pytest
import requests

from goedeburen.api import services, webhooks
from goedeburen.api.models import WebhookEndpoint
from tests.smtp import self_signed_certificate

from .test_webhooks import Receiver

NAME = "hooks.rebinding.test"
PUBLIC = "93.184.216.34"


class ScriptedDns:
    """Answer lookups of `NAME` with `answers[0]`, then `answers[1]` … (the last one stays;
    an empty one: no such name); other names and numeric addresses as the real resolver
    does. Count `NAME`'s lookups."""

    def __init__(self, monkeypatch, *answers: tuple[str, ...]):
        self.answers, self.lookups = list(answers), 0
        self.real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        if host != NAME:
            return self.real(host, port, family, type, proto, flags)
        answer = self.answers[min(self.lookups, len(self.answers) - 1)]
        self.lookups += 1
        if not answer:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            info
            for address in answer
            for info in self.real(address, port, family, type, proto, flags)
        ]


@pytest.fixture
def connections(monkeypatch) -> list[str]:
    """Record the address of every outgoing connection; refuse those off this machine."""
    made = []
    real = socket.socket.connect

    def connect(sock, address):
        made.append(address[0])
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise ConnectionRefusedError(111, "the tests connect only to this machine")
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return made


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


def _delivery_to(world, url: str):
    """Queue a delivery to `url` (set on the row: the API takes https only)."""
    endpoint, _secret = services.create_endpoint(
        organiser=world.organiser,
        event=None,
        url="https://127.0.0.1/hooks",
        event_types=["registration.created"],
        by=world.owner,
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=url)
    endpoint.refresh_from_db()
    return webhooks.queue_delivery(endpoint, event_type="registration.created", data={"id": "X"})


def test_a_name_that_rebinds_to_this_machine_after_the_check_is_never_reached(
    world, settings, monkeypatch, connections, receiver
):
    delivery = _delivery_to(world, receiver.url_at(NAME))
    settings.WEBHOOK_PRIVATE_ADDRESSES = False
    dns = ScriptedDns(monkeypatch, (PUBLIC,), ("127.0.0.1",))

    state = webhooks.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert (state, delivery.last_status, delivery.last_error) == ("failed", None, "ConnectionError")
    assert receiver.received == []
    assert connections == [PUBLIC]  # the checked address, refused by the fixture
    assert dns.lookups == 1


def test_negative_control_a_check_then_the_library_s_own_lookup_reaches_this_machine(
    world, settings, monkeypatch, connections, receiver
):
    settings.WEBHOOK_PRIVATE_ADDRESSES = False
    dns = ScriptedDns(monkeypatch, (PUBLIC,), ("127.0.0.1",))
    url = receiver.url_at(NAME)

    # The path before: our lookup passes the check, then requests looks the name up again.
    assert not webhooks.refused_address(url)
    response = requests.post(url, data=b"{}", timeout=10, allow_redirects=False)

    assert response.status_code == 200
    assert len(receiver.received) == 1
    assert connections == ["127.0.0.1"]
    assert dns.lookups == 2


@pytest.mark.parametrize(
    "answer", [("127.0.0.1",), (PUBLIC, "10.0.0.5"), ("169.254.169.254",), ("::1",)]
)
def test_a_name_with_any_address_off_the_public_internet_is_refused_without_connecting(
    world, settings, monkeypatch, connections, receiver, answer
):
    delivery = _delivery_to(world, receiver.url_at(NAME))
    settings.WEBHOOK_PRIVATE_ADDRESSES = False
    dns = ScriptedDns(monkeypatch, answer, (PUBLIC,))

    state = webhooks.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert (state, delivery.last_status, delivery.last_error) == (
        "failed",
        None,
        "address not on the public internet",
    )
    assert delivery.next_attempt_at is not None  # retried later with the usual back-off
    assert (connections, dns.lookups) == ([], 1)


@pytest.mark.parametrize("private_allowed", [True, False])
def test_a_name_that_does_not_resolve_fails_as_before_and_is_retried(
    world, settings, monkeypatch, connections, receiver, private_allowed
):
    delivery = _delivery_to(world, receiver.url_at(NAME))
    settings.WEBHOOK_PRIVATE_ADDRESSES = private_allowed
    dns = ScriptedDns(monkeypatch, ())

    state = webhooks.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert (state, delivery.last_status, delivery.last_error) == ("failed", None, "ConnectionError")
    assert delivery.next_attempt_at is not None
    assert (connections, dns.lookups) == ([], 1)


def test_with_private_addresses_allowed_the_delivery_still_goes_to_the_address_looked_up(
    world, monkeypatch, connections, receiver
):
    # tests/settings.py allows private addresses; nothing listens on 127.0.0.2's port.
    delivery = _delivery_to(world, receiver.url_at(NAME))
    dns = ScriptedDns(monkeypatch, ("127.0.0.1",), ("127.0.0.2",))

    state = webhooks.deliver(delivery.pk)

    assert state == "delivered"
    assert len(receiver.received) == 1
    assert receiver.received[0]["headers"]["host"] == f"{NAME}:{receiver.server.server_port}"
    assert (connections, dns.lookups) == (["127.0.0.1"], 1)


@pytest.mark.parametrize(
    ("private_allowed", "address", "state"),
    [(True, "127.0.0.1", "delivered"), (False, PUBLIC, "failed")],  # failed: see connections
)
def test_each_delivery_looks_the_name_up_once(
    world, settings, monkeypatch, connections, receiver, private_allowed, address, state
):
    deliveries = [_delivery_to(world, receiver.url_at(NAME)) for _ in range(3)]
    settings.WEBHOOK_PRIVATE_ADDRESSES = private_allowed
    dns = ScriptedDns(monkeypatch, (address,))

    states = [webhooks.deliver(delivery.pk) for delivery in deliveries]

    assert states == [state] * 3
    assert (dns.lookups, connections) == (3, [address] * 3)


def test_the_next_address_is_tried_when_the_first_does_not_answer(
    world, monkeypatch, connections, receiver
):
    delivery = _delivery_to(world, receiver.url_at(NAME))
    dns = ScriptedDns(monkeypatch, ("127.0.0.2", "127.0.0.1"))

    assert webhooks.deliver(delivery.pk) == "delivered"
    assert (connections, dns.lookups) == (["127.0.0.2", "127.0.0.1"], 1)


# HTTPS: the certificate is checked against the name, over the pinned address ----------


@pytest.mark.parametrize(
    ("certified", "outcome"), [(NAME, ("delivered", "")), ("other.example", ("failed", "SSLError"))]
)
def test_https_checks_the_certificate_against_the_name_not_the_address(
    world, monkeypatch, connections, tmp_path, certified, outcome
):
    cert_path, key_path = self_signed_certificate(tmp_path, dns_name=certified)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_path, key_path)
    server_names = []
    tls.sni_callback = lambda _sock, server_name, _context: server_names.append(server_name)
    receiver = Receiver(tls=tls)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_path))  # the only certificate trusted
    try:
        delivery = _delivery_to(world, receiver.url_at(NAME))
        dns = ScriptedDns(monkeypatch, ("127.0.0.1",))

        state = webhooks.deliver(delivery.pk)
    finally:
        receiver.close()

    delivery.refresh_from_db()
    assert (state, delivery.last_error) == outcome
    assert server_names == [NAME]
    assert (connections, dns.lookups) == (["127.0.0.1"], 1)
    if state == "delivered":
        assert receiver.received[0]["headers"]["host"] == f"{NAME}:{receiver.server.server_port}"


def test_a_proxy_from_the_environment_is_not_used(world, monkeypatch, connections, receiver):
    proxy = Receiver()  # would see the POST, with the full URL, if it were used
    monkeypatch.setenv("HTTP_PROXY", proxy.url_at("127.0.0.1").removesuffix("/hooks"))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        delivery = _delivery_to(world, receiver.url_at(NAME))
        ScriptedDns(monkeypatch, ("127.0.0.1",))

        state = webhooks.deliver(delivery.pk)
        # Negative control: requests on its own goes through the proxy.
        requests.post(receiver.url_at(NAME), data=b"{}", timeout=10)
    finally:
        proxy.close()

    assert state == "delivered"
    assert (len(receiver.received), len(proxy.received)) == (1, 1)
