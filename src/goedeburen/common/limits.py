"""Limits per client on the public forms (django-ratelimit), counted in the shared cache.

The client is the address the trusted proxies saw (`accounts.network.client_ip`), not the
connection's: behind the proxy every visitor would otherwise share one count.
"""

from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from goedeburen.accounts.network import client_ip


def _client(group, request) -> str:
    return client_ip(request)


def over_limit(request, *, group: str, rate: str) -> bool:
    """Count this request of the client in `group`; return whether it is over `rate`
    (such as "10/h")."""
    return is_ratelimited(request, group=group, key=_client, rate=rate, method=ALL, increment=True)
