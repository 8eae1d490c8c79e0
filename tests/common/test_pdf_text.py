"""Texts set straight onto the canvas print as reportlab's Paragraph and drawString print
them: the same lines, every character at the same place in the same font."""

import io

import pdfplumber
import pytest
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from goedeburen.common import pdf_fonts
from goedeburen.common.pdf_text import PlainText, TextPage, draw_lines, wrap_lines

PAYMENT = (
    "Graag € 1.250,00 vóór 5 januari 2027 overmaken naar NL91ABNA0417164300 ten name van "
    "Stichting Goede Buren, onder vermelding van RF20 7KG8 GRHE. Hebt u al betaald, "
    "bijvoorbeeld online, dan hoeft u niets te doen."
)
TEXTS = [
    "Woonstichting Ĳsselstein – Zoë Şahin-Łukasiewicz",
    "PO-2027/ĲSSELSTEIN/WONEN-EN-ZORG/00000000000000042",
    "Ref. PO-2027/ĲSSELSTEIN/WONEN-EN-ZORG/00000000000000042 en verder",
    "Projectnummer ĲS-2027-0042 / kostenplaats 8800 / budgethouder mevr. Łukasiewicz",
    "€\xa0125,00 te\xa0betalen, per\xa0omgaande",
    PAYMENT,
    # Fits a line of 322.98 pt (an invoice line's description) only with its spaces shrunk.
    "Deelname Bijeenkomst 0, 5 maart 2027 – Ada0 de Vries 6 lang lang lang lang " * 3,
]
# Narrow to wide, in uneven steps: some lines fit only with their spaces shrunk.
WIDTHS = [38.5, 61.2, 97.0, 150.0, 153.07, 195.4, 230.1, 301.7, 322.98, 469.89]


def _page(draw):
    """Return the page `draw(canvas)` makes, opened with pdfplumber (close it after use)."""
    pdf_fonts.register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, initialFontName=pdf_fonts.FONT)
    draw(canvas)
    canvas.save()
    return pdfplumber.open(io.BytesIO(buffer.getvalue()))


def _chars(draw) -> list[tuple]:
    with _page(draw) as pdf:
        return [
            (c["text"], round(c["x0"], 2), round(c["top"], 2), c["fontname"].split("+")[-1])
            for c in pdf.pages[0].chars
        ]


def _same_places(found: list[tuple], expected: list[tuple]) -> bool:
    """Return whether the same characters are in the same fonts within 0.02 pt (reportlab
    moves from line to line by differences, rounded: its last lines drift by a hundredth)."""
    return len(found) == len(expected) and all(
        (a[0], a[3]) == (b[0], b[3]) and abs(a[1] - b[1]) <= 0.02 and abs(a[2] - b[2]) <= 0.02
        for a, b in zip(found, expected, strict=True)
    )


def _style(right: bool, font: str = pdf_fonts.FONT) -> ParagraphStyle:
    return ParagraphStyle(
        "p",
        fontName=font,
        fontSize=9.5,
        leading=12.5,
        alignment=TA_RIGHT if right else 0,
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("text", TEXTS)
def test_lines_break_where_a_paragraph_breaks_them(text, width):
    paragraph = Paragraph(pdf_fonts.markup(text), _style(False))
    paragraph.wrap(width, 10_000)

    expected = [(" ".join(words), width - extra) for extra, words in paragraph.blPara.lines]
    found = wrap_lines(text, pdf_fonts.FONT, 9.5, width)

    assert [line for line, _w in found] == [line for line, _w in expected]
    assert [round(w, 6) for _line, w in found] == [round(w, 6) for _line, w in expected]


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("width", [61.2, 153.07, 301.7, 322.98])
@pytest.mark.parametrize("text", [*TEXTS, "Zoë 李明 Şahin"])
def test_drawn_lines_put_every_character_where_a_paragraph_puts_it(text, width, right):
    def with_paragraph(canvas):
        paragraph = Paragraph(pdf_fonts.markup(text), _style(right))
        _w, height = paragraph.wrap(width, 10_000)
        paragraph.drawOn(canvas, 50, 700 - height)

    def with_lines(canvas):
        page = TextPage(canvas)
        lines = wrap_lines(text, pdf_fonts.FONT, 9.5, width)
        draw_lines(
            page,
            50,
            700,
            lines,
            font=pdf_fonts.FONT,
            size=9.5,
            leading=12.5,
            width=width,
            right=right,
        )
        page.finish_page()

    if "李" in text:  # mixed fonts: reportlab breaks these its own way; every character shown
        printed = [c[0] for c in _chars(with_lines) if c[0] != " "]
        assert sorted(printed) == sorted(text.replace(" ", ""))
        return
    assert _same_places(_chars(with_lines), _chars(with_paragraph))


def _drawn_on(flowable, width: float):
    def draw(canvas):
        _w, height = flowable.wrap(width, 10_000)
        flowable.drawOn(canvas, 50, 700 - height)

    return draw


@pytest.mark.parametrize("width", [61.2, 153.07, 322.98])
@pytest.mark.parametrize("text", TEXTS)
def test_plain_text_puts_every_character_where_a_paragraph_puts_it(text, width):
    plain = PlainText(text, font=pdf_fonts.FONT, size=9.5, leading=12.5)
    paragraph = Paragraph(pdf_fonts.markup(text), _style(False))

    assert _same_places(_chars(_drawn_on(plain, width)), _chars(_drawn_on(paragraph, width)))


def test_plain_text_longer_than_a_page_goes_on_on_the_next():
    text = PAYMENT * 4
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=(300, 200), leftMargin=20, rightMargin=20)
    lines = wrap_lines(text, pdf_fonts.FONT, 9.5, document.width - 12)  # the frame's padding

    document.build([PlainText(text, font=pdf_fonts.FONT, size=9.5, leading=12.5)])

    with pdfplumber.open(io.BytesIO(buffer.getvalue())) as pdf:
        printed = [page.extract_text().splitlines() for page in pdf.pages]
    assert len(printed) > 1
    assert [line for page in printed for line in page] == [line.strip() for line, _w in lines]


def test_strings_are_written_as_drawstring_writes_them():
    strings = [
        ("Woonstichting Ĳsselstein – Zoë", pdf_fonts.FONT),
        ("Factuur 2027-0001", pdf_fonts.BOLD),
        ("€\xa0125,00 ŞŁĲ ëéèê", pdf_fonts.FONT),
        ("Ĳsselstein", pdf_fonts.BOLD),
    ]

    def with_drawstring(canvas):
        for n, (text, font) in enumerate(strings):
            pdf_fonts.draw_string(canvas, 40, 800 - 20 * n, text, 9.5, font=font)

    def with_text_page(canvas):
        page = TextPage(canvas)
        for n, (text, font) in enumerate(strings):
            page.draw(40, 800 - 20 * n, text, font, 9.5)
        page.finish_page()

    assert _chars(with_text_page) == _chars(with_drawstring)


def test_a_string_with_more_characters_than_one_subset_holds_prints_every_one():
    # Past 224 distinct characters reportlab starts a second subset of the font.
    text = "".join(chr(code) for code in range(0x100, 0x100 + 300) if pdf_fonts.covers(chr(code)))

    def with_text_page(canvas):
        page = TextPage(canvas)
        for n in range(0, len(text), 40):
            page.draw(20, 800 - n // 2, text[n : n + 40], pdf_fonts.FONT, 8)
        page.finish_page()

    def with_drawstring(canvas):
        for n in range(0, len(text), 40):
            pdf_fonts.draw_string(canvas, 20, 800 - n // 2, text[n : n + 40], 8)

    assert _chars(with_text_page) == _chars(with_drawstring)


def test_right_to_left_text_breaks_in_typed_order_and_each_line_reads_from_the_right():
    # Four names; two fit a line. The first line holds the first two typed, drawn from
    # the right (joined forms, written out rather than asked of the code).
    text = "محمد العلي فاطمه رضایی"
    width = max(pdf_fonts.string_width(two, 12) for two in ("محمد العلي", "فاطمه رضایی")) + 1

    lines = wrap_lines(text, pdf_fonts.FONT, 12, width)

    def draw(canvas):
        page = TextPage(canvas)
        draw_lines(page, 40, 800, lines, font=pdf_fonts.FONT, size=12, leading=14, width=width)
        page.finish_page()

    with _page(draw) as pdf:
        printed = pdf.pages[0].extract_text().splitlines()

    assert len(lines) == 2
    assert printed == ["ﻲﻠﻌﻟﺍ ﺪﻤﺤﻣ", "ﯽﯾﺎﺿﺭ ﻪﻤﻃﺎﻓ"]
