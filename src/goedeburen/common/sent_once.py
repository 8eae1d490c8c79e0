"""A form that makes something, sent twice (a double click, a reload that posts again, a
second tab on the same page): the second sending finds what the first made instead of
making it again.

The page gives its form a random one-time key (`new_key`, in the field `FIELD`); the view
makes the thing through `make_once`, which claims the key in the same transaction. Two
sendings at once: the second's claim waits on the first's (the key is unique) and, once
the first is committed, finds it; had the first failed (refused, invalid), its claim was
rolled back with it and the second makes the thing. A form without a key (an old page, a
script) is served as before, without the guard.
"""

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SentForm

FIELD = "sent_once"
_KEY = re.compile(r"[A-Za-z0-9_-]{22}")
# Long enough for a slow second click or a page reloaded the next morning.
KEEP = dt.timedelta(days=2)


def new_key() -> str:
    """Return a fresh key for a form (128 random bits)."""
    return secrets.token_urlsafe(16)


def key_in(data) -> str:
    """Return the form's key from the sent `data` (a QueryDict), "" when none or malformed."""
    value = data.get(FIELD, "")
    return value if isinstance(value, str) and _KEY.fullmatch(value) else ""


@dataclass(frozen=True)
class Made:
    """What `make_once` did: `address` of what was made ("" when a sending of another
    user's page holds the key), and whether it had been made `before`."""

    address: str
    before: bool


def sent_before(key: str, *, user) -> Made | None:
    """Return what the form with `key` made when it was sent before (and committed), else
    None. Checked before the form is: sent again, a form whose first sending made what it
    names (an event's address) is not refused as taken."""
    if not key:
        return None
    earlier = SentForm.objects.filter(key=key).first()
    if earlier is None:
        return None
    mine = earlier.user_id == getattr(user, "pk", None)
    return Made(earlier.address if mine else "", before=True)


def make_once(key: str, *, user, make: Callable[[], str]) -> Made:
    """Call `make` (which makes the thing and returns its address) unless the form with
    `key` was sent before; then return the address the first sending made.

    Side effects: `make`'s, and the key's row, in one transaction: when `make` raises, the
    key stays unused.
    """
    if not key:
        return Made(make(), before=False)
    user = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                sent = SentForm.objects.create(key=key, user=user)
        except IntegrityError:  # sent before: its transaction is committed by now
            return sent_before(key, user=user) or Made("", before=True)
        address = make()
        SentForm.objects.filter(pk=sent.pk).update(address=address[:500])
    return Made(address, before=False)


def purge(*, now: dt.datetime | None = None) -> int:
    """Delete the keys of forms sent longer than `KEEP` ago; return how many."""
    before = (now or timezone.now()) - KEEP
    return SentForm.objects.filter(created__lt=before).delete()[0]
