"""Turn audit-log entries (`common.audit`) into sentences for the event's history."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
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


def describe_registration(entry, *, show_sensitive: bool) -> str:
    """Return what happened in one log entry about a registration, in the active language.

    Without `show_sensitive` the changes to special-category fields are summed up without
    naming them (their values are never logged at all).
    """
    from goedeburen.registration.enums import RegistrationStatus

    data = entry.data or {}
    if entry.action == "registration.created":
        status = data.get("status")
        label = RegistrationStatus(status).label if status in RegistrationStatus.values else status
        return _("Registered; status “%(status)s”") % {"status": label}
    if entry.action == "registration.hold_expired":
        return _("The seats were no longer held, so the registration was cancelled")
    payment = _describe_payment(entry.action, data)
    if payment is not None:
        return payment
    if entry.action == "registration.changed":
        return _("Details changed: %(changes)s") % {
            "changes": "; ".join(_registration_changes(data, show_sensitive=show_sensitive))
        }
    return entry.action


def _registration_changes(data: dict, *, show_sensitive: bool) -> list[str]:
    from goedeburen.registration.editing import SENSITIVE_FIELDS
    from goedeburen.registration.models import Attendee, Registration

    parts, hidden = [], False
    for change in data.get("changes", []):
        field = change.get("field", "")
        if field in SENSITIVE_FIELDS and not show_sensitive:
            hidden = True
            continue
        model = Registration if change.get("attendee") is None else Attendee
        try:
            label = str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:  # renamed since the entry was written
            label = field
        if change.get("name"):
            label = f"{change['name']}: {label}"
        if "before" in change:
            parts.append(
                _("%(field)s from “%(before)s” to “%(after)s”")
                % {
                    "field": label,
                    "before": _value(change["before"]),
                    "after": _value(change["after"]),
                }
            )
        else:
            parts.append(_("%(field)s changed") % {"field": label})
    if hidden:
        parts.append(_("other details that your role does not see"))
    return parts


def _value(value) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)


def _describe_payment(action: str, data: dict) -> str | None:
    """Return a sentence for the payments domain's entries on a registration, else None."""
    values = {
        "amount": data.get("amount", ""),
        "number": data.get("number", ""),
        "credits": data.get("credits", ""),
        "note": data.get("note", ""),
    }
    sentences = {
        "registration.paid": lambda: _("Paid in full, so confirmed"),
        "registration.on_account": lambda: _("Confirmed; to be paid on invoice"),
        "registration.hold_extended": lambda: _("Seats held longer, for a bank transfer"),
        "registration.paid_seat_lost": lambda: _(
            "Paid after the hold ended, but the seats were gone"
        ),
        "payment.started": lambda: _("Online payment of €%(amount)s started") % values,
        "payment.paid": lambda: _("Payment of €%(amount)s received") % values,
        "payment.failed": lambda: _("Online payment failed"),
        "payment.cancelled": lambda: _("Online payment cancelled"),
        "payment.expired": lambda: _("Online payment expired"),
        "payment.reminder_sent": lambda: _("Payment reminder sent for invoice %(number)s") % values,
        "refund.created": lambda: _("Refund of €%(amount)s requested") % values,
        "refund.refunded": lambda: _("€%(amount)s refunded") % values,
        "refund.failed": lambda: _("Refund of €%(amount)s failed") % values,
        "invoice.issued": lambda: _("Invoice %(number)s issued") % values,
        "invoice.credited": lambda: (
            _("Credit note %(number)s issued for invoice %(credits)s") % values
        ),
    }
    sentence = sentences.get(action)
    if sentence is None:
        return None
    text = sentence()
    return f"{text} ({values['note']})" if values["note"] else text
