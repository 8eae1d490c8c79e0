"""The tidying of typed and sent text that every form and the API share."""

import pytest
from django import forms

from goedeburen.checkin.exports import sheet_name
from goedeburen.common.formfields import TidyCharField
from goedeburen.common.text import cut_whole, natural_key, one_line, tidy_lines, tidy_text
from goedeburen.mail.services.outbox import fit_subject

# A name as a paste from another system can bring it: a bell, a Windows line break, a
# byte order mark, a decomposed "ë" (e + combining diaeresis), an escape sequence.
DIRTY_NAME = "\ufeffZoe\u0308\u0007 Şahin\r\nŁukasiewicz\x1b[0m"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (DIRTY_NAME, "Zoë Şahin Łukasiewicz[0m"),
        ("Zoe\u0308", "Zoë"),
        ("  De\tLinde\u2028 \xa0Woningbouw ", "De Linde Woningbouw"),
        ("\ufeff\u0007\x7f", ""),
        # An override left open would turn around whatever follows the name on a page.
        ("מרים \u202eعلي\u202c \u2067محمد\u2069", "מרים علي محمد"),
        # Nothing invisible at the ends; joiners inside a word or an emoji family stay.
        ("\u200b\u3164 Anna\u200d\u2060\u00ad\u2800", "Anna"),
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        ),
        (
            "\U0001f469\u200d\U0001f469\u200d\U0001f467",
            "\U0001f469\u200d\U0001f469\u200d\U0001f467",
        ),
    ],
)
def test_one_line_gives_nfc_one_line_without_control_characters(typed, stored):
    assert one_line(typed) == stored


def test_tidy_lines_keeps_the_lines_of_an_address_and_drops_empty_ones():
    assert (
        tidy_lines("Lindelaan 1\x07\r\n\r\n\t3701  AA Zeist\u2028") == "Lindelaan 1\n3701 AA Zeist"
    )


def test_tidy_text_keeps_paragraphs_and_indentation_but_not_control_characters():
    written = "## Programma\r\n\r\nWe beginnen\x07 om 10:00.  \r\n\r\n    ingesprongen\tregel\x0c"

    assert (
        tidy_text(written) == "## Programma\n\nWe beginnen om 10:00.  \n\n    ingesprongen\tregel"
    )


@pytest.mark.parametrize(
    ("field", "typed", "cleaned"),
    [
        (TidyCharField(), DIRTY_NAME, "Zoë Şahin Łukasiewicz[0m"),
        (
            TidyCharField(widget=forms.Textarea),
            "Lindelaan 1\r\n\r\n3701 AA Zeist",
            "Lindelaan 1\n3701 AA Zeist",
        ),
        (TidyCharField(tidy=tidy_text, widget=forms.Textarea), "Eén\r\n\r\nTwee", "Eén\n\nTwee"),
        (TidyCharField(required=False), "\ufeff\u0007", ""),
        (TidyCharField(required=False, empty_value=None), "\u0007", None),
    ],
)
def test_tidy_char_field_cleans_to_the_tidied_text(field, typed, cleaned):
    assert field.clean(typed) == cleaned


@pytest.mark.parametrize("typed", ["\ufeff\u0007 \r\n", "\u200b", "\u3164\u200d\u2800"])
def test_tidy_char_field_refuses_a_required_value_that_tidies_to_nothing(typed):
    with pytest.raises(forms.ValidationError) as refused:
        TidyCharField().clean(typed)

    assert refused.value.code == "required"


def test_natural_key_puts_numbers_in_order_whatever_their_script():
    # "²" is a digit to str.isdigit() but no number to int(); "٣" (Arabic-Indic) is both.
    names = ["Zaal 10", "Zaal ²", "Zaal 2", "Zaal ٣", "Zaal 1²"]

    assert sorted(names, key=natural_key) == ["Zaal 1²", "Zaal 2", "Zaal ٣", "Zaal 10", "Zaal ²"]


# A decomposed "é" (e + combining acute) and an emoji family: each one cluster, several
# code points.
E_ACUTE = "e\u0301"
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"


@pytest.mark.parametrize(
    ("text", "limit", "kept"),
    [
        ("Ren" + E_ACUTE, 4, "Ren"),
        ("Ren" + E_ACUTE, 5, "Ren" + E_ACUTE),
        ("ab" + FAMILY, 4, "ab"),
        ("नमस्ते", 4, "नम"),  # न, म, स्ते: the conjunct stays whole
        ("short", 10, "short"),
    ],
)
def test_cut_whole_ends_between_grapheme_clusters(text, limit, kept):
    assert cut_whole(text, limit) == kept


def test_a_subject_cut_to_fit_keeps_its_last_letter_whole():
    subject = "x" * 253 + E_ACUTE + "tail"

    fitted = fit_subject(subject)

    assert fitted == "x" * 253 + "…"  # not an "e" without its accent
    assert len(fitted) <= 255


def test_a_sheet_name_cut_to_fit_keeps_its_emoji_whole():
    assert sheet_name("y" * 28 + FAMILY) == "y" * 28
