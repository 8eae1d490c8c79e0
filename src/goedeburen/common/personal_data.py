"""The registry of personal data per app, which the privacy work calls for a registration.

Each app that keeps personal data about a registration beyond the registration itself
(the outbox, payments, session choices, check-ins, survey answers …) registers a `Part`:
what it exports, what an erasure would remove and what must stay (with the reason), how it
erases, and which of its rows the audit log may name (so that their entries are scrubbed of
their personal fields too). `privacy` calls every part; an app that comes later (check-in)
registers its own from its `AppConfig.ready`, without `privacy` knowing it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Preview:
    """What erasing one part would do: lines of what goes and of what must stay (and why)."""

    erased: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    # Stable codes of what must stay ("invoice_duty", "unpaid_invoice" …), for the record.
    kept_codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    """One app's personal data about a registration.

    `export(registration)` returns JSON-able data (a dict or list) for the person's copy;
    `preview(registration)` a `Preview`; `erase(registration)` removes what may go and
    returns how many rows it changed (called inside the erasure's transaction);
    `log_subjects(registration)` the model instances whose log entries may hold personal
    data of the registration.
    """

    name: str
    label: Any  # a lazy translation
    export: Callable[[models.Model], Any] | None = None
    preview: Callable[[models.Model], Preview] | None = None
    erase: Callable[[models.Model], int] | None = None
    log_subjects: Callable[[models.Model], Iterable[models.Model]] | None = None


_PARTS: dict[str, Part] = {}


def register(part: Part) -> None:
    """Add `part`, or replace the part of the same name."""
    _PARTS[part.name] = part


def parts() -> list[Part]:
    """Return every registered part, in the order they were registered."""
    return list(_PARTS.values())
