"""Send a webhook to the very addresses that were checked: one DNS lookup per delivery.

Checking a host name and then letting the HTTP library connect to it looks the name up
twice; a name whose answer changes in between (DNS rebinding) passes the check with a
public address and is then reached at 127.0.0.1, a private network or a cloud's metadata
service. Here the connection itself looks the name up once, checks every address it got,
and connects to those addresses only. The URL's host name stays the connection's host:
the Host header, TLS SNI and certificate verification all use the name, never the address.

requests-hardened (Saleor) pins the same way but checks only the first address, by other
rules, and cannot pin while private networks are allowed; hence this small adapter.
"""

import functools
import ipaddress
import socket
import sys

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection


class AddressRefused(Exception):
    """The host is, or resolves to, an address off the public internet.

    Not an OSError: urllib3 would retry those and requests would wrap them; this one
    reaches the caller as it is.
    """


def local_name(name: str) -> bool:
    """Return whether `name` means this machine whatever DNS says ("localhost", "*.localhost")."""
    name = name.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def off_public_internet(address: str) -> bool:
    """Return whether `address` (as getaddrinfo gives it) is loopback, private, link-local …"""
    return not ipaddress.ip_address(address.split("%")[0]).is_global


def checked_addresses(host: str, port: int | None, *, allow_private: bool) -> list[tuple]:
    """Look `host` up once; return getaddrinfo's answers, or refuse them all.

    Raises `AddressRefused` when private addresses are not allowed and any answer is off
    the public internet, and socket.gaierror when the name does not resolve.
    """
    if not allow_private and local_name(host):
        raise AddressRefused(host)
    found = socket.getaddrinfo(
        host.strip("[]"), port, connection.allowed_gai_family(), socket.SOCK_STREAM
    )
    if not allow_private and any(off_public_internet(info[4][0]) for info in found):
        raise AddressRefused(host)
    return found


class _PinnedConnectionMixin:
    """Connect to the checked addresses in turn, as urllib3 connects to a name's."""

    def __init__(self, *args, allow_private: bool, **kwargs):
        self.allow_private = allow_private
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        try:
            found = checked_addresses(self._dns_host, self.port, allow_private=self.allow_private)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        last_error = OSError("getaddrinfo returns an empty list")
        for info in found:
            try:
                # A numeric address: urllib3 connects to it without another lookup.
                sock = connection.create_connection(
                    (info[4][0], self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as error:
                last_error = error
                continue
            sys.audit("http.client.connect", self, self.host, self.port)
            return sock
        if isinstance(last_error, TimeoutError):
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
            ) from last_error
        raise NewConnectionError(
            self, f"Failed to establish a new connection: {last_error}"
        ) from last_error


class _PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    """A requests transport whose connections go only to the addresses they checked."""

    def __init__(self, *, allow_private: bool):
        self.allow_private = allow_private
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        # The pool hands keyword arguments it does not know on to its connections.
        self.poolmanager.pool_classes_by_scheme = {
            "http": functools.partial(_PinnedHTTPConnectionPool, allow_private=self.allow_private),
            "https": functools.partial(
                _PinnedHTTPSConnectionPool, allow_private=self.allow_private
            ),
        }

    def send(self, request, **kwargs):
        # Directly, never through a proxy from the environment: the proxy would look the
        # name up again, after the check.
        kwargs["proxies"] = None
        return super().send(request, **kwargs)


def post(url: str, *, allow_private: bool, **kwargs) -> requests.Response:
    """Send `requests.post(url, **kwargs)` through `PinnedAdapter`.

    Raises `AddressRefused` before any connection when the host is off the public internet
    and `allow_private` is false.
    """
    with requests.Session() as session:
        adapter = PinnedAdapter(allow_private=allow_private)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session.post(url, **kwargs)
