"""The invoice mail: the PDF rendered and attached, to the invoice address; the e-invoice
(UBL) beside it when the buyer asked for one."""

from django.db import transaction

from goedeburen.mail.composing import Attachment
from goedeburen.mail.enums import MailKind
from goedeburen.mail.services import queue_registration_mail

from . import queries
from .models import Invoice


def queue_invoice_mail(invoice_id: int) -> bool:
    """Queue the mail with invoice (or credit note) `invoice_id` attached; False if gone."""
    # Here, not at the top: reportlab and PIL (0.1 s) are for the few processes that render.
    from .pdf import invoice_filename, render_invoice
    from .ubl import invoice_ubl_filename, render_ubl

    if not Invoice.objects.filter(pk=invoice_id).exists():
        return False
    invoice = queries.invoice_with_lines(invoice_id)
    registration = invoice.registration
    pdf = render_invoice(invoice)
    attachments = [Attachment(invoice_filename(invoice), pdf, "application/pdf")]
    if invoice.einvoice and invoice.has_einvoice:
        attachments.append(
            Attachment(invoice_ubl_filename(invoice), render_ubl(invoice), "application/xml")
        )
    with transaction.atomic():
        queue_registration_mail(
            registration,
            kind=MailKind.INVOICE,
            recipient=registration.invoice_email or registration.email,
            attachments=attachments,
            invoice_number=invoice.number,
            credited_number=invoice.credits.number if invoice.credits_id else "",
        )
    return True
