"""Tokens and secrets: made at random, shown once, kept only hashed or encrypted."""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

TOKEN_PREFIX = "gbt_"  # noqa: S105 - a marker that tells a token from other text, no secret


def new_api_token() -> tuple[str, str, str]:
    """Return (token to show once, its prefix for lists, its hash to store)."""
    body = secrets.token_urlsafe(32)
    token = f"{TOKEN_PREFIX}{body}"
    return token, token[: len(TOKEN_PREFIX) + 6], hash_token(token)


def hash_token(token: str) -> str:
    """Return the stored form of an API token (SHA-256: it has 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_webhook_secret() -> str:
    """Return a Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _fernet() -> Fernet:
    # A key of its own, derived from SECRET_KEY, so that no other use of it can decrypt.
    digest = hashlib.sha256(f"goedeburen.api.webhook-secret:{settings.SECRET_KEY}".encode())
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(stored: str) -> str:
    """Return the secret; raise ValueError when SECRET_KEY changed since it was stored."""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise ValueError("webhook secret cannot be decrypted with this SECRET_KEY") from None
