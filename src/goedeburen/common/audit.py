"""Write and read the audit log (pretix's `log_action`).

Every action written must be declared in `common.logtypes` (each app's `logtypes.py`).
"""

import logging
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .logtypes import registry
from .models import LogEntry
from .rows import insert

# The relations followed from a logged object to the event (or organiser) it belongs to,
# in this order. A model that knows better defines `log_scope()` (events and organisers do).
SCOPE_PARENTS = (
    "event",
    "registration",
    "attendee",
    "payment",
    "invoice",
    "round",
    "session",
    "run",
    "mailing",
    "statement",
    "venue",
)


def scope_of(obj: models.Model, *, _depth: int = 0) -> tuple[int | None, int | None]:
    """Return the ids of the event and the organiser that `obj` belongs to (None if none)."""
    scope = getattr(obj, "log_scope", None)
    if scope is not None:
        return scope()
    relations = {f.name: f for f in obj._meta.concrete_fields if f.many_to_one or f.one_to_one}
    if _depth < 4:
        for name in SCOPE_PARENTS:
            field = relations.get(name)
            if field is not None and getattr(obj, field.attname) is not None:
                event_id, organiser_id = scope_of(getattr(obj, name), _depth=_depth + 1)
                if event_id is not None or organiser_id is not None:
                    return event_id, organiser_id
    if "organiser" in relations:
        return None, obj.organiser_id
    return None, None


logger = logging.getLogger(__name__)

# Called with (entry, obj) after every entry is written, in its transaction: an extension
# point for reactions to any change (the API's webhooks). A listener that writes does so in
# a savepoint of its own; one that fails is logged and never breaks the change it hears
# about. Most entries concern nobody, so no savepoint is spent on them here.
_listeners: list[Callable] = []


def add_listener(listener: Callable) -> None:
    """Call `listener(entry, obj)` after each log entry is written (from `AppConfig.ready`)."""
    if listener not in _listeners:
        _listeners.append(listener)


def log_action(obj: models.Model, *, action: str, by=None, data: dict | None = None) -> LogEntry:
    """Record that `by` (a user, or None for the system) did `action` to `obj`.

    Raise `LookupError` when `action` is not declared in `common.logtypes`.
    """
    entry = log_entry(obj, action=action, by=by, data=data)
    insert([entry])  # as `save()` would, at a third of its CPU (every booking logs)
    logged(entry, obj)
    return entry


def log_entry(obj: models.Model, *, action: str, by=None, data: dict | None = None) -> LogEntry:
    """Return the entry `log_action` would write, unwritten: for a caller that writes it
    with other rows (`common.rows.insert_together`) and then calls `logged`.

    Raise `LookupError` when `action` is not declared in `common.logtypes`.
    """
    registry.get(action)
    actor = by if getattr(by, "is_authenticated", False) else None
    event_id, organiser_id = scope_of(obj)
    return LogEntry(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        action=action,
        actor=actor,
        data=data or {},
        event_id=event_id,
        organiser_id=organiser_id,
    )


def logged(entry: LogEntry, obj: models.Model) -> None:
    """Tell the listeners about `entry` (from `log_entry`), once it is written."""
    _tell_listeners(entry, obj)


def _tell_listeners(entry: LogEntry, obj: models.Model) -> None:
    for listener in _listeners:
        try:
            listener(entry, obj)
        except Exception:
            logger.exception("Log listener %s failed for %s", listener.__name__, entry.action)


def log_actions(entries) -> list[LogEntry]:
    """Record many actions at once: `entries` of (obj, action, by, data), as `log_action`
    would one by one, in one insert (an uploaded queue of scans is hundreds).

    Raise `LookupError` when an action is not declared in `common.logtypes`.
    """
    rows = []
    objects = []
    for obj, action, by, data in entries:
        registry.get(action)
        objects.append(obj)
        event_id, organiser_id = scope_of(obj)
        rows.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                action=action,
                actor=by if getattr(by, "is_authenticated", False) else None,
                data=data or {},
                event_id=event_id,
                organiser_id=organiser_id,
            )
        )
    written = insert(rows)
    for entry, obj in zip(written, objects, strict=True):
        _tell_listeners(entry, obj)
    return written


def history(obj: models.Model):
    """Return the log entries about `obj`, newest first."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")


def event_history(event_id: int):
    """Return the log entries about anything of the event `event_id`, newest first."""
    return LogEntry.objects.filter(event_id=event_id).select_related("actor")
