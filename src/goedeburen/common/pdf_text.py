"""Text set straight onto a reportlab canvas: lines broken as a Paragraph breaks them, and
strings written into the page without a text object per string.

reportlab's platypus (Paragraph, Table, the document templates) lays out anything, at a
price: a one-page invoice of sixty strings spent most of its time parsing markup, asking
cells their sizes and making a text object per string. A document whose layout is known
in advance (an invoice: columns of plain texts) can place its texts itself:
`wrap_lines` breaks a text into lines exactly where a Paragraph in the same font, size and
width would (reportlab's defaults: no hyphenation, a space may shrink by 5 %, a word wider
than the line split between characters; here between grapheme clusters, so that no mark is
cut off its letter), and `TextPage` writes the lines with the fonts of `common.pdf_fonts`
(the fallbacks where DejaVu Sans has no glyph), encoding each string into the document's
font subsets as reportlab itself would. `PlainText` is such a text as a platypus flowable.
"""

from __future__ import annotations

import functools

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.paragraph import split as split_words

from .pdf_fonts import (
    CJK,
    SHAPED,
    covers,
    draw_string,
    graphemes,
    run_width,
    runs,
    shaped,
    shaped_run,
    spaces,
    visual,
)

# reportlab's rl_config.spaceShrinkage: a line may be this share of a space per word too
# wide, the spaces shrinking to make it fit.
_SPACE_SHRINKAGE = 0.05


def text_width(text: str, font: str, size: float) -> float:
    """Return the width of `text` in `font` at `size`, in runs where a fallback is needed."""
    text = shaped(text)
    if covers(text):
        return pdfmetrics.stringWidth(text, font, size)
    return sum(run_width(piece, name, size) for name, piece in runs(text, font=font))


@functools.lru_cache(maxsize=8192)
def wrap_lines(text: str, font: str, size: float, width: float) -> tuple[tuple[str, float], ...]:
    """Return `text` broken into lines no wider than `width`: (line, its width) each.

    A line break in `text` starts a new line (an empty line stays empty); each line is
    broken as reportlab's Paragraph breaks a plain text (see the module's docstring).
    """
    found: list[tuple[str, float]] = []
    # Broken in typed order, each line reordered when drawn (`TextPage.draw`).
    for paragraph in shaped(text).splitlines():
        found.extend(_break(paragraph, font, size, width) or [("", 0.0)])
    if found and not any(line for line, _width in found):
        return ()  # nothing to print: no lines, as an empty Paragraph
    return tuple(found)


def _break(text: str, font: str, size: float, width: float) -> list[tuple[str, float]]:
    # reportlab's Paragraph.breakLines for one fragment (platypus/paragraph.py), without
    # what its defaults leave off (hyphenation, bidi, shaping): a word too wide for any line
    # is split into pieces that each end a line, the last piece going on as a word.
    if covers(text):  # one font: ask it directly
        measure = functools.partial(pdfmetrics.getFont(font).stringWidth, size=size)
    else:

        def measure(word):
            return text_width(word, font, size)

    space = measure(" ")
    shrink = _SPACE_SHRINKAGE * space
    # A stack of (word, is a piece); split as reportlab splits (never at a no-break space).
    words = [(word, False) for word in reversed(split_words(text))]
    lines: list[tuple[str, float]] = []
    line: list[str] = []
    current = -space  # so that the first word adds no space
    forced = False
    while words:
        word, piece = words.pop()
        if piece and not word:
            forced = True  # an empty first piece: the word starts on the next line
        word_width = measure(word)
        wider = current + space + word_width
        limit = width + shrink * len(line)
        if wider > limit and not (piece or forced) and word_width > width:
            words.extend(reversed(_split_word(word, current + space, width, measure)))
            forced = True
            continue
        if wider <= limit or not line or forced:
            if word:
                line.append(word)
            if forced:
                forced = False
                lines.append((" ".join(line), wider))
                line, current = [], -space
            else:
                current = wider
        else:
            lines.append((" ".join(line), current))
            line, current = [word], word_width
    if line:
        lines.append((" ".join(line), current))
    return lines


def _split_word(word: str, used: float, width: float, measure) -> list[tuple[str, bool]]:
    # reportlab's _splitWord: as many characters as fit on what is left of the line, then
    # as many as fit on a line, and so on; by grapheme clusters, not code points, so that
    # no piece starts with a mark cut off its letter.
    pieces = []
    piece = ""
    for char in graphemes(word):
        char_width = measure(char)
        if used + char_width > width and (piece or char_width <= width):
            pieces.append((piece, True))
            used, piece = 0.0, ""
        piece += char
        used += char_width
    pieces.append((piece, True))
    return pieces


def draw_lines(page, x, top, lines, *, font, size, leading, width, right=False) -> None:
    """Draw `lines` (from `wrap_lines`) `width` wide from `top` down, where a Paragraph in
    that font, size and leading would draw them: the first baseline one font size below
    the top; right aligned, each line ends at x + width; a line wider than `width` (its
    spaces shrunk) fills it."""
    y = top - size
    for line, line_width in lines:
        if line:
            shrink = word_space(line, line_width, width) if line_width > width else 0
            shift = width - line_width if right and not shrink else 0
            page.draw(x + shift, y, line, font, size, word_space=shrink)
        y -= leading


class PlainText(Flowable):
    """A plain text as a platypus flowable, where a Paragraph of it would stand: broken
    into lines as the Paragraph breaks them (`wrap_lines`), each line drawn with
    `pdf_fonts.draw_string`, every run shaped in its own font.

    A Paragraph set from `pdf_fonts.markup` cannot do that: reportlab (5.1) shapes only
    when its style asks (`ParagraphStyle.shaping`, off by default), and then shapes each
    word, whatever fonts its `<font>` pieces are in, with the font of its first piece,
    reading the glyph ids HarfBuzz gives in that font as glyphs of the others ("शर्मा,"
    gets a wrong comma, "(प्रिया)" blanks).
    """

    def __init__(self, text: str, *, font: str, size: float, leading: float, space_before=0):
        super().__init__()
        self.text, self.font, self.size, self.leading = text, font, size, leading
        self.spaceBefore = space_before
        self._lines: tuple[tuple[str, float], ...] = ()

    def wrap(self, availWidth, availHeight):  # noqa: N803 (reportlab's names)
        self._lines = wrap_lines(self.text, self.font, self.size, availWidth)
        self.width, self.height = availWidth, len(self._lines) * self.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803 (reportlab's names)
        lines = wrap_lines(self.text, self.font, self.size, availWidth)
        fit = int(availHeight // self.leading)
        if fit < 1 or fit >= len(lines):
            return []
        # Each part's lines joined by line breaks: broken again, each stays one line.
        first, rest = ("\n".join(line for line, _ in part) for part in (lines[:fit], lines[fit:]))
        style = {"font": self.font, "size": self.size, "leading": self.leading}
        return [PlainText(first, space_before=self.spaceBefore, **style), PlainText(rest, **style)]

    def draw(self):
        # As a Paragraph: the first baseline one font size below the top.
        y = self.height - self.size
        for line, line_width in self._lines:
            if line:
                shrink = word_space(line, line_width, self.width) if line_width > self.width else 0
                draw_string(self.canv, 0, y, line, self.size, font=self.font, word_space=shrink)
            y -= self.leading


class TextPage:
    """Writes strings and rules onto `canvas`'s current page, in few PDF operators.

    The strings are written between one BT and ET per page (a text matrix per string, the
    font only when it changes) and the rules in one group, when the page is finished
    (`finish_page`, which also shows the page). Each string is encoded into the document's
    subsets of its TrueType font just as reportlab's own drawString encodes it.
    """

    def __init__(self, canvas):
        self.canvas = canvas
        self._doc = canvas._doc
        self._text: list[str] = []
        self._rules: list[str] = []
        self._font: tuple | None = None
        self._encodings: dict[str, _Encoding] = {}
        self._names: dict[str, str] = {}

    def draw(
        self, x: float, y: float, text: str, font: str, size: float, *, word_space: float = 0
    ) -> None:
        """Write `text` with its baseline starting at (x, y), the fallback font where needed.

        `word_space` is added to every space's width (negative: a line that fits only with
        its spaces shrunk, as reportlab sets it). A right-to-left script is drawn in visual
        order (`pdf_fonts.visual`).
        """
        text = visual(text)
        out = self._text
        if word_space:
            out.append(f"{fp_str(word_space)} Tw")
        if covers(text):
            self._draw_run(x, y, text, font, size)
        else:
            for name, piece in runs(text, font=font):
                self._draw_run(x, y, piece, name, size)
                x += run_width(piece, name, size) + word_space * spaces(piece)
        if word_space:
            out.append("0 Tw")

    def draw_right(self, x: float, y: float, text: str, font: str, size: float) -> None:
        """Write `text` ending at x, on the baseline y."""
        self.draw(x - text_width(text, font, size), y, text, font, size)

    def rule(self, x1: float, x2: float, y: float, width: float) -> None:
        """Draw a black horizontal rule from x1 to x2 at y, `width` thick, round capped."""
        self._rules.append(f"{fp_str(width)} w n {fp_str(x1, y)} m {fp_str(x2, y)} l S")

    def finish_page(self) -> None:
        """Write what was drawn into the page and start a new one."""
        code = self.canvas._code
        if self._rules:
            code.append("q 1 J 1 j 0 0 0 RG " + " ".join(self._rules) + " Q")
        if self._text:
            code.append("BT 0 0 0 rg " + " ".join(self._text) + " ET")
        self._text, self._rules, self._font = [], [], None
        self.canvas.showPage()

    def _draw_run(self, x, y, text, font, size):
        out = self._text
        place = f"1 0 0 1 {fp_str(x, y)} Tm"
        if font == CJK:
            if self._font != (font, size):
                place += f" {self._doc.getInternalFontName(font)} {fp_str(size)} Tf"
                self._font = (font, size)
            out.append(f"{place} ({pdfmetrics.getFont(font).formatForPdf(text)}) Tj")
            return
        if font in SHAPED:
            # Glyph by glyph, each where HarfBuzz puts it: reportlab's text object writes
            # a ShapedStr so, switching to the subsets it needs.
            writer = PDFTextObject(self.canvas)
            writer._fontname, writer._fontsize, writer._leading = font, size, size
            writer._curSubset = (
                self._font[2] if self._font and self._font[:2] == (font, size) else -1
            )
            out.append(f"{place} {writer._formatText(shaped_run(text, font, size))}")
            self._font = (font, size, writer._curSubset)
            return
        encoding = self._encodings.get(font)
        if encoding is None:
            encoding = self._encodings[font] = _Encoding(pdfmetrics.getFont(font), self._doc)
        for subset, data in encoding.encode(text):
            if self._font != (font, size, subset):
                name = encoding.font.getSubsetInternalName(subset, self._doc)
                place += f" {name} {fp_str(size)} Tf"
                self._font = (font, size, subset)
            out.append(f"{place} ({escapePDF(data)}) Tj")
            place = ""


def word_space(line: str, line_width: float, width: float) -> float:
    """Return what reportlab adds to each space of a `line` wider than `width` (which
    its spaces' shrinking lets it be), 0 for a line that fits."""
    extra = width - line_width
    if extra > -1e-8:
        return 0.0
    count = spaces(line)
    return extra / count if count else 0.0


class _Encoding:
    """One TrueType font's codes in one document, as reportlab's `TTFont.splitString`
    assigns them (in the order characters are first written), looked up per string at
    once with `str.translate` while every code is in the first subset of 256."""

    def __init__(self, font, doc):
        self.font, self.doc = font, doc
        font.splitString("", doc)  # the document's codes: printable ASCII has its own
        self.table: dict[int, int] = dict(font.state[doc].assignments)
        self.known: set[str] = set(map(chr, self.table))
        self.single = True  # every code so far in subset 0

    def encode(self, text: str) -> list[tuple[int, bytes]]:
        if not self.known.issuperset(text):
            new = "".join(char for char in dict.fromkeys(text) if char not in self.known)
            # reportlab assigns the codes (and keeps them for the document's subsets).
            codes = b"".join(data for _subset, data in self.font.splitString(new, self.doc))
            self.single = self.single and self.font.state[self.doc].nextCode <= 256
            self.table.update(zip(map(ord, new), codes, strict=True))
            self.known.update(new)
        if self.single:
            return [(0, text.translate(self.table).encode("latin-1"))]
        return self.font.splitString(text, self.doc)
