"""Know which secrets went into a text while it was made, so that it can be stored without them.

A mail is rendered with the real links in it (manage, offer, participant, survey links),
but the outbox may keep them only sealed. Whoever makes a link's secret calls `note(token)`;
`collecting()` gathers what was noted while a text was rendered, and `hide`/`reveal` swap
each secret for a marker and back.
"""

import contextlib
import contextvars
import re
from collections.abc import Iterator

_collected: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "goedeburen_secrets", default=None
)

# What a secret looks like in a stored text: no template, placeholder or URL makes this.
_MARKER = "[[secret:{}]]"
_MARKERS = re.compile(r"\[\[secret:(\d+)\]\]")
# Shown instead of a secret in a text that is kept after the secret was thrown away.
HIDDEN = "***"


def note(secret: str) -> None:
    """Tell the current `collecting()` block, if any, that `secret` went into its text."""
    found = _collected.get()
    if found is not None and secret and secret not in found:
        found.append(secret)


@contextlib.contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect the secrets `note`d inside the block; yield the list they are added to."""
    found: list[str] = []
    token = _collected.set(found)
    try:
        yield found
    finally:
        _collected.reset(token)


def hide(text: str, secrets: list[str]) -> str:
    """Return `text` with each of `secrets` replaced by its marker (longest first)."""
    for index, secret in sorted(enumerate(secrets), key=lambda pair: -len(pair[1])):
        text = text.replace(secret, _MARKER.format(index))
    return text


def reveal(text: str, secrets: list[str]) -> str:
    """Return `text` with its markers replaced by `secrets` (the inverse of `hide`)."""
    return _MARKERS.sub(lambda m: secrets[int(m[1])] if int(m[1]) < len(secrets) else HIDDEN, text)


def blank(text: str) -> str:
    """Return `text` with its markers shown as `HIDDEN`, for a reader who gets no secret."""
    return _MARKERS.sub(HIDDEN, text)
