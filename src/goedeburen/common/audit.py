"""Write and read the audit log (pretix's `log_action`)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import LogEntry


def log_action(obj: models.Model, *, action: str, by=None, data: dict | None = None) -> LogEntry:
    """Record that `by` (a user, or None for the system) did `action` to `obj`."""
    actor = by if getattr(by, "is_authenticated", False) else None
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        action=action,
        actor=actor,
        data=data or {},
    )


def history(obj: models.Model):
    """Return the log entries about `obj`, newest first."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
