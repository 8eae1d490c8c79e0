"""A bank line may pay for several registrations: its payments point at it.

Before, a line held one `payment` and one `registration`. Now each payment booked from a
line names the line (`Payment.bank_transaction`), and a line's registrations are its
payments'. Existing lines carry over: each booked line's payment is pointed back at it; a
return's registration was its credit line's, which it still reaches through `reverses`.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def payments_name_their_line(apps, schema_editor):
    BankTransaction = apps.get_model("payments", "BankTransaction")
    Payment = apps.get_model("payments", "Payment")
    # One UPDATE, whatever the number of lines.
    line = BankTransaction.objects.filter(payment_id=OuterRef("pk")).values("pk")[:1]
    Payment.objects.filter(
        pk__in=BankTransaction.objects.filter(payment__isnull=False).values("payment_id")
    ).update(bank_transaction_id=Subquery(line))


def lines_name_their_payment(apps, schema_editor):
    """Back to one payment per line: a split line keeps its first (a lossy way back)."""
    BankTransaction = apps.get_model("payments", "BankTransaction")
    Payment = apps.get_model("payments", "Payment")
    first = {}
    for payment_id, line_id, registration_id in (
        Payment.objects.filter(bank_transaction__isnull=False)
        .order_by("-pk")
        .values_list("pk", "bank_transaction_id", "registration_id")
    ):
        first[line_id] = (payment_id, registration_id)
    for line_id, (payment_id, registration_id) in first.items():
        BankTransaction.objects.filter(pk=line_id).update(
            payment_id=payment_id, registration_id=registration_id
        )
    for line in BankTransaction.objects.filter(reverses__isnull=False):
        found = first.get(line.reverses_id)
        if found:
            BankTransaction.objects.filter(pk=line.pk).update(registration_id=found[1])


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0006_invoice_buyer_vat_number"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="bank_transaction",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="payments.banktransaction",
                verbose_name="bank line",
            ),
        ),
        migrations.RunPython(payments_name_their_line, lines_name_their_payment),
        migrations.RemoveField(model_name="banktransaction", name="payment"),
        migrations.RemoveField(model_name="banktransaction", name="registration"),
    ]
