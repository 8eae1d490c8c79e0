"""The bank line that returned a payment. Payments returned before name none: their return
line's `reverses` says which line they came from, and all of its payments were returned."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0009_bank_line_other_account'),
    ]

    operations = [
        migrations.AddField(
            model_name='payment',
            name='returned_by_line',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='returned_payments', to='payments.banktransaction'),
        ),
    ]
