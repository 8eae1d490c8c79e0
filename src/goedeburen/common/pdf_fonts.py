"""Fonts for every PDF we make (invoices, tickets, badges, certificates).

reportlab's built-in Helvetica knows only Latin-1: "Ĳ", "ş" or "ł" print as a box. DejaVu
Sans (vendored in `common/fonts/`, free licence beside it) covers Latin, Greek, Cyrillic,
Hebrew and Arabic. Noto fonts (vendored beside it) draw what DejaVu lacks: Ethiopic
(the Ge'ez script of Tigrinya and Amharic names), Thai, Devanagari (Hindi, Marathi,
Nepali), Bengali, Gurmukhi (Punjabi), Tamil and emoji (Noto Emoji, black and white, in
one weight); for Chinese, Japanese and Korean, reportlab's built-in CID font is the
fallback. A text that mixes scripts is split into runs, each in a font that has its
glyphs. Whatever beyond Unicode's Basic Multilingual Plane no font has is left out
("𝔄da" prints "da"); a script no font has (Telugu, Gujarati, Sinhala …) prints blank.

All but Ethiopic are shaped: a Devanagari (Bengali, Gurmukhi, Tamil) syllable is drawn as
the font composes it (conjuncts such as "प्र" as one glyph, the vowel sign "ि" before its
consonant), Thai vowel and tone marks are placed above one another, an emoji sequence (a
family joined by zero width joiners, a flag) is one glyph where Noto Emoji has one.
reportlab does this with HarfBuzz (`uharfbuzz`) for a run given as its `ShapedStr`
(`shaped_run`): glyphs no character stands for are drawn under private-use code points
that reportlab assigns. A PDF reader copies such a glyph as the characters its name spells
("uni092A094D0930": "प्र"), glyph by glyph in the order drawn (so "प्रिया" reads back as
"िप्रया"); a glyph whose name spells nothing (Tamil's and Gurmukhi's, a family emoji)
copies as its private-use code point. Text set as Paragraph markup (`markup`) is drawn in
the right fonts but not shaped: reportlab shapes a Paragraph only when its style asks
(`shaping=1`), and then each word with the font of its first `<font>` piece, so "शर्मा,"
would get a wrong glyph for its comma. A flowing document draws `pdf_text.PlainText`
instead (the personal-data export), which draws each line as `draw_string` does.

reportlab writes a string's characters left to right as they come, each in its isolated
form: "محمد" would print as separate letters, the last one first. Names in a script
written right to left (Arabic, Farsi, Hebrew: people who came as refugees among them) are
therefore shaped (`arabic_reshaper`: each Arabic letter in the form it takes in its word)
and put in visual order per line (`python-bidi`, the Unicode bidirectional algorithm)
before they are drawn (`visual`). Lines are broken on the shaped text in typed order, then
each line is reordered, as the algorithm prescribes.

Embedding is the dear part of a small PDF: every document carries a subset of each font
(the glyphs it uses), cut from the TrueType file and compressed. Documents made from one
template use the same glyphs over and over (an organiser's invoices, an event's badges), so
the fonts registered here remember the subsets they cut and the compressed bytes of them
(`_CachingTTFont`): the PDF is byte for byte what it would be without the memory.
"""

import functools
import re
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont, shapeStr

from goedeburen.common.text import graphemes  # noqa: F401  (where the PDFs cut)

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
CJK = "STSong-Light"
ETHIOPIC = "NotoSansEthiopic"
ETHIOPIC_BOLD = "NotoSansEthiopic-Bold"
THAI = "NotoSansThai"
THAI_BOLD = "NotoSansThai-Bold"
DEVANAGARI = "NotoSansDevanagari"
DEVANAGARI_BOLD = "NotoSansDevanagari-Bold"
BENGALI = "NotoSansBengali"
BENGALI_BOLD = "NotoSansBengali-Bold"
GURMUKHI = "NotoSansGurmukhi"
GURMUKHI_BOLD = "NotoSansGurmukhi-Bold"
TAMIL = "NotoSansTamil"
TAMIL_BOLD = "NotoSansTamil-Bold"
EMOJI = "NotoEmoji"
# The TrueType fonts that draw what DejaVu Sans lacks, asked in this order: (regular,
# bold, file name of each); the CJK font draws whatever is left.
_FALLBACKS = (
    (ETHIOPIC, ETHIOPIC_BOLD, "NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf"),
    (THAI, THAI_BOLD, "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
    (DEVANAGARI, DEVANAGARI_BOLD, "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
    (BENGALI, BENGALI_BOLD, "NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf"),
    (GURMUKHI, GURMUKHI_BOLD, "NotoSansGurmukhi-Regular.ttf", "NotoSansGurmukhi-Bold.ttf"),
    (TAMIL, TAMIL_BOLD, "NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf"),
    # One weight: the bold one would add as much again (900 kB) for a pictogram.
    (EMOJI, EMOJI, "NotoEmoji-Regular.ttf", "NotoEmoji-Regular.ttf"),
)
# The fonts whose runs are shaped (`shaped_run`): all but Ethiopic's, whose syllables are
# single characters.
SHAPED = frozenset(
    name for regular, bold, *_files in _FALLBACKS if regular != ETHIOPIC for name in (regular, bold)
)
# Zero width (non-)joiner and the variation selectors: DejaVu Sans has them, but in a
# Devanagari word they choose between a conjunct and a half form, in an emoji sequence they
# join its pictograms, so they stay in the shaped run they follow (when its font has them).
_JOINERS = frozenset("\u200c\u200d\ufe0e\ufe0f\u20e3")

_FOLDER = Path(__file__).resolve().parent / "fonts"
# Subsets remembered per font, and compressed font streams: a few MB at most.
_SUBSETS_KEPT = 64
# The names under which reportlab registers a subset's font file and its ToUnicode map.
_FONT_STREAMS = ("fontFile:", "toUnicodeCMap:")
# A code point beyond the Basic Multilingual Plane in a subset's ToUnicode map: reportlab
# writes its hex digits, a PDF reader expects UTF-16 (a surrogate pair).
_ASTRAL_CODE = re.compile("<([0-9A-F]{5,6})>$", re.MULTILINE)


def _as_utf16(match: re.Match) -> str:
    return f"<{chr(int(match[1], 16)).encode('utf-16-be').hex().upper()}>"


# A shaped glyph's private-use code point in a subset's ToUnicode map, and a glyph name that
# spells the characters the glyph stands for (Adobe's convention: "uni092A094D0930" for
# "प्र", "uni0E48.small" for a form of "่").
_PRIVATE_CODE = re.compile("^(<[0-9A-F]{2}> )<(E[0-9A-F]{3}|F[0-8][0-9A-F]{2})>$", re.MULTILINE)
_SPELLED = re.compile(r"uni((?:[0-9A-F]{4})+)(?:\..*)?")


def _spelled_out(font: TTFont, match: re.Match) -> str:
    name = font.hbFont().glyph_to_string(font.face.charToGlyph.get(int(match[2], 16), 0))
    spelled = _SPELLED.fullmatch(name)
    return f"{match[1]}<{spelled[1]}>" if spelled else match[0]


@functools.lru_cache(maxsize=2 * _SUBSETS_KEPT)
def _compress(data: bytes) -> bytes:
    return pdfdoc.PDFZCompress.encode(data)


class _RememberedFlate:
    """reportlab's FlateDecode filter, remembering what it compressed (same bytes out)."""

    pdfname = pdfdoc.PDFZCompress.pdfname

    def encode(self, data) -> bytes:
        if isinstance(data, str):
            data = data.encode("utf8")
        return _compress(data)

    def decode(self, encoded: bytes) -> bytes:
        return pdfdoc.PDFZCompress.decode(encoded)


_FLATE = _RememberedFlate()


@functools.lru_cache(maxsize=2 * _SUBSETS_KEPT)
def _formatted_widths(widths: tuple) -> bytes:
    return pdfdoc.PDFArray(widths).format(None)


class _RememberedWidths(pdfdoc.PDFArray):
    """A subset's widths, formatted once per subset (the same bytes as `PDFArray`'s)."""

    def format(self, document, IND=b"\n "):
        return _formatted_widths(tuple(self.sequence))


# The formatted font objects of recent subsets: a few kB each.
_FORMATTED_KEPT = 256
_formatted: dict[tuple, bytes] = {}


class _FormattedOnce(pdfdoc.PDFObject):
    """A font subset's object, formatted once per subset and object numbers.

    What a subset's font dictionary, font descriptor and streams hold follows from the
    subset (its glyphs, the name of its font) and from the numbers of the objects they
    refer to, which are the same in every document of one shape (an invoice of one page):
    the bytes formatted for one document serve the next.
    """

    __RefOnly__ = 1

    def __init__(self, obj, key: tuple, group: tuple[str, ...]):
        self.obj, self.key, self.group = obj, key, group

    def format(self, document):
        numbers = document.idToObjectNumberAndVersion
        key = (self.key, tuple(numbers.get(name) for name in self.group))
        found = _formatted.get(key)
        if found is None:
            found = self.obj.format(document)
            if len(_formatted) >= _FORMATTED_KEPT:
                _formatted.pop(next(iter(_formatted)))
            _formatted[key] = found
        return found


class _CachingTTFont(TTFont):
    """A TrueType font that cuts and compresses each distinct subset once per process.

    reportlab cuts the subset of glyphs a document uses from the font file and compresses
    it anew for every document. The cut depends only on the glyphs (in the order the
    document first used them), so it is remembered; the font file and ToUnicode streams
    of the subsets get a filter that remembers its output, and their widths (hundreds of
    numbers, each formatted on its own) are formatted once per subset.
    """

    def __init__(self, name: str, filename):
        super().__init__(name, filename)
        cut = functools.lru_cache(maxsize=_SUBSETS_KEPT)(
            lambda glyphs, make=self.face.makeSubset: make(list(glyphs))
        )
        self.face.makeSubset = lambda subset: cut(tuple(subset))
        # The objects made per (internal name, subsets), and which of them are fonts.
        self._made: dict[tuple, list] = {}
        self._font_names: set[str] = set()

    def addObjects(self, doc) -> None:
        state = self.state.get(doc)
        if state is None or state.internalName is None:
            super().addObjects(doc)
            return
        subsets = tuple(tuple(subset) for subset in state.subsets)
        key = (state.internalName, subsets)
        objects, fonts = doc.idToObject, doc.idToObject["BasicFonts"].dict
        made = self._made.get(key)
        if made is not None:
            # The objects made for a document before, registered in the order reportlab
            # registers them (the same numbers): they refer to one another by name.
            state.frozen = 1
            for name, obj, group in made:
                wrapper = _FormattedOnce(obj, (self.fontName, subsets, name), group)
                doc.Reference(wrapper, name)
                if name in self._font_names:
                    fonts[name] = wrapper
            del self.state[doc]
            return
        before = set(objects)
        super().addObjects(doc)
        for font in fonts.values():
            widths = getattr(font, "Widths", None)
            if type(widths) is pdfdoc.PDFArray:
                font.Widths = _RememberedWidths(widths.sequence)
        for name, stream in objects.items():
            if name.startswith("toUnicodeCMap:") and name not in before:
                stream.content = _ASTRAL_CODE.sub(_as_utf16, stream.content)
                if self.fontName in SHAPED:
                    # What a reader copies: the characters the glyph name spells, where
                    # it spells them, not reportlab's private-use code point.
                    stream.content = _PRIVATE_CODE.sub(
                        functools.partial(_spelled_out, self), stream.content
                    )
            if (
                name.startswith(_FONT_STREAMS)
                and isinstance(stream, pdfdoc.PDFStream)
                and stream.filters == [pdfdoc.PDFZCompress]
            ):
                stream.filters = [_FLATE]
        numbers = doc.idToObjectNumberAndVersion
        added = sorted((name for name in objects if name not in before), key=numbers.get)
        group = tuple(added)
        made = []
        for name in added:
            original = objects[name]
            objects[name] = wrapper = _FormattedOnce(
                original, (self.fontName, subsets, name), group
            )
            wrapper.__InternalName__ = name  # in the place of the object registered as `name`
            made.append((name, original, group))
            if fonts.get(name) is original:
                self._font_names.add(name)
        if len(self._made) >= _SUBSETS_KEPT:
            self._made.pop(next(iter(self._made)))
        self._made[key] = made


@functools.cache
def register_fonts() -> tuple[str, str]:
    """Register the fonts with reportlab once per process; return (regular, bold)."""
    pdfmetrics.registerFont(_CachingTTFont(FONT, _FOLDER / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(_CachingTTFont(BOLD, _FOLDER / "DejaVuSans-Bold.ttf"))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    for regular, bold, regular_file, bold_file in _FALLBACKS:
        pdfmetrics.registerFont(_CachingTTFont(regular, _FOLDER / regular_file))
        if bold != regular:
            pdfmetrics.registerFont(_CachingTTFont(bold, _FOLDER / bold_file))
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    return FONT, BOLD


@functools.cache
def _covered() -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)


@functools.cache
def _fallback_fonts() -> dict[int, tuple[str, str]]:
    # Code point -> (regular, bold) of the first fallback font that draws it. Read before
    # any shaping adds its private-use code points to a font's map.
    register_fonts()
    found: dict[int, tuple[str, str]] = {}
    for regular, bold, *_files in reversed(_FALLBACKS):
        found.update(dict.fromkeys(pdfmetrics.getFont(regular).face.charToGlyph, (regular, bold)))
    return found


@functools.cache
def _covered_characters() -> frozenset[str]:
    # As characters (not code points) and with whitespace: `covers` asks the set about a
    # whole string at once.
    return frozenset(map(chr, _covered())) | frozenset(" \t\n\r\xa0\u2009\u202f")


# Letters of the scripts written right to left (Hebrew, Arabic, Syriac, Thaana, N'Ko …) and
# the presentation forms of Hebrew and Arabic.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def shaped(text: str) -> str:
    """Return `text` with its Arabic letters in the forms they take in their words (joined,
    lam-alef as one glyph), still in the order typed: what is measured and broken into
    lines. Text without a right-to-left script comes back as it is."""
    if not _RIGHT_TO_LEFT.search(text):
        return text
    return arabic_reshaper.reshape(text)


def visual(line: str) -> str:
    """Return one `line` in the order it is drawn from left to right: shaped, and the runs
    of a right-to-left script reversed by the Unicode bidirectional algorithm (a line that
    starts in such a script reads from the right). Shaping twice changes nothing, so a
    line from `shaped` text may come here too."""
    if not _RIGHT_TO_LEFT.search(line):
        return line
    return get_display(arabic_reshaper.reshape(line))


def covers(text: str) -> bool:
    """Return whether DejaVu Sans draws every character of `text` (no fallback needed)."""
    return _covered_characters().issuperset(text)


def needs_fallback(char: str) -> bool:
    """Return whether DejaVu Sans has no glyph for `char` (so a fallback must draw it)."""
    return ord(char) not in _covered() and not char.isspace()


def fallback_for(char: str, font: str = FONT) -> str:
    """Return the font that draws `char` where `font` (DejaVu Sans, regular or bold) has no
    glyph for it: the first Noto font that has it (`_FALLBACKS`), in the same weight,
    else the CJK font."""
    fonts = _fallback_fonts().get(ord(char))
    if fonts is None:
        return CJK
    return fonts[1] if font == BOLD else fonts[0]


@functools.lru_cache(maxsize=4096)
def shaped_run(piece: str, font: str, size: float) -> str:
    """Return a run in one of the `SHAPED` fonts as HarfBuzz shapes it: a reportlab
    `ShapedStr` (its glyphs with their advances and offsets), which reportlab's text
    objects draw glyph by glyph. Any other run comes back as it is."""
    if font not in SHAPED:
        return piece
    return shapeStr(piece, font, size)


def run_width(piece: str, font: str, size: float) -> float:
    """Return the width in points of one run (`runs`) drawn in `font` at `size`: the sum
    of its shaped glyphs' advances for a shaped font."""
    if font not in SHAPED:
        return pdfmetrics.stringWidth(piece, font, size)
    data = getattr(shaped_run(piece, font, size), "__shapeData__", None)
    if data is None:  # nothing that HarfBuzz changed
        return pdfmetrics.stringWidth(piece, font, size)
    return sum(glyph.x_advance for glyph in data) * size / 1000


# A character beyond the Basic Multilingual Plane (an emoji, a skin tone, a flag's
# letters), with the joiners and variation selectors that make a sequence of them.
_ASTRAL_SEQUENCE = re.compile(
    "[\u200d\ufe0e\ufe0f\u20e3]*(?:[\U00010000-\U0010ffff][\u200d\ufe0e\ufe0f\u20e3]*)+"
)


def _without_astral(match: re.Match) -> str:
    kept = "".join(
        char for char in match[0] if ord(char) in _covered() or ord(char) in _fallback_fonts()
    )
    return kept.strip("\u200d\ufe0e\ufe0f\u20e3")


def _joins(font: str, char: str) -> bool:
    return font in SHAPED and ord(char) in pdfmetrics.getFont(font).face.charToGlyph


def runs(text: str, *, font: str = FONT) -> list[tuple[str, str]]:
    """Split `text` into (font name, piece) runs, each drawable in its font.

    A character beyond the Basic Multilingual Plane that no TrueType font draws is left
    out, with the joiners of its sequence: the CJK font encodes only the plane's
    characters and would print a gap, read back as an unrelated CJK character.
    """
    if covers(text):
        return [(font, text)] if text else []
    if not text.isascii():
        text = _ASTRAL_SEQUENCE.sub(_without_astral, text)
    found: list[tuple[str, str]] = []
    for char in text:
        if char in _JOINERS and found and _joins(found[-1][0], char):
            name = found[-1][0]
        else:
            name = fallback_for(char, font) if needs_fallback(char) else font
        if found and found[-1][0] == name:
            found[-1] = (name, found[-1][1] + char)
        else:
            found.append((name, char))
    return found


def markup(text: str, *, font: str = FONT) -> str:
    """Return `text` escaped as Paragraph markup, with `<font>` tags where a fallback is
    needed, each of its lines in visual order (`visual`; a Paragraph orders nothing).

    A right-to-left text the Paragraph breaks into lines keeps its words' order within
    each piece, not across the lines: fine for the short values it is used for."""
    text = "\n".join(visual(line) for line in text.split("\n"))
    return "".join(
        escape(piece) if name == font else f'<font name="{name}">{escape(piece)}</font>'
        for name, piece in runs(text, font=font)
    )


def string_width(text: str, size: float, *, font: str = FONT) -> float:
    """Return the width in points of `text` drawn in runs at `size`."""
    text = shaped(text)
    return sum(run_width(piece, name, size) for name, piece in runs(text, font=font))


def spaces(text: str) -> int:
    """Return how many spaces of `text` a PDF's word spacing (`Tw`) widens."""
    return text.count(" ") + text.count("\xa0")


def draw_string(
    canvas, x: float, y: float, text: str, size: float, *, font: str = FONT, word_space: float = 0
) -> None:
    """Draw `text` on one line at (x, y), in visual order, switching to the fallback font
    where needed. `word_space` is added to every space's width (negative: a line that fits
    only with its spaces shrunk, as a Paragraph sets it)."""
    for name, piece in runs(visual(text), font=font):
        canvas.setFont(name, size)
        canvas.drawString(x, y, shaped_run(piece, name, size), wordSpace=word_space or None)
        x += run_width(piece, name, size) + word_space * spaces(piece)
