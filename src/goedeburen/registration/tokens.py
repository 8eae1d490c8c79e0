"""The secrets of a registration: its code, form tokens, manage tokens and ticket secrets."""

import base64
import hashlib
import hmac
import secrets

from django.core import signing
from django.utils.crypto import salted_hmac

# No 0/O, 1/I/L: a code read aloud over the phone or typed from paper stays unambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
FORM_TOKEN_MAX_AGE = 24 * 60 * 60  # seconds a rendered form stays valid
_FORM_SALT = "goedeburen.registration.form"
_MANAGE_FROM_FORM_SALT = "goedeburen.registration.manage-token-from-form"


def new_code() -> str:
    """Return a random registration code such as `K7QW3XPA` (31^8, about 40 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def issue_form_token(*, event_id: int, browser: str = "") -> str:
    """Return a signed one-time token for a registration form of this event.

    Nothing is written when a form renders (crawlers and reloads cost no rows); the token's
    random part is stored by `services.register` when the form is first submitted.
    `browser` (optional) names the browser the form was shown to (`form_token_browser`).
    """
    payload = [event_id, secrets.token_urlsafe(16)] + ([browser] if browser else [])
    return signing.dumps(payload, salt=_FORM_SALT, compress=False)


def _form_token_parts(value: str) -> list | None:
    try:
        parts = signing.loads(value, salt=_FORM_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return parts if isinstance(parts, list) and len(parts) in (2, 3) else None


def read_form_token(value: str, *, event_id: int) -> str | None:
    """Return the random part of a valid, unexpired form token of this event, else None."""
    parts = _form_token_parts(value)
    if parts is None:
        return None
    token_event, nonce = parts[:2]
    if token_event != event_id or not isinstance(nonce, str) or not 16 <= len(nonce) <= 64:
        return None
    return nonce


def form_token_browser(value: str) -> str:
    """Return the browser a valid form token was issued to ("" when it names none)."""
    parts = _form_token_parts(value)
    return parts[2] if parts is not None and len(parts) == 3 and isinstance(parts[2], str) else ""


def new_manage_token() -> tuple[str, str]:
    """Return a new manage token (256 bits) and the hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, hash_manage_token(token)


def manage_token_for_form(form_token: str) -> str:
    """Return the manage token (256 bits) of the registration that `form_token` makes.

    Derived with the site's secret from the signed form token, which only the browser that
    got the form holds: a second submission of the same form (a double click, a response
    that never arrived) can show that browser the same link, although only the link's hash
    is stored. Without the secret the token cannot be found from the database.
    """
    digest = salted_hmac(_MANAGE_FROM_FORM_SALT, form_token, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_offer_token() -> tuple[str, str]:
    """Return a new waiting-list offer token (256 bits) and the hash to store in its place."""
    return new_manage_token()


def hash_manage_token(token: str) -> str:
    # The token is random and long, so a plain SHA-256 suffices (no password stretching).
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


_NO_MATCH = hash_manage_token("no registration has this token")


def manage_token_matches(token: str, stored_hash: str | None) -> bool:
    """Return whether `token` belongs to `stored_hash`, in constant time.

    With no registration (`stored_hash` None) the same comparison runs, so a wrong token and
    an unknown code take the same time and give the same answer.
    """
    return hmac.compare_digest(hash_manage_token(token), stored_hash or _NO_MATCH) and bool(
        stored_hash
    )


def new_ticket_secret() -> str:
    """Return the secret that an attendee's ticket (QR code) carries."""
    return secrets.token_urlsafe(32)
