"""Invoices as files to download, for the participant's page and the back office alike."""

from django.http import Http404, HttpResponse

from . import queries
from .models import Invoice
from .pdf import invoice_filename, render_invoice
from .ubl import invoice_ubl_filename, render_ubl


def invoice_response(invoice: Invoice) -> HttpResponse:
    """Return the invoice's PDF as a download that no cache keeps."""
    full = queries.invoice_with_lines(invoice.pk)
    response = HttpResponse(render_invoice(full), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice_filename(full)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def invoice_ubl_response(invoice: Invoice) -> HttpResponse:
    """Return the invoice as an e-invoice (UBL 2.1 XML) download that no cache keeps.

    Raise `Http404` when the invoice has no e-invoice (`Invoice.has_einvoice`): a file
    without the buyer's electronic address fails the Peppol rules (R010).
    """
    if not invoice.has_einvoice:
        raise Http404
    full = queries.invoice_with_lines(invoice.pk)
    response = HttpResponse(render_ubl(full), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{invoice_ubl_filename(full)}"'
    response["Cache-Control"] = "private, no-store"
    return response
