"""Small drawing helpers the PDFs share: text that fits, QR codes as vector squares."""

import segno
from reportlab.lib.units import mm

from goedeburen.common import pdf_fonts

FONT, BOLD = pdf_fonts.FONT, pdf_fonts.BOLD


def setup(canvas, *, title: str, author: str = "") -> None:
    pdf_fonts.register_fonts()
    canvas.setTitle(title)
    if author:
        canvas.setAuthor(author)


def text(canvas, x, y, value: str, size: float, *, bold: bool = False) -> None:
    pdf_fonts.draw_string(canvas, x, y, value, size, font=BOLD if bold else FONT)


def centred(canvas, x_centre, y, value: str, size: float, *, bold: bool = False) -> None:
    font = BOLD if bold else FONT
    width = pdf_fonts.string_width(value, size, font=font)
    pdf_fonts.draw_string(canvas, x_centre - width / 2, y, value, size, font=font)


def width(value: str, size: float, *, bold: bool = False) -> float:
    return pdf_fonts.string_width(value, size, font=BOLD if bold else FONT)


def wrap(value: str, size: float, max_width: float, *, bold: bool = False) -> list[str]:
    """Break `value` into lines no wider than `max_width` at `size`: at spaces and hyphens,
    and inside a word only when the word alone is too wide."""
    words = value.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if width(candidate, size, bold=bold) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while width(word, size, bold=bold) > max_width:
            cut = len(word)
            while cut > 1 and width(word[:cut], size, bold=bold) > max_width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def fitted(
    value: str, *, max_width: float, largest: float, smallest: float, bold: bool = True
) -> tuple[float, list[str]]:
    """Return the largest size from `largest` down to `smallest` at which `value` fits on
    one line, or `smallest` and the value wrapped at it."""
    size = largest
    while size > smallest:
        if width(value, size, bold=bold) <= max_width:
            return size, [value]
        size = max(smallest, size - 1)
    if width(value, smallest, bold=bold) <= max_width:
        return smallest, [value]
    return smallest, wrap(value, smallest, max_width, bold=bold)


def qr(canvas, data: str, x, y, size: float) -> None:
    """Draw `data` as a QR code (segno, error correction M) in a `size` square at (x, y)."""
    code = segno.make(data, error="m", micro=False)
    rows = list(code.matrix_iter(scale=1, border=0))
    module = size / len(rows)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(rows):
        top = y + size - (row_index + 1) * module
        start = None
        for column, dark in enumerate([*row, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                canvas.rect(
                    x + start * module, top, (column - start) * module, module, stroke=0, fill=1
                )
                start = None
    canvas.restoreState()


def no_photo_marker(canvas, x, y, label: str, size: float = 7) -> None:
    """Draw the discreet no-photo marker: a small crossed-out circle and a short label."""
    radius = 2.2 * mm
    canvas.saveState()
    canvas.setLineWidth(0.8)
    canvas.circle(x + radius, y + radius * 0.8, radius, stroke=1, fill=0)
    canvas.line(x + radius * 0.3, y + radius * 0.1, x + radius * 1.7, y + radius * 1.5)
    canvas.restoreState()
    text(canvas, x + 2 * radius + 1.5 * mm, y + 0.5, label, size)
