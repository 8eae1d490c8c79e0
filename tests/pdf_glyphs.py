"""What a PDF prints in one of our TrueType fonts, glyph by glyph, for scripts whose text
is shaped (Devanagari conjuncts, Thai marks): read back, such a glyph is a private-use
character, so the tests name the glyphs instead."""

import io

from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from goedeburen.common import pdf_fonts

# A Hindi name and the glyphs Noto Sans Devanagari (either weight) shapes it into, written
# out: "प्र" is one glyph, the vowel sign "ि" comes before its syllable, the reph "र्" rides
# on the end of "शर्मा".
DEVANAGARI_NAME = "प्रिया शर्मा"
DEVANAGARI_GLYPHS = [
    "uni093F.05",
    "uni092A094D0930",
    "uni092F",
    "uni093E",
    "uni0936",
    "uni092E",
    "uni093E",
    "uni0930094D",
]


def glyph_names(chars: list[dict], font: str) -> list[str]:
    """Return the names of the glyphs drawn in `font` (a name of `common.pdf_fonts`) among
    pdfplumber's `chars`, in the order drawn; ".notdef" for a glyph the font lacks."""
    pdf_fonts.register_fonts()
    face = pdfmetrics.getFont(font).face
    drawn_in = face.name.decode()
    hb_font = pdfmetrics.getFont(font).hbFont()
    return [
        hb_font.glyph_to_string(face.charToGlyph.get(ord(char["text"]), 0))
        for char in chars
        if char["fontname"].split("+")[-1] == drawn_in
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
