"""The end of the fiscal retention duty: invoices and bank lines older than 7 years go.

Art. 52 AWR: the records are kept for seven years. An invoice issued in year Y is kept
until the end of Y + 7; the privacy work's retention job (`privacy.services.retention`)
calls this with the first year that must still be kept.
"""

from django.db import models, transaction

from goedeburen.common.audit import log_action
from goedeburen.events.models import Organiser

from ..models import BankTransaction, Invoice, InvoiceLine, InvoiceReminder


def purge_invoices(*, kept_from_year: int) -> int:
    """Delete the invoices and credit notes issued before `kept_from_year`; return how many.

    Issued invoices refuse every change (`ImmutableModel`); this is the one place that
    ends them, when the law no longer wants them kept. Side effects: their reminders,
    lines and rows deleted (credit notes before the invoices they credit); bank lines of
    those years stripped of the payer's name, account and description; a log entry per
    organiser. Idempotent.
    """
    with transaction.atomic():
        expired = Invoice.objects.filter(year__lt=kept_from_year)
        organisers = sorted(set(expired.values_list("organiser_id", flat=True)))
        if not organisers:
            return 0
        ids = list(expired.values_list("pk", flat=True))
        InvoiceReminder.objects.filter(invoice_id__in=ids).delete()
        # The immutable querysets refuse delete(); the base class deletes without the checks.
        lines = InvoiceLine.objects.filter(invoice_id__in=ids).order_by()
        models.QuerySet._raw_delete(lines, lines.db)
        credit_notes = Invoice.objects.filter(pk__in=ids, credits__isnull=False)
        models.QuerySet._raw_delete(credit_notes.order_by(), credit_notes.db)
        rest = Invoice.objects.filter(pk__in=ids)
        models.QuerySet._raw_delete(rest.order_by(), rest.db)
        BankTransaction.objects.filter(booking_date__year__lt=kept_from_year).exclude(
            debtor_name="", debtor_iban="", debtor_account="", remittance=""
        ).update(debtor_name="", debtor_iban="", debtor_account="", remittance="")
        for organiser_id in organisers:
            log_action(
                Organiser(pk=organiser_id),
                action="payments.invoices_purged",
                data={"before_year": kept_from_year, "count": len(ids)},
            )
    return len(ids)
