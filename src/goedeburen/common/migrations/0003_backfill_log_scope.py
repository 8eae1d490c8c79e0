"""Give the log entries written before 0002 the event and organiser they belong to."""

from django.db import migrations

# As `common.audit.SCOPE_PARENTS`, copied: a migration must not follow later code.
PARENTS = (
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


def scope_of(obj, depth=0):
    """Return (event id, organiser id) of `obj`, a historical model instance."""
    label = obj._meta.label
    if label == "events.Event":
        return obj.pk, obj.organiser_id
    if label == "events.Organiser":
        return None, obj.pk
    relations = {f.name: f for f in obj._meta.concrete_fields if f.many_to_one or f.one_to_one}
    if depth < 4:
        for name in PARENTS:
            field = relations.get(name)
            if field is not None and getattr(obj, field.attname) is not None:
                found = scope_of(getattr(obj, name), depth + 1)
                if found != (None, None):
                    return found
    if "organiser" in relations:
        return None, obj.organiser_id
    return None, None


def backfill(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("common", "LogEntry")
    todo = LogEntry.objects.filter(event__isnull=True, organiser__isnull=True)
    for content_type in ContentType.objects.filter(
        pk__in=todo.values_list("content_type", flat=True).distinct()
    ):
        try:
            model = apps.get_model(content_type.app_label, content_type.model)
        except LookupError:  # a model that no longer exists
            continue
        entries = list(todo.filter(content_type=content_type).only("pk", "object_id"))
        wanted = [int(i) for i in {e.object_id for e in entries} if i.isdigit()]
        objects = {str(obj.pk): obj for obj in model._default_manager.filter(pk__in=wanted)}
        scopes = {}
        for entry in entries:
            obj = objects.get(entry.object_id)
            if obj is None:
                continue
            if entry.object_id not in scopes:
                scopes[entry.object_id] = scope_of(obj)
            entry.event_id, entry.organiser_id = scopes[entry.object_id]
        LogEntry.objects.bulk_update(entries, ["event", "organiser"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0002_logentry_event_organiser"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0001_initial"),
        ("registration", "0004_cancel_reason"),
        ("payments", "0003_invoice_reminder"),
        ("mail", "0004_invoice_kind"),
        ("matching", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
