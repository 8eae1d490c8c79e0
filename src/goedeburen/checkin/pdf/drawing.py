"""Small drawing helpers the PDFs share: text that fits, QR codes as vector squares.

A typed value (a name, an organisation, a room) can be as long as its field allows and a
single word of any length: wherever it is drawn it is wrapped or clipped to its room
(`wrap`, `clip`), so that it never runs off its page or badge or over other text. What
is cut off ends in "…". Values are cut between grapheme clusters only (a letter with its
accents, a Devanagari syllable, an emoji sequence stay whole).
"""

import itertools

import segno
from reportlab.lib.units import mm

from goedeburen.common import pdf_fonts

FONT, BOLD = pdf_fonts.FONT, pdf_fonts.BOLD
QR_MASK = 2


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


def clip(value: str, size: float, max_width: float, *, bold: bool = False) -> str:
    """Return `value` if it fits on one line of `max_width` at `size`, else as much of it
    as fits followed by "…"."""
    if width(value, size, bold=bold) <= max_width:
        return value
    return value[: _fitting(value, size, max_width, bold=bold, end="…")].rstrip() + "…"


def _fitting(value: str, size: float, max_width: float, *, bold: bool, end: str) -> int:
    """Return how many of `value`'s first characters fit, followed by `end` (at least one
    grapheme cluster when there is no `end`, so that a line is never empty): always whole
    clusters (`pdf_fonts.graphemes`), never a syllable or an emoji sequence cut in two."""
    cuts = [0, *itertools.accumulate(map(len, pdf_fonts.graphemes(value)))]
    # Halve the range: a value as long as its field needs a few measurements, not hundreds.
    low, high = 0 if end else min(1, len(cuts) - 1), len(cuts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if width(value[: cuts[middle]].rstrip() + end, size, bold=bold) <= max_width:
            low = middle
        else:
            high = middle - 1
    return cuts[low]


def wrap(
    value: str,
    size: float,
    max_width: float,
    *,
    bold: bool = False,
    max_lines: int | None = None,
) -> list[str]:
    """Break `value` into lines no wider than `max_width` at `size`: at spaces and hyphens,
    and inside a word only when the word alone is too wide. At most `max_lines` lines
    when given, the last one clipped (`clip`) when the value goes on."""
    lines = _wrap(value, size, max_width, bold=bold)
    if max_lines is not None and len(lines) > max_lines:
        last = " ".join(lines[max_lines - 1 : max_lines + 1])
        lines = [*lines[: max_lines - 1], clip(last, size, max_width, bold=bold)]
    return lines


def _wrap(value: str, size: float, max_width: float, *, bold: bool = False) -> list[str]:
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
            cut = _fitting(word, size, max_width, bold=bold, end="")
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def fitted(
    value: str,
    *,
    max_width: float,
    largest: float,
    smallest: float,
    bold: bool = True,
    max_lines: int | None = None,
) -> tuple[float, list[str]]:
    """Return the largest size from `largest` down to `smallest` at which `value` fits on
    one line, or `smallest` and the value wrapped at it (in at most `max_lines`)."""
    wide = width(value, largest, bold=bold)
    if wide <= max_width:
        return largest, [value]
    # Text width grows in proportion to its size: the size that fits follows at once.
    size = int(largest * max_width / wide * 2) / 2  # down to half points
    if size >= smallest:
        return size, [value]
    return smallest, wrap(value, smallest, max_width, bold=bold, max_lines=max_lines)


def qr(canvas, data: str, x, y, size: float) -> None:
    """Draw `data` as a QR code (segno, error correction M) in a `size` square at (x, y).

    The dark modules are one filled path of horizontal runs, in module units scaled once,
    so a sheet of a thousand badges stays small and quick to make.
    """
    # A fixed mask pattern: any of the eight is valid, and trying all eight is most of
    # what encoding costs.
    code = segno.make(data, error="m", micro=False, mask=QR_MASK)
    rows = list(code.matrix_iter(scale=1, border=0))
    count = len(rows)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.translate(x, y + size)
    canvas.scale(size / count, -size / count)
    runs = []
    for row_index, row in enumerate(rows):
        start = None
        for column, dark in enumerate([*row, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                runs.append(f"{start} {row_index} {column - start} 1 re")
                start = None
    # Whole module units: written as PDF operators directly ("re" rectangles, "f" fill),
    # which spares reportlab formatting 170,000 floats for a thousand badges.
    canvas.addLiteral(" ".join(runs) + " f")
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
