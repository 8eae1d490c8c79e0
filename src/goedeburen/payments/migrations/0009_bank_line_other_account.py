"""The payer's account when it is not an IBAN. Lines imported before have none."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0008_statement_file_format'),
    ]

    operations = [
        migrations.AddField(
            model_name='banktransaction',
            name='debtor_account',
            field=models.CharField(blank=True, max_length=34, verbose_name='account (not an IBAN)'),
        ),
    ]
