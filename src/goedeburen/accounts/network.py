"""Where a request comes from, for the lockout (django-axes) and passkeys (WebAuthn)."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings


def client_ip(request) -> str:
    """Return the client's address: the connection's, or the one the trusted proxies saw.

    With `TRUSTED_PROXIES` = n, the n-th address from the right of X-Forwarded-For is the
    one the outermost trusted proxy added; anything left of it the client could have made up.
    A value there that is no address (more proxies counted than there are: the client's text in
    that place) is not taken: the lockout stores the address in an `inet` column, which
    refuses anything else (a 500 at sign-in).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXIES
    if count <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def webauthn_rp_id(request) -> str:
    """Return the passkeys' relying party: the host of the site's (first) allowed origin."""
    return urlsplit(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0]).hostname or ""
