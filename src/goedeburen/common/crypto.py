"""Seal a secret that must be kept for a while (an outbox mail's link until it is sent, the
booker's links in a cookie): encrypted and authenticated, never readable where it is stored.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with a key derived from
`SECRET_KEY` for each purpose, so a value sealed for one purpose cannot be opened as another.
Keys in `SECRET_KEY_FALLBACKS` still open what was sealed before a key rotation. Where a
column is too short for Fernet, `seal_bytes` (AES-GCM) seals raw bytes compactly; `digests`
gives what to store of a one-time code (a keyed digest) instead of the code.
"""

import base64
import functools
import hmac
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class Unsealable(ValueError):
    """A sealed value that was tampered with, made with an unknown key, or too old."""


def _derive(secret: str, purpose: str, *, salt: bytes) -> bytes:
    """Return a 32-byte key for `purpose` derived from `secret` (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=purpose.encode()).derive(
        secret.encode("utf-8", "surrogatepass")
    )


@functools.lru_cache(maxsize=32)
def _fernet(secret: str, purpose: str) -> Fernet:
    # Cached: deriving the key costs more than sealing a short value, and a request that
    # registers seals one (the outbox's manage token).
    key = _derive(secret, purpose, salt=b"goedeburen.common.crypto")
    return Fernet(base64.urlsafe_b64encode(key))


def _secrets() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _keys(purpose: str) -> MultiFernet:
    return MultiFernet([_fernet(secret, purpose) for secret in _secrets()])


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


# Compact sealing, for a column too short for Fernet's 57 bytes more than the value. ------

_COMPACT_NONCE = 12  # bytes; AES-GCM's tag adds 16 more


@functools.lru_cache(maxsize=32)
def _compact_key(secret: str, purpose: str) -> bytes:
    return _derive(secret, purpose, salt=b"goedeburen.common.crypto.compact")


def seal_bytes(data: bytes, *, purpose: str) -> str:
    """Return `data` encrypted and authenticated for `purpose` (AES-GCM), as URL-safe
    base64 of 28 bytes more than `data`: an authenticator app's 20-byte key in 64 characters."""
    nonce = os.urandom(_COMPACT_NONCE)
    sealed = AESGCM(_compact_key(settings.SECRET_KEY, purpose)).encrypt(nonce, data, None)
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal_bytes(sealed: str, *, purpose: str) -> bytes:
    """Return what `seal_bytes` sealed for `purpose` (with `SECRET_KEY` or a fallback), or
    raise `Unsealable`."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
    except (UnicodeError, ValueError) as error:
        raise Unsealable(purpose) from error
    nonce, data = raw[:_COMPACT_NONCE], raw[_COMPACT_NONCE:]
    for secret in _secrets():
        try:
            return AESGCM(_compact_key(secret, purpose)).decrypt(nonce, data, None)
        except (InvalidTag, ValueError):
            continue
    raise Unsealable(purpose)


def digests(text: str, *, purpose: str, length: int = 16) -> list[str]:
    """Return the keyed digest (HMAC-SHA256, hex, `length` characters) of `text` for
    `purpose` under `SECRET_KEY` and each fallback, the current one first: what to store of
    a one-time code instead of the code, and what to look it up by."""
    return [
        hmac.new(_compact_key(secret, purpose), text.encode(), "sha256").hexdigest()[:length]
        for secret in _secrets()
    ]
