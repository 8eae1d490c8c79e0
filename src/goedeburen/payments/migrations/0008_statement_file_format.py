"""The format a statement was read from. Every statement before this was a CAMT.053."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0007_bank_line_pays_several'),
    ]

    operations = [
        migrations.AddField(
            model_name='bankstatement',
            name='file_format',
            field=models.CharField(choices=[('camt053', 'CAMT.053'), ('mt940', 'MT940')], default='camt053', max_length=10, verbose_name='format'),
        ),
    ]
