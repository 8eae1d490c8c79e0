from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0016_billing_vat_number"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendee",
            name="went_instead_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="went instead of someone"
            ),
        ),
    ]
