"""Render an issued invoice or credit note as a PDF (reportlab), in the buyer's language.

Everything printed comes from the invoice row and its lines, which never change, so the
same invoice renders the same whenever it is downloaded or mailed (its creation date is the
moment it was issued). Text is set in DejaVu Sans, embedded, with fallbacks
(`common.pdf_fonts`), so "Ĳsselstein", "Şahin-Łukasiewicz", "李明", "ሰላም" or "محمد"
print as written; every
text that can be long (names, addresses, purchase-order numbers, references, line
descriptions) wraps inside its column, and the lines table runs on over pages with its
header repeated.

The layout is the one reportlab's platypus made of it (a frame with 6 pt padding inside
the margins, tables of columns with 3 pt right and 1 pt top and bottom padding, paragraphs
broken into lines), placed here directly with `common.pdf_text`: the invoice is a handful
of columns of plain texts, and working out where platypus would put them cost most of the
time of a render.
"""

import functools
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from goedeburen.common import money as common_money
from goedeburen.common.pdf_fonts import register_fonts
from goedeburen.common.pdf_text import TextPage, draw_lines, wrap_lines

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
        canvas = Canvas(
            buffer,
            pagesize=A4,
            invariant=True,  # the same bytes every time; the date is set below
            pageCompression=1,
            initialFontName=regular,
        )
        canvas.setTitle(title)
        canvas.setAuthor(invoice.seller_name)
        canvas.setSubject(_("Invoice for %(event)s") % {"event": invoice.event.t.name})
        canvas.setCreator("Goede buren")
        # The PDF's creation date is when the invoice was issued, not 1 January 2000
        # (reportlab's invariant mode) nor whenever it happens to be rendered.
        created = timezone.localtime(invoice.created or timezone.now())
        stamp = created.strftime("D:%Y%m%d%H%M%S") + _offset(created)
        canvas.setDateFormatter(lambda *_args: stamp)
        _Layout(invoice, TextPage(canvas), title=title, regular=regular, bold=bold).place()
        canvas.save()
    return buffer.getvalue()


def _offset(moment) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def invoice_filename(invoice: Invoice) -> str:
    with translation.override(invoice.language):
        kind = _("credit-note") if invoice.is_credit_note else _("invoice")
    return f"{kind}-{invoice.number}.pdf"


@functools.lru_cache(maxsize=1024)
def _date(value, language: str) -> str:
    """Return `value` as "5 March 2027" in `language` (an invoice has four dates, of a few
    days: Django's date formatting costs more than the rest of a line)."""
    with translation.override(language):
        return formats.date_format(value, "j F Y")


@dataclass(frozen=True)
class _Style:
    font: str
    size: float
    leading: float
    right: bool = False


class _Text:
    """A text broken into lines `width` wide, drawn from the top down in `style`."""

    __slots__ = ("height", "lines", "style", "width")

    def __init__(self, text, style: _Style, width: float):
        self.style, self.width = style, width
        self.lines = wrap_lines(str(text), style.font, style.size, width)
        self.height = len(self.lines) * style.leading

    def draw(self, page: TextPage, x: float, top: float) -> None:
        style = self.style
        draw_lines(
            page,
            x,
            top,
            self.lines,
            font=style.font,
            size=style.size,
            leading=style.leading,
            width=self.width,
            right=style.right,
        )


class _Row:
    """A table row: cells (each a stack of texts) in columns, with padding around them."""

    __slots__ = ("cells", "height", "top_padding")

    def __init__(self, cells: list[tuple[float, list]], *, padding: float):
        self.cells, self.top_padding = cells, padding
        self.height = max(sum(part.height for part in stack) for _x, stack in cells) + 2 * padding

    def draw(self, page: TextPage, x: float, top: float) -> None:
        for offset, stack in self.cells:
            y = top - self.top_padding
            for part in stack:
                part.draw(page, x + offset, y)
                y -= part.height


class _Grid:
    """Rows drawn one under the other (a table that is never split)."""

    __slots__ = ("height", "rows")

    def __init__(self, rows: list[_Row]):
        self.rows = rows
        self.height = sum(row.height for row in rows)

    def draw(self, page: TextPage, x: float, top: float) -> None:
        for row in self.rows:
            row.draw(page, x, top)
            top -= row.height


# The frame platypus set inside the margins: 6 pt padding on each side.
_LEFT = MARGIN + 6
_TOP = A4[1] - MARGIN - 6
_BOTTOM = MARGIN + 6
_AVAILABLE = WIDTH - 12
# Cells: no left padding, 3 pt right, 1 pt above and below (2.5 in the lines table).
_RIGHT_PADDING = 3
_FUZZ = 1e-6


def _row(cells, widths, *, padding: float = 1) -> _Row:
    """Return a row of (text, style) cells in columns `widths` wide."""
    placed, x = [], 0.0
    for (text, style), width in zip(cells, widths, strict=True):
        placed.append((x, [_Text(text, style, width - _RIGHT_PADDING)]))
        x += width
    return _Row(placed, padding=padding)


class _Layout:
    """Places an invoice's texts and rules on as many pages as its lines need."""

    def __init__(self, invoice: Invoice, page: TextPage, *, title: str, regular: str, bold: str):
        self.invoice, self.page, self.title = invoice, page, title
        self.language = invoice.language
        self.regular = regular
        self.text = _Style(regular, 9.5, 12.5)
        self.small = _Style(regular, 8.5, 11)
        self.right = _Style(regular, 9.5, 12.5, right=True)
        self.strong = _Style(bold, 9.5, 12.5)
        self.strong_right = _Style(bold, 9.5, 12.5, right=True)
        self.seller = _Style(bold, 12, 15)
        self.heading = _Style(bold, 18, 22)
        self.number = 0

    # Where the next block goes: platypus's frame, without what the invoice never uses.

    def start_page(self) -> None:
        self.number += 1
        self.y, self.at_top, self.space_after = _TOP, True, 0.0
        self.page.draw_right(
            A4[0] - MARGIN, MARGIN / 2, f"{self.title} – {self.number}", self.regular, 8
        )

    def fits(self, height: float) -> bool:
        return self.y - height >= _BOTTOM - _FUZZ

    def add(self, block, *, x: float = _LEFT, before: float = 0, after: float = 0) -> None:
        """Place `block` (height, draw) under what came before, on a new page if needed."""
        space = 0 if self.at_top else max(before - self.space_after, 0)
        if not self.at_top and not self.fits(space + block.height):
            self.new_page()
            space = 0
        block.draw(self.page, x, self.y - space)
        self.y -= space + block.height + after
        self.space_after, self.at_top = after, False

    def space(self, height: float) -> None:
        """Leave `height` empty, unless at the top of a page or where the page ends."""
        if self.at_top:
            return
        if not self.fits(height):
            self.new_page()
            return
        self.y -= height
        self.space_after = 0

    def new_page(self) -> None:
        self.page.finish_page()
        self.start_page()

    def paragraph(self, text, style: _Style, **spacing) -> None:
        self.add(_Text(text, style, _AVAILABLE), **spacing)

    # The invoice, top to bottom.

    def date(self, value) -> str:
        return _date(value, self.language)

    def money(self, amount) -> str:
        return money(amount, self.language)

    def place(self) -> None:
        invoice = self.invoice
        self.start_page()
        self.paragraph(invoice.seller_name, self.seller)
        self.paragraph(invoice.seller_address, self.text)
        details = [
            f"{_('KvK number')}: {invoice.seller_kvk}",
            f"{_('VAT number')}: {invoice.seller_vat}",
            f"IBAN: {invoice.seller_iban} ({invoice.seller_account_name})",
        ]
        if invoice.seller_email:
            details.append(invoice.seller_email)
        self.paragraph("\n".join(details), self.text)
        self.paragraph(self.title, self.heading, before=6, after=8)
        self.add(self.parties())
        self.space(5 * mm)
        if invoice.credits_id:
            credited = invoice.credits
            self.paragraph(
                _("This credit note cancels invoice %(number)s of %(date)s.")
                % {"number": credited.number, "date": self.date(credited.issue_date)},
                self.text,
            )
            self.space(4 * mm)
        self.lines()
        self.space(3 * mm)
        totals = self.totals()
        self.add(totals, x=_LEFT + _AVAILABLE - totals.width)
        for exempt in self.exemptions():
            self.space(2 * mm)
            self.paragraph(exempt, self.small)
        self.space(5 * mm)
        self.paragraph(self.payment_text(), self.small)
        self.page.finish_page()

    def parties(self) -> _Row:
        invoice = self.invoice
        left = WIDTH - 100 * mm
        width = left - _RIGHT_PADDING
        buyer = [
            _Text(_("Invoice to"), self.strong, width),
            _Text(invoice.buyer_name, self.text, width),
            _Text(invoice.buyer_address, self.text, width),
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
        if invoice.buyer_vat_number:
            facts.append((_("Your VAT number"), invoice.buyer_vat_number))
        widths = (46 * mm, 54 * mm)
        right = _Grid(
            [
                _row([(f"{label}:", self.text), (value, self.right)], widths)
                for label, value in facts
            ]
        )
        return _Row([(0.0, buyer), (left, [right])], padding=1)

    def lines(self) -> None:
        """Place the lines table, running on over pages with its header on each."""
        widths = (WIDTH - 55 * mm, 22 * mm, 33 * mm)
        header = _row(
            [
                (_("Description"), self.strong),
                (_("VAT rate"), self.strong_right),
                (_("Excl. VAT"), self.strong_right),
            ],
            widths,
            padding=2.5,
        )
        rows = []
        for line in self.invoice.lines.all():
            rate = _("exempt") if line.vat_exemption else _rate(line.vat_rate)
            cells = [
                (line.description, self.text),
                (rate, self.right),
                (self.money(line.amount_excl), self.right),
            ]
            rows.append(_row(cells, widths, padding=2.5))
        # As wide as the page between the margins: platypus centred it in the frame.
        x, end = MARGIN, MARGIN + WIDTH
        first = header.height + (rows[0].height if rows else 0)
        if not self.at_top and not self.fits(first):
            self.new_page()
        self.at_top = False

        def put_header():
            header.draw(self.page, x, self.y)
            self.y -= header.height
            self.page.rule(x, end, self.y, 0.6)

        put_header()
        for row in rows:
            if not self.fits(row.height):
                self.new_page()
                self.at_top = False
                put_header()
            row.draw(self.page, x, self.y)
            self.y -= row.height
        self.page.rule(x, end, self.y, 0.6)
        self.space_after = 0

    def totals(self) -> "_Totals":
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
        widths = (72 * mm, 33 * mm)
        return _Totals(
            [
                _row(
                    [
                        (label, self.strong if strong else self.text),
                        (self.money(amount), self.strong_right if strong else self.right),
                    ],
                    widths,
                )
                for label, amount, strong in rows
            ],
            width=sum(widths),
        )

    def exemptions(self) -> list[str]:
        return [
            _("Exempt from VAT: %(ground)s") % {"ground": exempt}
            for *_numbers, exempt in vat_per_rate(self.invoice)
            if exempt
        ]

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


class _Totals(_Grid):
    """The totals, kept together, with a rule above the amount due."""

    __slots__ = ("width",)

    def __init__(self, rows: list[_Row], *, width: float):
        super().__init__(rows)
        self.width = width

    def draw(self, page: TextPage, x: float, top: float) -> None:
        super().draw(page, x, top)
        last = top - self.height + self.rows[-1].height
        page.rule(x, x + self.width, last, 0.6)
