"""Payment term, reminder and cancellation of at most 365 days each: a date that many days
on must exist."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0010_payment_returned_by_line"),
    ]

    operations = [
        migrations.AlterField(
            model_name="paymentsettings",
            name="cancel_after_days",
            field=models.PositiveIntegerField(
                blank=True,
                default=14,
                help_text="Leave empty never to cancel automatically.",
                null=True,
                validators=[django.core.validators.MaxValueValidator(365)],
                verbose_name="cancel unpaid registrations (days after the due date)",
            ),
        ),
        migrations.AlterField(
            model_name="paymentsettings",
            name="payment_term_days",
            field=models.PositiveIntegerField(
                default=30,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(365),
                ],
                verbose_name="payment term (days)",
            ),
        ),
        migrations.AlterField(
            model_name="paymentsettings",
            name="reminder_days",
            field=models.PositiveIntegerField(
                default=14,
                help_text="Days after the invoice date; 0 sends no reminder.",
                validators=[django.core.validators.MaxValueValidator(365)],
                verbose_name="send a reminder after (days)",
            ),
        ),
    ]
