"""The secret in a ticket's QR code: derived, never stored.

The secret is an HMAC (SHA-256, the site's `SECRET_KEY`) of the attendee's random ticket
secret, cut to 192 bits and written in URL-safe Base64 (32 characters). The database holds
only its SHA-256 (`Ticket.secret_hash`): someone who reads the database cannot make a
ticket, and the check-in phones download only hashes. When someone else goes instead, the
registration renews the attendee's ticket secret, and with it this secret.

Rotating `SECRET_KEY` changes every ticket's secret: keep the old key in
`SECRET_KEY_FALLBACKS` until the event is over, and `secret_for` still gives the secret
that was printed.
"""

import base64
import hashlib
import hmac

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "goedeburen.checkin.ticket"
SECRET_BYTES = 24  # 192 bits
SECRET_LENGTH = 32  # characters of URL-safe Base64


def _derive(attendee_secret: str, key) -> str:
    digest = salted_hmac(_SALT, attendee_secret, secret=key, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:SECRET_BYTES]).decode("ascii")


def secret_for(attendee, *, stored_hash: str | None = None) -> str:
    """Return the secret of `attendee`'s current ticket (what the QR code carries).

    With `stored_hash`, the secret under an older key (`SECRET_KEY_FALLBACKS`) is returned
    when that is the one the ticket was issued with.
    """
    current = _derive(attendee.ticket_secret, settings.SECRET_KEY)
    if stored_hash is None or hmac.compare_digest(hash_secret(current), stored_hash):
        return current
    for key in settings.SECRET_KEY_FALLBACKS:
        older = _derive(attendee.ticket_secret, key)
        if hmac.compare_digest(hash_secret(older), stored_hash):
            return older
    return current


def hash_secret(secret: str) -> str:
    """Return the SHA-256 (hex) of a scanned or derived secret, as `Ticket` stores it."""
    return hashlib.sha256(secret.strip().encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_secret(text: str) -> bool:
    """Return whether `text` could be a ticket secret at all (length and alphabet)."""
    text = text.strip()
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    return len(text) == SECRET_LENGTH and set(text) <= alphabet


def is_current(attendee, stored_hash: str) -> bool:
    """Return whether `stored_hash` is the hash of `attendee`'s current secret (any key)."""
    return hmac.compare_digest(
        hash_secret(secret_for(attendee, stored_hash=stored_hash)), stored_hash
    )
