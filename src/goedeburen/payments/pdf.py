"""Render an issued invoice or credit note as a PDF (reportlab), in the buyer's language.

Everything printed comes from the invoice row and its lines, which never change, so the
same invoice renders the same whenever it is downloaded or mailed (its creation date is the
moment it was issued). Text is set in DejaVu Sans, embedded, with a CJK fallback
(`common.pdf_fonts`), so "Ĳsselstein", "Şahin-Łukasiewicz" or "李明" print as written; every
text that can be long (names, addresses, purchase-order numbers, references, line
descriptions) wraps inside its column, and the lines table runs on over pages with its
header repeated.
"""

import functools
import io
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.tables import CellStyle

from goedeburen.common import money as common_money
from goedeburen.common.pdf_fonts import markup, needs_fallback, register_fonts

from .models import Invoice

MARGIN = 20 * mm
WIDTH = A4[0] - 2 * MARGIN


def money(amount: Decimal, language: str) -> str:
    """Return `amount` as the buyer reads it: € 1.234,56 in Dutch, €1,234.56 in English."""
    if language != "en":
        return common_money.euro(amount)
    return f"{'-' if amount < 0 else ''}€{abs(amount):,.2f}"


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


def invoice_title(invoice: Invoice) -> str:
    """Return "Invoice 2027-0001" (or "Credit note …") in the invoice's language."""
    with translation.override(invoice.language):
        kind = _("Credit note") if invoice.is_credit_note else _("Invoice")
        return f"{kind} {invoice.number}"


def render_invoice(invoice: Invoice) -> bytes:
    """Return the PDF of `invoice` (with its lines prefetched, see `queries.invoice_with_lines`)."""
    regular, bold = register_fonts()
    buffer = io.BytesIO()
    with translation.override(invoice.language):
        title = invoice_title(invoice)
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title,
            author=invoice.seller_name,
            subject=_("Invoice for %(event)s") % {"event": invoice.event.t.name},
            creator="Goede buren",
            invariant=True,  # the same bytes every time; the date is set below
        )
        story = _Story(invoice, regular=regular, bold=bold).build()
        created = timezone.localtime(invoice.created or timezone.now())
        stamp = created.strftime("D:%Y%m%d%H%M%S") + _offset(created)

        def dated(canvas, _document):
            # The PDF's creation date is when the invoice was issued, not 1 January 2000
            # (reportlab's invariant mode) nor whenever it happens to be rendered.
            canvas.setDateFormatter(lambda *_args: stamp)
            canvas.setFont(regular, 8)
            canvas.drawRightString(
                A4[0] - MARGIN, MARGIN / 2, f"{title} – {canvas.getPageNumber()}"
            )

        document.build(story, onFirstPage=dated, onLaterPages=dated)
    return buffer.getvalue()


def _offset(moment) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def invoice_filename(invoice: Invoice) -> str:
    with translation.override(invoice.language):
        kind = _("credit-note") if invoice.is_credit_note else _("invoice")
    return f"{kind}-{invoice.number}.pdf"


@functools.cache
def _styles(regular: str, bold: str) -> SimpleNamespace:
    """Return the invoice's paragraph styles, made once per process (they never change)."""
    text = ParagraphStyle("text", fontName=regular, fontSize=9.5, leading=12.5)
    strong = ParagraphStyle("strong", parent=text, fontName=bold)
    return SimpleNamespace(
        text=text,
        small=ParagraphStyle("small", parent=text, fontSize=8.5, leading=11),
        right=ParagraphStyle("right", parent=text, alignment=TA_RIGHT),
        strong=strong,
        strong_right=ParagraphStyle("strong_right", parent=strong, alignment=TA_RIGHT),
        seller=ParagraphStyle("seller", parent=strong, fontSize=12, leading=15),
        title=ParagraphStyle(
            "title", parent=strong, fontSize=18, leading=22, spaceBefore=6, spaceAfter=8
        ),
    )


@functools.lru_cache(maxsize=4096)
def _parsed(text: str, style: ParagraphStyle) -> tuple[str, ParagraphStyle, tuple]:
    """Return plain `text` as markup and reportlab's parse of it (style, fragments), once.

    Parsing the markup is a good part of setting a paragraph, and an invoice's labels, its
    seller and most of its values are the same on every invoice. reportlab only reads the
    fragments when it wraps and draws (it splits copies), so one parse serves them all.
    """
    lines = text.splitlines() or [""]
    markup_text = "<br/>".join(markup(line, font=style.fontName) for line in lines)
    parsed = Paragraph(markup_text, style)
    return markup_text, parsed.style, tuple(parsed.frags)


# Lines broken per (markup, style, width): a few thousand paragraphs at most.
_BROKEN_KEPT = 4096
_broken: dict[tuple, tuple] = {}


class _RememberedParagraph(Paragraph):
    """A paragraph that breaks its lines for a width once per process.

    Breaking is most of the cost of setting a paragraph, and tables ask each cell for its
    size twice (measuring, then drawing). The lines depend only on the markup, the style
    and the width, and reportlab only reads them when it draws, so the paragraphs of
    one text in one style and column share them: the labels, the seller and most values
    are the same on every invoice.
    """

    def wrap(self, availWidth, availHeight):
        if self.text is None:  # a part split off by reportlab: no text to know it by
            return super().wrap(availWidth, availHeight)
        key = (self.text, self.style, availWidth)
        found = _broken.get(key)
        if found is None:
            before = dict(self.__dict__)
            size = super().wrap(availWidth, availHeight)
            if getattr(self, "blPara", None) is None:
                return size  # too narrow to set (reportlab's answer, nothing to keep)
            # What breaking set: the lines, the widths, the size and (for mixed fonts)
            # the fragments as words.
            found = {
                name: value
                for name, value in self.__dict__.items()
                if name not in before or before[name] is not value
            }
            if len(_broken) >= _BROKEN_KEPT:
                _broken.pop(next(iter(_broken)), None)
            _broken[key] = found
            return size
        self.__dict__.update(found)
        return self.width, self.height


class _Story:
    """The flowables of one invoice, top to bottom."""

    def __init__(self, invoice: Invoice, *, regular: str, bold: str):
        self.invoice = invoice
        self.language = invoice.language
        self.regular, self.bold = regular, bold
        styles = _styles(regular, bold)
        self.text, self.small, self.right = styles.text, styles.small, styles.right
        self.strong, self.strong_right = styles.strong, styles.strong_right
        self.seller, self.title = styles.seller, styles.title

    def p(self, text, style=None) -> Paragraph:
        """Return a paragraph of plain `text` (escaped, fallback fonts where needed)."""
        style = style or self.text
        markup_text, parsed_style, frags = _parsed(str(text), style)
        return _Paragraph(markup_text, parsed_style, frags=list(frags))

    def table(self, rows, *, widths, commands=(), **options) -> Table:
        """Return a table of `rows` of (text, style) cells in columns `widths` wide.

        A text that fits its column on one line in the style's own font is set as a plain
        string cell with the style's font, size, leading and alignment, where reportlab
        draws it at the very place it draws a one-line paragraph (the first baseline one
        font size below the cell's top padding, the right edge at the right padding) at a
        fraction of the cost; any other text (long, several lines, characters only the
        fallback font has) is a wrapping paragraph.
        """
        data, cell_styles = [], []
        for r, row in enumerate(rows):
            cells, styles = [], []
            for c, (text, style) in enumerate(row):
                text = str(text)
                cell = _PlainCell(repr((r, c)))
                if _plain_fits(text, style, widths[c] - _PADDING):
                    cells.append(text)
                    cell.fontname, cell.fontsize = style.fontName, style.fontSize
                    cell.leading = style.leading
                    if style.alignment == TA_RIGHT:
                        cell.alignment = "RIGHT"
                else:
                    cells.append(self.p(text, style))
                styles.append(cell)
            data.append(cells)
            cell_styles.append(styles)
        # The cells' styles made here, as the commands of _PLAIN_COMMANDS and FONT and ALIGN
        # per string cell would set them, without running a command over every cell.
        return Table(
            data,
            colWidths=widths,
            cellStyles=cell_styles,
            style=TableStyle(list(commands)) if commands else None,
            **options,
        )

    def date(self, value) -> str:
        return formats.date_format(value, "j F Y")

    def money(self, amount) -> str:
        return money(amount, self.language)

    def build(self) -> list:
        invoice = self.invoice
        story = [self.p(invoice.seller_name, self.seller)]
        story.append(self.p(invoice.seller_address))
        details = [
            f"{_('KvK number')}: {invoice.seller_kvk}",
            f"{_('VAT number')}: {invoice.seller_vat}",
            f"IBAN: {invoice.seller_iban} ({invoice.seller_account_name})",
        ]
        if invoice.seller_email:
            details.append(invoice.seller_email)
        story.append(self.p("\n".join(details)))
        story.append(self.p(invoice_title(invoice), self.title))
        story.append(self.parties())
        story.append(Spacer(1, 5 * mm))
        if invoice.credits_id:
            credited = invoice.credits
            story.append(
                self.p(
                    _("This credit note cancels invoice %(number)s of %(date)s.")
                    % {"number": credited.number, "date": self.date(credited.issue_date)}
                )
            )
            story.append(Spacer(1, 4 * mm))
        story.append(self.lines())
        story.append(Spacer(1, 3 * mm))
        story.append(self.totals())
        story.extend(self.exemptions())
        story.append(Spacer(1, 5 * mm))
        story.append(self.p(self.payment_text(), self.small))
        return story

    def parties(self) -> Table:
        invoice = self.invoice
        buyer = [
            self.p(_("Invoice to"), self.strong),
            self.p(invoice.buyer_name),
            self.p(invoice.buyer_address),
        ]
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
        if invoice.buyer_org_id:
            facts.append((_("OIN or KvK number"), invoice.buyer_org_id))
        right = self.table(
            [[(f"{label}:", self.text), (value, self.right)] for label, value in facts],
            widths=[46 * mm, 54 * mm],
        )
        return Table(
            [[buyer, right]], colWidths=[WIDTH - 100 * mm, 100 * mm], style=_PLAIN, hAlign="LEFT"
        )

    def lines(self) -> Table:
        header = [
            (_("Description"), self.strong),
            (_("VAT rate"), self.strong_right),
            (_("Excl. VAT"), self.strong_right),
        ]
        rows = [header]
        for line in self.invoice.lines.all():
            rate = _("exempt") if line.vat_exemption else _rate(line.vat_rate)
            rows.append(
                [
                    (line.description, self.text),
                    (rate, self.right),
                    (self.money(line.amount_excl), self.right),
                ]
            )
        return self.table(
            rows,
            widths=[WIDTH - 55 * mm, 22 * mm, 33 * mm],
            repeatRows=1,
            commands=[
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBELOW", (0, -1), (-1, -1), 0.6, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ],
        )

    def totals(self) -> Table:
        invoice = self.invoice
        rows = [(_("Total excl. VAT"), invoice.total_excl, False)]
        for rate, excl, vat, exempt in vat_per_rate(invoice):
            if exempt:
                continue
            label = _("VAT %(rate)s on %(amount)s") % {
                "rate": _rate(rate),
                "amount": self.money(excl),
            }
            rows.append((label, vat, False))
        rows.append((_("Total incl. VAT"), invoice.total_incl, False))
        if invoice.rounding:
            rows.append((_("Rounding"), invoice.rounding, False))
        due = _("Total to be refunded") if invoice.is_credit_note else _("Amount due")
        rows.append((due, invoice.total, True))
        return self.table(
            [
                [
                    (label, self.strong if strong else self.text),
                    (self.money(amount), self.strong_right if strong else self.right),
                ]
                for label, amount, strong in rows
            ],
            widths=[72 * mm, 33 * mm],
            hAlign="RIGHT",
            commands=[("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black)],
        )

    def exemptions(self) -> list:
        found = []
        for *_numbers, exempt in vat_per_rate(self.invoice):
            if exempt:
                found.append(Spacer(1, 2 * mm))
                found.append(
                    self.p(_("Exempt from VAT: %(ground)s") % {"ground": exempt}, self.small)
                )
        return found

    def payment_text(self) -> str:
        invoice = self.invoice
        if invoice.is_credit_note:
            return _("The amount of this credit note is set off or paid back to you.")
        text = _(
            "Please transfer %(amount)s by %(date)s to %(iban)s in the name of %(name)s, "
            "stating %(reference)s."
        ) % {
            "amount": self.money(invoice.total),
            "date": self.date(invoice.due_date) if invoice.due_date else "",
            "iban": invoice.seller_iban,
            "name": invoice.seller_account_name,
            "reference": invoice.payment_reference,
        }
        return text + " " + _("If you have paid already, for instance online, you need do nothing.")


# The paragraphs' class; tests/payments/test_speed.py switches back to reportlab's own.
_Paragraph = _RememberedParagraph


@functools.lru_cache(maxsize=4096)
def _plain_fits(text: str, style: ParagraphStyle, width: float) -> bool:
    """Return whether `text` can be a plain string cell: one line, spaced as a paragraph
    would space it, every character in the style's font, no wider than `width`."""
    return (
        bool(text)
        and " ".join(text.split()) == text
        and not any(needs_fallback(char) for char in text)
        and pdfmetrics.stringWidth(text, style.fontName, style.fontSize) <= width
    )


class _PlainCell(CellStyle):
    """A table cell's style with _PLAIN_COMMANDS' alignment and padding as its defaults."""

    valign = "TOP"
    leftPadding = 0
    rightPadding = 3
    topPadding = 1
    bottomPadding = 1


# A cell's text has the column's width less the left and right padding.
_PADDING = _PlainCell.leftPadding + _PlainCell.rightPadding

_PLAIN_COMMANDS = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 1),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
]
_PLAIN = TableStyle(_PLAIN_COMMANDS)
