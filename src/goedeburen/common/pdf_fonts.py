"""Fonts for every PDF we make (invoices, tickets, badges, certificates).

reportlab's built-in Helvetica knows only Latin-1: "Ĳ", "ş" or "ł" print as a box. DejaVu
Sans (vendored in `common/fonts/`, free licence beside it) covers Latin, Greek and Cyrillic;
for Chinese, Japanese and Korean, reportlab's built-in CID font is the fallback. A text
that mixes scripts is split into runs, each in a font that has its glyphs.
"""

import functools
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
CJK = "STSong-Light"

_FOLDER = Path(__file__).resolve().parent / "fonts"


@functools.cache
def register_fonts() -> tuple[str, str]:
    """Register the fonts with reportlab once per process; return (regular, bold)."""
    pdfmetrics.registerFont(TTFont(FONT, _FOLDER / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, _FOLDER / "DejaVuSans-Bold.ttf"))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    return FONT, BOLD


@functools.cache
def _covered() -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)


def needs_fallback(char: str) -> bool:
    """Return whether DejaVu Sans has no glyph for `char` (so the CJK font must draw it)."""
    return ord(char) not in _covered() and not char.isspace()


def runs(text: str, *, font: str = FONT) -> list[tuple[str, str]]:
    """Split `text` into (font name, piece) runs, each drawable in its font."""
    found: list[tuple[str, str]] = []
    for char in text:
        name = CJK if needs_fallback(char) else font
        if found and found[-1][0] == name:
            found[-1] = (name, found[-1][1] + char)
        else:
            found.append((name, char))
    return found


def markup(text: str, *, font: str = FONT) -> str:
    """Return `text` escaped as Paragraph markup, with `<font>` tags where a fallback is needed."""
    return "".join(
        escape(piece) if name == font else f'<font name="{name}">{escape(piece)}</font>'
        for name, piece in runs(text, font=font)
    )


def string_width(text: str, size: float, *, font: str = FONT) -> float:
    """Return the width in points of `text` drawn in runs at `size`."""
    return sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in runs(text, font=font))


def draw_string(canvas, x: float, y: float, text: str, size: float, *, font: str = FONT) -> None:
    """Draw `text` on one line at (x, y), switching to the fallback font where needed."""
    for name, piece in runs(text, font=font):
        canvas.setFont(name, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, name, size)
