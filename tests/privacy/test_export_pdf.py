"""The personal-data export's PDF: names in the scripts of India and in Thai are drawn as
their fonts shape them, as on badges (not unshaped, as reportlab's Paragraph left them)."""

import io

import pdfplumber
import pytest

from goedeburen.common import pdf_fonts
from goedeburen.privacy.services.export import export_pdf
from tests.factories import AttendeeFactory, RegistrationFactory
from tests.pdf_glyphs import (
    DEVANAGARI_DRAWN,
    DEVANAGARI_NAME,
    drawn_glyphs,
    embedded_fonts,
    harfbuzz_offsets,
)

pytestmark = pytest.mark.django_db

THAI_NAME = "ใจดี"  # its first glyph kerned: 260 of its 289 units
THAI_ORGANISATION = "สมศักดิ์ ที่ดี"  # marks placed by HarfBuzz


@pytest.fixture
def content(event):
    registration = RegistrationFactory(event=event, booker_name=DEVANAGARI_NAME, language="en")
    AttendeeFactory(
        registration=registration,
        given_name="สมชาย",
        family_name=THAI_NAME,
        # A Devanagari word with a comma of DejaVu Sans: reportlab's Paragraph shaping
        # would read HarfBuzz's glyph of the comma in Noto Sans Devanagari as DejaVu's.
        function="प्रिया, शर्मा,",
        organisation=THAI_ORGANISATION,
    )
    return export_pdf(registration)


def _chars(content: bytes) -> list[dict]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [char for page in pdf.pages for char in page.chars]


def _baseline(char: dict) -> float:
    return char["matrix"][5]


def _drawn_word(chars: list[dict], font: str, word: str) -> list[dict]:
    # The glyphs in `font` (a PDF font name) that read back as `word`, on one line.
    drawn_in = [c for c in chars if c["fontname"].split("+")[-1] == font]
    for start in range(len(drawn_in)):
        found = drawn_in[start : start + len(word)]
        if "".join(c["text"] for c in found) == word:
            return found
    raise AssertionError(f"{word} not drawn in {font}")


def test_export_draws_devanagari_shaped_glyph_by_glyph(content):
    chars = _chars(content)

    # The booker's name, and the function "प्रिया, शर्मा," (its commas DejaVu Sans's).
    assert drawn_glyphs(chars, pdf_fonts.DEVANAGARI) == DEVANAGARI_DRAWN * 2
    function = [c["text"] for c in chars if abs(_baseline(c) - _baseline_of(chars, "function")) < 2]
    assert "".join(function) == "function: िप्रया, शमार्,"
    assert {"NotoSansDevanagari-Regular", "NotoSansThai-Regular"} <= embedded_fonts(content)


def _baseline_of(chars: list[dict], label: str) -> float:
    text = "".join(c["text"] for c in chars)
    return _baseline(chars[text.index(label + ":")])


@pytest.mark.parametrize("word", [THAI_NAME, *THAI_ORGANISATION.split()])
def test_export_places_thai_glyphs_where_harfbuzz_puts_them(content, word):
    chars = _chars(content)

    # One glyph per character in these words, each read back as typed.
    drawn = _drawn_word(chars, "NotoSansThai-Regular", word)

    assert len({_baseline(c) for c in drawn}) <= 2  # on one line, a mark moved down
    # To a fiftieth of a point: a kerned pair or a placed mark is off by a tenth or more.
    assert [c["x0"] - drawn[0]["x0"] for c in drawn] == pytest.approx(
        harfbuzz_offsets(word, pdf_fonts.THAI, 9.5), abs=0.02
    )
    assert ".notdef" not in drawn_glyphs(chars, pdf_fonts.THAI)
