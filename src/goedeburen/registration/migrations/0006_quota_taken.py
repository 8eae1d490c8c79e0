"""Give each quota its seat counter, filled from the records, with its CHECK constraint.

The counter counts the attendees of registrations that hold seats by their state
(confirmed, awaiting approval, pending payment, waiting list with an open offer), whether or
not a hold has run out: an expired hold gives its seats back when it is released. A quota
whose records already hold more than its size (an expired hold whose seats were taken before
it was released) stops the migration: run `goedeburen release_expired_holds` first.
"""

from django.db import migrations, models
from django.db.models import Count, F, Q

HELD = ("confirmed", "awaiting_approval", "pending_payment")


def fill_counters(apps, schema_editor):
    Quota = apps.get_model("registration", "Quota")
    Attendee = apps.get_model("registration", "Attendee")
    counts = Q(registration__status__in=HELD) | Q(
        registration__status="waiting_list", registration__offer_until__isnull=False
    )
    for quota in Quota.objects.all():
        taken = (
            Attendee.objects.filter(counts, ticket_type__quotas=quota)
            .aggregate(n=Count("pk"))["n"]
        )
        if taken > quota.size:
            raise RuntimeError(
                f"Quota {quota.pk} ({quota.name}) has {taken} seats held for {quota.size}: "
                "run `goedeburen release_expired_holds` with the previous version first."
            )
        Quota.objects.filter(pk=quota.pk).update(taken=taken)


class Migration(migrations.Migration):
    dependencies = [("registration", "0005_one_change_set")]

    operations = [
        migrations.AddField(
            model_name="quota",
            name="taken",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="seats taken"),
        ),
        migrations.RunPython(fill_counters, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="quota",
            constraint=models.CheckConstraint(
                condition=Q(taken__lte=F("size")), name="quota_not_oversold"
            ),
        ),
    ]
