"""A value cut to fit (clipped with "…", or a word too wide split over lines) is cut between
grapheme clusters only: no combining mark or vowel sign cut off its letter (HarfBuzz would
draw it on a dotted circle), no emoji sequence broken apart."""

import pytest

from goedeburen.checkin.pdf import drawing
from goedeburen.common import pdf_fonts
from goedeburen.common.pdf_text import wrap_lines
from tests.pdf_glyphs import shaped_glyph_names

# Each value as its grapheme clusters, written out so that the test does not ask the code:
# Devanagari syllables ("स्ते" is one: a conjunct with its vowel sign); a family emoji (three
# people and two zero width joiners) and a thumb with its skin tone; "é" typed as e and a
# combining acute accent.
CLUSTERS = [
    ["न", "म", "स्ते", " ", "दु", "नि", "या"],
    ["👩\u200d👩\u200d👧", "👍🏽", "👩\u200d👩\u200d👧", " ", "A", "d", "a"],
    ["R", "e\u0301", "n", "e\u0301", " ", "C", "l", "e\u0301", "m", "e\u0301", "n", "t"],
]
SIZE = 20


def _whole_runs(clusters: list[str]) -> set[str]:
    """Return every run of whole, consecutive clusters, without spaces at its ends."""
    return {
        "".join(clusters[start:stop]).strip()
        for start in range(len(clusters))
        for stop in range(start + 1, len(clusters) + 1)
    } | {""}


def _every_width(value: str) -> list[float]:
    full = drawing.width(value, SIZE, bold=True)
    return [step / 2 for step in range(int(full * 2) + 2)]


@pytest.mark.parametrize("clusters", CLUSTERS)
def test_a_clipped_value_keeps_whole_grapheme_clusters_at_every_width(clusters):
    value = "".join(clusters)
    prefixes = {"".join(clusters[:stop]).rstrip() for stop in range(len(clusters) + 1)}

    for width in _every_width(value):
        clipped = drawing.clip(value, SIZE, width, bold=True)
        assert clipped == value or clipped.removesuffix("…") in prefixes, width


@pytest.mark.parametrize("clusters", CLUSTERS)
def test_a_wrapped_value_splits_words_between_grapheme_clusters_at_every_width(clusters):
    value = "".join(clusters)
    runs = _whole_runs(clusters)

    for width in _every_width(value):
        for max_lines in (None, 1, 2):
            lines = drawing.wrap(value, SIZE, width, bold=True, max_lines=max_lines)
            assert all(line.removesuffix("…") in runs for line in lines), (width, lines)


@pytest.mark.parametrize("clusters", CLUSTERS)
def test_lines_of_a_flowing_text_split_words_between_grapheme_clusters(clusters):
    value = "".join(clusters)
    runs = _whole_runs(clusters)

    for width in _every_width(value):
        lines = wrap_lines(value, pdf_fonts.BOLD, SIZE, width)
        assert all(line in runs for line, _width in lines), (width, lines)


def test_no_piece_of_a_cut_devanagari_name_is_drawn_on_a_dotted_circle():
    value = "नमस्ते दुनिया"

    for width in _every_width(value):
        for line in drawing.wrap(value, SIZE, width, bold=True):
            glyphs = shaped_glyph_names(line, pdf_fonts.DEVANAGARI_BOLD, SIZE)
            assert "uni25CC" not in glyphs, (width, line)
