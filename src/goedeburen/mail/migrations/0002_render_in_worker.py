from django.db import migrations, models


def mark_existing_rendered(apps, schema_editor):
    # Every mail queued before this migration was rendered when it was queued.
    OutgoingMail = apps.get_model("mail", "OutgoingMail")
    OutgoingMail.objects.filter(rendered_at__isnull=True).update(rendered_at=models.F("created"))


class Migration(migrations.Migration):
    dependencies = [("mail", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="outgoingmail",
            name="context",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="outgoingmail",
            name="rendered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="rendered"),
        ),
        migrations.AlterField(
            model_name="outgoingmail",
            name="subject",
            field=models.CharField(blank=True, max_length=255, verbose_name="subject"),
        ),
        migrations.AlterField(
            model_name="outgoingmail",
            name="body_text",
            field=models.TextField(blank=True, verbose_name="text"),
        ),
        migrations.RunPython(mark_existing_rendered, migrations.RunPython.noop),
    ]
