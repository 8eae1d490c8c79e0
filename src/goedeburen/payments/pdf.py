"""Render an issued invoice or credit note as a PDF (reportlab), in the buyer's language.

Everything printed comes from the invoice row and its lines, which never change, so the
same invoice renders the same whenever it is downloaded or mailed.
"""

import io
from collections import defaultdict
from decimal import Decimal

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .models import Invoice

LEFT = 20 * mm
RIGHT = A4[0] - 20 * mm
FONT, BOLD = "Helvetica", "Helvetica-Bold"


def money(amount: Decimal, language: str) -> str:
    """Return `amount` as the buyer reads it: €1.234,56 in Dutch, €1,234.56 in English."""
    text = f"{abs(amount):,.2f}"
    if language != "en":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{'-' if amount < 0 else ''}€{text}"


def _rate(rate: Decimal) -> str:
    return f"{rate.normalize():f}%"


def vat_per_rate(invoice: Invoice) -> list[tuple[Decimal, Decimal, Decimal, str]]:
    """Return (rate, amount excl. VAT, VAT, exemption text) per VAT rate of the invoice."""
    groups: dict[tuple, list] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for line in invoice.lines.all():
        key = (line.vat_rate, line.vat_exemption)
        groups[key][0] += line.amount_excl
        groups[key][1] += line.vat_amount
    return [(rate, excl, vat, exempt) for (rate, exempt), (excl, vat) in sorted(groups.items())]


def render_invoice(invoice: Invoice) -> bytes:
    """Return the PDF of `invoice` (with its lines prefetched, see `queries.invoice_with_lines`)."""
    language = invoice.language
    buffer = io.BytesIO()
    with translation.override(language):
        canvas = Canvas(buffer, pagesize=A4, invariant=True)
        title = _("Credit note") if invoice.is_credit_note else _("Invoice")
        canvas.setTitle(f"{title} {invoice.number}")
        canvas.setAuthor(invoice.seller_name)
        _Page(canvas, invoice, language).draw(title)
        canvas.save()
    return buffer.getvalue()


def invoice_filename(invoice: Invoice) -> str:
    with translation.override(invoice.language):
        kind = _("credit-note") if invoice.is_credit_note else _("invoice")
    return f"{kind}-{invoice.number}.pdf"


class _Page:
    def __init__(self, canvas: Canvas, invoice: Invoice, language: str):
        self.canvas = canvas
        self.invoice = invoice
        self.language = language
        self.y = A4[1] - 20 * mm

    def text(self, x, value, *, font=FONT, size=10, right=False):
        self.canvas.setFont(font, size)
        if right:
            self.canvas.drawRightString(x, self.y, str(value))
        else:
            self.canvas.drawString(x, self.y, str(value))

    def down(self, step=5 * mm):
        self.y -= step
        if self.y < 25 * mm:
            self.canvas.showPage()
            self.y = A4[1] - 20 * mm

    def date(self, value) -> str:
        return formats.date_format(value, "j F Y")

    def draw(self, title: str) -> None:
        invoice = self.invoice
        # The seller, with the registrations the law asks for.
        self.text(LEFT, invoice.seller_name, font=BOLD, size=12)
        self.down()
        for line in invoice.seller_address.splitlines():
            self.text(LEFT, line)
            self.down()
        self.text(LEFT, f"{_('KvK number')}: {invoice.seller_kvk}")
        self.down()
        self.text(LEFT, f"{_('VAT number')}: {invoice.seller_vat}")
        self.down()
        self.text(LEFT, f"IBAN: {invoice.seller_iban} ({invoice.seller_account_name})")
        self.down()
        if invoice.seller_email:
            self.text(LEFT, invoice.seller_email)
            self.down()
        self.down(8 * mm)

        self.text(LEFT, title, font=BOLD, size=18)
        self.down(10 * mm)

        # The buyer on the left, the invoice's facts on the right.
        top = self.y
        self.text(LEFT, _("Invoice to"), font=BOLD)
        self.down()
        self.text(LEFT, invoice.buyer_name)
        self.down()
        for line in invoice.buyer_address.splitlines():
            self.text(LEFT, line)
            self.down()
        bottom = self.y
        self.y = top
        facts = [
            (_("Invoice number"), invoice.number),
            (_("Invoice date"), self.date(invoice.issue_date)),
            (_("Date of supply"), self.date(invoice.supply_date)),
        ]
        if invoice.due_date:
            facts.append((_("Due date"), self.date(invoice.due_date)))
        if invoice.po_number:
            facts.append((_("Purchase order number"), invoice.po_number))
        if invoice.buyer_reference:
            facts.append((_("Your reference"), invoice.buyer_reference))
        facts.append((_("Registration"), invoice.registration.code))
        if invoice.payment_reference and not invoice.is_credit_note:
            facts.append((_("Payment reference"), invoice.payment_reference))
        for label, value in facts:
            self.text(110 * mm, f"{label}:")
            self.text(RIGHT, value, right=True)
            self.down()
        self.y = min(self.y, bottom)
        self.down(5 * mm)

        if invoice.credits_id:
            credited = invoice.credits
            self.text(
                LEFT,
                _("This credit note cancels invoice %(number)s of %(date)s.")
                % {"number": credited.number, "date": self.date(credited.issue_date)},
            )
            self.down(8 * mm)

        self.lines()
        self.totals()
        self.payment()

    def lines(self) -> None:
        columns = [
            (LEFT, _("Description"), False),
            (125 * mm, _("Excl. VAT"), True),
            (142 * mm, _("VAT rate"), True),
            (160 * mm, _("VAT"), True),
            (RIGHT, _("Incl. VAT"), True),
        ]
        for x, label, right in columns:
            self.text(x, label, font=BOLD, right=right)
        self.down(2 * mm)
        self.canvas.line(LEFT, self.y, RIGHT, self.y)
        self.down()
        for line in self.invoice.lines.all():
            self.text(LEFT, line.description[:60], size=9)
            self.text(125 * mm, money(line.amount_excl, self.language), size=9, right=True)
            rate = _rate(line.vat_rate) if not line.vat_exemption else _("exempt")
            self.text(142 * mm, rate, size=9, right=True)
            self.text(160 * mm, money(line.vat_amount, self.language), size=9, right=True)
            self.text(RIGHT, money(line.amount_incl, self.language), size=9, right=True)
            self.down()
        self.canvas.line(LEFT, self.y + 3 * mm, RIGHT, self.y + 3 * mm)
        self.down(2 * mm)

    def totals(self) -> None:
        invoice = self.invoice
        rows = [(_("Total excl. VAT"), invoice.total_excl)]
        exemptions = []
        for rate, excl, vat, exempt in vat_per_rate(invoice):
            if exempt:
                exemptions.append(exempt)
                continue
            rows.append(
                (
                    _("VAT %(rate)s on %(amount)s")
                    % {"rate": _rate(rate), "amount": money(excl, self.language)},
                    vat,
                )
            )
        for label, amount in rows:
            self.text(110 * mm, label)
            self.text(RIGHT, money(amount, self.language), right=True)
            self.down()
        self.text(110 * mm, _("Total incl. VAT"), font=BOLD)
        self.text(RIGHT, money(invoice.total, self.language), font=BOLD, right=True)
        self.down(8 * mm)
        for exempt in exemptions:
            self.text(LEFT, _("Exempt from VAT: %(ground)s") % {"ground": exempt}, size=9)
            self.down()

    def payment(self) -> None:
        invoice = self.invoice
        if invoice.is_credit_note:
            text = _("The amount of this credit note is set off or paid back to you.")
        else:
            text = _(
                "Please transfer %(amount)s by %(date)s to %(iban)s in the name of %(name)s, "
                "stating %(reference)s."
            ) % {
                "amount": money(invoice.total, self.language),
                "date": self.date(invoice.due_date) if invoice.due_date else "",
                "iban": invoice.seller_iban,
                "name": invoice.seller_account_name,
                "reference": invoice.payment_reference,
            }
            text += " " + _("If you have paid already, for instance online, you need do nothing.")
        self.down(3 * mm)
        for chunk in _wrap(text, 95):
            self.text(LEFT, chunk, size=9)
            self.down(4.5 * mm)


def _wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current] if current else lines
