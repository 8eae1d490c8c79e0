"""Seal a secret that must be kept for a while (an outbox mail's link until it is sent, the
booker's links in a cookie): encrypted and authenticated, never readable where it is stored.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with a key derived from
`SECRET_KEY` for each purpose, so a value sealed for one purpose cannot be opened as another.
Keys in `SECRET_KEY_FALLBACKS` still open what was sealed before a key rotation.
"""

import base64
import functools
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class Unsealable(ValueError):
    """A sealed value that was tampered with, made with an unknown key, or too old."""


@functools.lru_cache(maxsize=32)
def _fernet(secret: str, purpose: str) -> Fernet:
    # Cached: deriving the key costs more than sealing a short value, and a request that
    # registers seals one (the outbox's manage token).
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"goedeburen.common.crypto",
        info=purpose.encode(),
    ).derive(secret.encode("utf-8", "surrogatepass"))
    return Fernet(base64.urlsafe_b64encode(key))


def _keys(purpose: str) -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(secret, purpose) for secret in secrets])


def seal(value: Any, *, purpose: str) -> str:
    """Return `value` (anything JSON-able) encrypted for `purpose`, as URL-safe text."""
    data = json.dumps(value, separators=(",", ":")).encode()
    return _keys(purpose).encrypt(data).decode("ascii")


def unseal(sealed: str, *, purpose: str, max_age: int | None = None) -> Any:
    """Return the value that `seal` sealed for `purpose`, or raise `Unsealable`.

    `max_age` (seconds) refuses a value sealed longer ago.
    """
    try:
        data = _keys(purpose).decrypt(sealed.encode("ascii"), ttl=max_age)
        return json.loads(data)
    except (InvalidToken, UnicodeError, ValueError, TypeError) as error:
        raise Unsealable(purpose) from error
