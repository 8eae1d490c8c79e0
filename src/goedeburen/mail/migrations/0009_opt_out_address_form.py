"""Store every opt-out in the one form lookups use (`mail.addresses.opt_out_address`): the
domain in IDNA ASCII, so that `jan@bücher.nl` and `jan@xn--bcher-kva.nl` are one row."""

from collections import defaultdict

from django.db import migrations

from goedeburen.mail.addresses import opt_out_address


def normalise_opt_outs(apps, schema_editor):
    OptOut = apps.get_model("mail", "OptOut")
    groups = defaultdict(list)
    for row in OptOut.objects.order_by("created", "pk"):
        groups[(row.event_id, opt_out_address(row.email))].append(row)
    for (_event, email), rows in groups.items():
        first, *same = rows  # the earliest opt-out of the address stays
        OptOut.objects.filter(pk__in=[row.pk for row in same]).delete()
        if first.email != email:
            OptOut.objects.filter(pk=first.pk).update(email=email)


class Migration(migrations.Migration):
    dependencies = [("mail", "0008_attendee_cancelled_kind")]

    operations = [migrations.RunPython(normalise_opt_outs, migrations.RunPython.noop)]
