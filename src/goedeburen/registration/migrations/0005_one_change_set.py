"""Rewrite the `registration.changed` log entries of the two former edit services into the
one change-set shape (`registration.logtypes`), dropping the values of sensitive fields
that the booker's edits used to log (the role, the consent)."""

from django.db import migrations

ATTENDEE_FIELDS = {
    "given_name",
    "family_name",
    "email",
    "organisation",
    "function",
    "role",
    "badge_name",
    "photo_consent",
    "attendee_list_consent",
    "special_category_consent",
    "dietary_wishes",
    "accessibility_needs",
}
SENSITIVE_FIELDS = {"role", "special_category_consent", "dietary_wishes", "accessibility_needs"}
CHANGED = ["changed"]
HIDDEN = "…"


def _change(field, before_after):
    if field in SENSITIVE_FIELDS or not before_after or HIDDEN in before_after:
        return CHANGED
    return list(before_after)


def convert(data: dict, attendees_by_order: dict) -> dict:
    """Return `data` of a `registration.changed` entry in the one change-set shape.

    `attendees_by_order` maps an attendee's order to (id, name), for the booker's entries
    that named attendees by their number. Data already in the shape comes back as it is.
    """
    if isinstance(data.get("changes"), dict) or not data:
        return data
    changes, attendees = {}, {}

    def attendee_set(pk, name):
        return attendees.setdefault(
            pk, {"attendee": pk, "name": name, "changes": {}, "answers": {}}
        )

    if isinstance(data.get("changes"), list):  # the back office's former shape
        for change in data["changes"]:
            field = change.get("field", "")
            values = [change["before"], change["after"]] if "before" in change else None
            if change.get("attendee") is None:
                changes[field] = _change(field, values)
                continue
            target = attendee_set(change["attendee"], change.get("name") or "")
            key = "changes" if field in ATTENDEE_FIELDS else "answers"
            sensitive = field in SENSITIVE_FIELDS or values is None
            target[key][field] = CHANGED if sensitive else values
    else:  # the booker's former shape: "attendee 2: field" → [before, after]
        for key, values in data.items():
            prefix, sep, field = key.partition(": ")
            if not sep or not prefix.startswith("attendee "):
                changes[key] = _change(key, values)
                continue
            try:
                order = int(prefix.removeprefix("attendee ")) - 1
            except ValueError:
                changes[key] = _change(key, values)
                continue
            pk, name = attendees_by_order.get(order, (None, prefix))
            target = attendee_set(pk, name)
            kind = "changes" if field in ATTENDEE_FIELDS else "answers"
            target[kind][field] = (
                _change(field, values)
                if kind == "changes"
                else (CHANGED if HIDDEN in (values or [HIDDEN]) else list(values))
            )
    return {"changes": changes, "attendees": list(attendees.values())}


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("common", "LogEntry")
    Attendee = apps.get_model("registration", "Attendee")
    content_type = ContentType.objects.filter(app_label="registration", model="registration")
    entries = LogEntry.objects.filter(content_type__in=content_type, action="registration.changed")
    for entry in entries.iterator():
        by_order = {
            a.order: (a.pk, f"{a.given_name} {a.family_name}".strip())
            for a in Attendee.objects.filter(registration_id=int(entry.object_id))
        }
        data = convert(entry.data or {}, by_order)
        if data != entry.data:
            entry.data = data
            entry.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0004_cancel_reason"),
        ("common", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
