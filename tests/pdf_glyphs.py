"""What a PDF prints in one of our shaped fonts (`common.pdf_fonts.SHAPED`), glyph by glyph.

A shaped glyph is read back as the characters its name spells (a conjunct as its letters,
a vowel sign drawn before its consonant first): what these helpers compare."""

import io

import uharfbuzz
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from goedeburen.common import pdf_fonts

# A Hindi name, and its glyphs as drawn, written out: "प्र" is one glyph, the vowel sign
# "ि" comes before its syllable, the reph "र्" rides on the end of "शर्मा".
DEVANAGARI_NAME = "प्रिया शर्मा"
DEVANAGARI_DRAWN = ["ि", "प्र", "य", "ा", "श", "म", "ा", "र्"]


def drawn_glyphs(chars: list[dict], font: str) -> list[str]:
    """Return what each glyph drawn in `font` (a name of `common.pdf_fonts`) among
    pdfplumber's `chars` reads back as, in the order drawn; ".notdef" for a glyph that
    stands for a character the font lacks (a blank or a box)."""
    pdf_fonts.register_fonts()
    face = pdfmetrics.getFont(font).face
    drawn_in = face.name.decode()
    return [
        char["text"] if all(face.charToGlyph.get(ord(c)) for c in char["text"]) else ".notdef"
        for char in chars
        if char["fontname"].split("+")[-1] == drawn_in
    ]


def shaped_glyph_names(text: str, font: str, size: float = 11) -> list[str]:
    """Return the names of the glyphs `common.pdf_fonts` draws the words of `text` in, in
    `font` (the spaces between them are DejaVu Sans's)."""
    pdf_fonts.register_fonts()
    ttf = pdfmetrics.getFont(font)
    names = ttf.hbFont().glyph_to_string
    return [
        names(ttf.face.charToGlyph[ord(c)])
        for word in text.split()
        for c in pdf_fonts.shaped_run(word, font, size)
    ]


def embedded_fonts(data: bytes) -> set[str]:
    """Return the names of the fonts whose TrueType file (a subset) the PDF carries."""
    found = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                found.add(str(font["/BaseFont"]).split("+")[-1])
    return found


def harfbuzz_offsets(word: str, font: str, size: float) -> list[float]:
    """Return where HarfBuzz puts each glyph of `word` in `font` at `size`: its distance in
    points from the word's start (the advances before it plus its own offset), asked of
    HarfBuzz itself, with the features reportlab shapes with."""
    pdf_fonts.register_fonts()
    ttf = pdfmetrics.getFont(font)
    hb_font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(ttf.face.filename)))
    buffer = uharfbuzz.Buffer()
    buffer.add_str(word)
    buffer.guess_segment_properties()
    uharfbuzz.shape(hb_font, buffer, {"kern": True, "liga": True, "dlig": True})
    scale = size / hb_font.face.upem
    offsets, pen = [], 0
    for position in buffer.glyph_positions:
        offsets.append((pen + position.x_offset) * scale)
        pen += position.x_advance
    return offsets
