import io

import pdfplumber
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from goedeburen.common import pdf_fonts
from tests.pdf_glyphs import (
    DEVANAGARI_DRAWN,
    DEVANAGARI_NAME,
    drawn_glyphs,
    shaped_glyph_names,
)


def _drawn(text: str, font: str = pdf_fonts.FONT) -> list[dict]:
    """Return the characters of a page on which `text` is drawn, as a PDF reader reads them."""
    pdf_fonts.register_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    pdf_fonts.draw_string(page, 50, 700, text, 11, font=font)
    page.save()
    with pdfplumber.open(io.BytesIO(buffer.getvalue())) as pdf:
        return pdf.pages[0].chars


def _text(chars) -> str:
    return "".join(c["text"] for c in chars)


def test_runs_switch_to_the_cjk_font_only_for_what_dejavu_lacks():
    assert pdf_fonts.runs("Zoë 李明 Ĳ") == [
        (pdf_fonts.FONT, "Zoë "),
        (pdf_fonts.CJK, "李明"),
        (pdf_fonts.FONT, " Ĳ"),
    ]


def test_geez_script_falls_back_to_noto_sans_ethiopic_in_the_same_weight():
    assert pdf_fonts.runs("Selam ሰላም 李明") == [
        (pdf_fonts.FONT, "Selam "),
        (pdf_fonts.ETHIOPIC, "ሰላም"),
        (pdf_fonts.FONT, " "),
        (pdf_fonts.CJK, "李明"),
    ]
    assert pdf_fonts.runs("ሰላም", font=pdf_fonts.BOLD) == [(pdf_fonts.ETHIOPIC_BOLD, "ሰላም")]


def test_a_tigrinya_name_prints_in_its_own_script():
    chars = _drawn("ሰላም ተስፋይ", font=pdf_fonts.BOLD)

    letters = [c for c in chars if c["text"] != " "]
    assert _text(letters) == "ሰላምተስፋይ"
    assert {c["fontname"].split("+")[-1] for c in letters} == {"NotoSansEthiopic-Bold"}


def test_a_drawn_name_keeps_every_character_in_the_pdf_text():
    name = "Woonstichting Ĳsselstein – Zoë Şahin-Łukasiewicz 李明"

    assert _text(_drawn(name)) == name


def test_a_character_no_font_has_is_left_out_with_the_joiners_of_its_sequence():
    # Fraktur capitals (beyond the Basic Multilingual Plane): the CJK font would print a
    # gap, read back as an unrelated CJK character.
    name = "Ada \U0001d504\u200d\U0001d505 Café"

    chars = _drawn(name)

    assert _text(chars) == "Ada  Café"
    assert {c["fontname"].split("+")[-1] for c in chars} == {"DejaVuSans"}
    assert pdf_fonts.string_width(name, 11) == pdf_fonts.string_width("Ada  Café", 11)


def test_emoji_print_in_noto_emoji_a_family_as_one_glyph_and_read_back():
    name = "Ada 👩\u200d👩\u200d👧 👍🏽 Café 🙂"

    chars = _drawn(name, font=pdf_fonts.BOLD)

    emoji = drawn_glyphs(chars, pdf_fonts.EMOJI)
    # The family (three people and two joiners) is one glyph of Noto Emoji; the skin tone
    # a swatch of its own, as in every black and white emoji font.
    assert shaped_glyph_names("👩\u200d👩\u200d👧", pdf_fonts.EMOJI) == ["gid1493"]
    assert len(emoji) == 4
    assert emoji[1:] == ["👍", "🏽", "🙂"]
    assert _text(c for c in chars if "Emoji" not in c["fontname"]) == "Ada   Café "


# As typed (logical order), and as drawn: each letter in its joined form, the runs of a
# right-to-left script reversed. Written out, so that the test does not ask the code.
RIGHT_TO_LEFT = [
    ("محمد العلي", "ﻲﻠﻌﻟﺍ ﺪﻤﺤﻣ"),
    ("فاطمه رضایی", "ﯽﯾﺎﺿﺭ ﻪﻤﻃﺎﻓ"),
    ("שרה כהן", "ןהכ הרש"),
    ("Naam: محمد العلي (Utrecht)", "Naam: ﻲﻠﻌﻟﺍ ﺪﻤﺤﻣ (Utrecht)"),
]


@pytest.mark.parametrize(("typed", "drawn"), RIGHT_TO_LEFT)
def test_a_right_to_left_name_is_drawn_joined_and_from_the_right(typed, drawn):
    assert _text(_drawn(typed)) == drawn
    assert pdf_fonts.visual(pdf_fonts.shaped(typed)) == drawn  # shaping twice: the same


def test_text_in_left_to_right_scripts_is_left_as_it_is():
    name = "Zoë Şahin-Łukasiewicz 李明"
    assert pdf_fonts.visual(name) is name
    assert pdf_fonts.shaped(name) is name


def test_a_right_to_left_name_is_measured_in_its_joined_forms():
    pdf_fonts.register_fonts()
    joined = "ﻣﺤﻤﺪ"  # "محمد" as drawn, in typed order

    width = pdf_fonts.string_width("محمد", 20)

    assert width == pdfmetrics.stringWidth(joined, pdf_fonts.FONT, 20)
    assert width != pdfmetrics.stringWidth("محمد", pdf_fonts.FONT, 20)


def test_markup_puts_each_line_in_visual_order():
    assert pdf_fonts.markup("שרה כהן\nZoë") == "ןהכ הרש\nZoë"


def test_thai_and_the_scripts_of_india_fall_back_to_their_noto_fonts_in_the_same_weight():
    assert pdf_fonts.runs("Priya प्रिया สมชาย") == [
        (pdf_fonts.FONT, "Priya "),
        (pdf_fonts.DEVANAGARI, "प्रिया"),
        (pdf_fonts.FONT, " "),
        (pdf_fonts.THAI, "สมชาย"),
    ]
    assert pdf_fonts.runs("प्रिया สมชาย", font=pdf_fonts.BOLD) == [
        (pdf_fonts.DEVANAGARI_BOLD, "प्रिया"),
        (pdf_fonts.BOLD, " "),
        (pdf_fonts.THAI_BOLD, "สมชาย"),
    ]
    assert pdf_fonts.runs("সুমন ਸਿੰਘ செல்வம்") == [
        (pdf_fonts.BENGALI, "সুমন"),
        (pdf_fonts.FONT, " "),
        (pdf_fonts.GURMUKHI, "ਸਿੰਘ"),
        (pdf_fonts.FONT, " "),
        (pdf_fonts.TAMIL, "செல்வம்"),
    ]


def test_a_joiner_stays_in_the_devanagari_run_it_shapes():
    # A zero width joiner after the virama asks for the half form of क (DejaVu Sans has the
    # joiner, but a run of its own would leave it out of the shaping).
    assert pdf_fonts.runs("क्\u200dष") == [(pdf_fonts.DEVANAGARI, "क्\u200dष")]


# As the fonts shape them, written out: "प्र" is one glyph, the vowel sign "ि" comes before
# its syllable, the reph "र्" rides on the end of "शर्मा"; the Thai tone
# mark of "ที่" takes its small form, to sit above the vowel sign; the Bengali "ক্ষ" is one
# glyph, the vowel signs "ি" (Bengali, Gurmukhi) and "ெ" (Tamil) come before their
# consonant, a Tamil consonant with a virama has its own glyph.
SHAPED = [
    (
        DEVANAGARI_NAME,
        pdf_fonts.DEVANAGARI_BOLD,
        ["uni093F.05", "uni092A094D0930", "uni092F", "uni093E"]
        + ["uni0936", "uni092E", "uni093E", "uni0930094D"],
    ),
    ("ที่ดี", pdf_fonts.THAI_BOLD, ["uni0E17", "uni0E35", "uni0E48.small", "uni0E14", "uni0E35"]),
    ("কিরণ", pdf_fonts.BENGALI_BOLD, ["uni09BF", "uni0995", "uni09B0", "uni09A3"]),
    ("ক্ষমা", pdf_fonts.BENGALI_BOLD, ["uni099509CD09B7", "uni09AE", "uni09BE"]),
    ("ਸਿੰਘ", pdf_fonts.GURMUKHI_BOLD, ["imatraguru", "saguru", "tippiguru", "ghaguru"]),
    (
        "செல்வம்",
        pdf_fonts.TAMIL_BOLD,
        ["evowelsigntamil", "catamil", "laprehalftamil", "vatamil", "maprehalftamil"],
    ),
]


@pytest.mark.parametrize(("name", "font", "glyphs"), SHAPED)
def test_a_name_in_a_shaped_script_is_drawn_shaped_in_its_embedded_font(name, font, glyphs):
    chars = _drawn(name, font=pdf_fonts.BOLD)

    assert shaped_glyph_names(name, font) == glyphs
    drawn = drawn_glyphs(chars, font)
    assert len(drawn) == len(glyphs)  # glyph by glyph
    assert ".notdef" not in drawn
    assert {c["fontname"].split("+")[-1] for c in chars if c["text"] != " "} == {
        pdfmetrics.getFont(font).face.name.decode()
    }


def test_a_shaped_glyph_reads_back_as_the_characters_its_name_spells():
    # Thai as typed; Devanagari glyph by glyph, in the order drawn (not reportlab's
    # private-use code points, which a reader would copy as nothing).
    assert _text(_drawn("สมศักดิ์ ที่ดี")) == "สมศักดิ์ ที่ดี"
    chars = _drawn(DEVANAGARI_NAME)
    assert drawn_glyphs(chars, pdf_fonts.DEVANAGARI) == DEVANAGARI_DRAWN
