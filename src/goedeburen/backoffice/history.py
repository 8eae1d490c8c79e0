"""Turn audit-log entries (`common.audit`) into sentences for the event's history."""

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from goedeburen.events.models import Event, EventStatus

_PART_SENTENCES = {
    "created": lambda: _("%(thing)s added: %(object)s"),
    "changed": lambda: _("%(thing)s changed: %(object)s"),
    "deleted": lambda: _("%(thing)s deleted: %(object)s"),
}


def describe(entry) -> str:
    """Return what happened in one log entry about an event, in the active language."""
    data = entry.data or {}
    if entry.action == "event.created":
        return _("Event created")
    if entry.action == "event.changed":
        if not data:
            return _("Event details saved without changes")
        return _("Event details changed: %(fields)s") % {"fields": _field_labels(data)}
    if entry.action == "event.status":
        before, after = (data.get("status") or [None, None])[:2]
        return _("Status changed from “%(from)s” to “%(to)s”") % {
            "from": _status_label(before),
            "to": _status_label(after),
        }
    model_name, _dot, verb = entry.action.partition(".")
    sentence = _PART_SENTENCES.get(verb)
    if sentence is None:
        return entry.action
    return capfirst(
        sentence() % {"thing": _verbose_name(model_name), "object": data.get("object", "")}
    )


def _field_labels(changes: dict) -> str:
    labels = {f.attname: str(f.verbose_name) for f in Event._meta.concrete_fields}
    return ", ".join(labels.get(name, name) for name in changes)


def _status_label(value) -> str:
    return EventStatus(value).label if value in EventStatus.values else str(value)


def _verbose_name(model_name: str) -> str:
    try:
        return str(apps.get_model("events", model_name)._meta.verbose_name)
    except LookupError:
        return model_name
