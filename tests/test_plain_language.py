"""Plain Dutch (language level B1) on the pages a participant, often a resident, reads: the
registration form, the confirmation, the personal page and its sub-pages, the error pages,
and the refusals those pages show from the domain (MESSAGES).

Each Dutch text of eight words or more is scored with Flesch-Douma, the Dutch variant of
Flesch reading ease (206.835 − 0.93 × words per sentence − 77 × syllables per word): 60 and
up reads as plain language (B1), lower as "fairly difficult" and worse. Sentences stay short.
"""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

from goedeburen.matching import exceptions as matching
from goedeburen.registration import exceptions as registration

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "goedeburen"
TEMPLATES = PACKAGE / "public" / "templates" / "public"
PAGES = [*sorted((TEMPLATES / "registration").rglob("*.html")), TEMPLATES / "error.html"]
PLAIN = 60  # Flesch-Douma
LONGEST_SENTENCE = 20  # words
_TEXT = re.compile(
    r'{% blocktranslate[^%]*%}(.*?){% endblocktranslate %}|{% translate "([^"]*)"', re.S
)
# Refusals a participant's pages show as they are (the page's alert), beside its own texts.
MESSAGES = [registration.CHANGED_MEANWHILE, matching.NOT_ATTENDING]
_SYLLABLE = re.compile(r"(?:ij|ie|oe|eu|ui|ou|au|ei|aa|ee|oo|uu|[aeiouyéëïöü])+")


def syllables(word: str) -> int:
    return max(1, len(_SYLLABLE.findall(word.lower())))


def flesch_douma(text: str) -> tuple[float, int]:
    """Return the score and the longest sentence's number of words."""
    text = re.sub(r"%\(\w+\)s|<[^>]+>", "X", text)
    sentences = [s for s in re.split(r"[.!?:;]+(?:\s|$)", text) if s.strip()]
    words = re.findall(r"[\w’'-]+", text)
    per_sentence = len(words) / max(1, len(sentences))
    score = 206.835 - 0.93 * per_sentence - 77 * sum(map(syllables, words)) / len(words)
    longest = max(len(re.findall(r"[\w’'-]+", s)) for s in sentences)
    return score, longest


def _dutch_texts() -> list[tuple[str, str]]:
    catalogue = polib.pofile(str(PACKAGE / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    dutch = {e.msgid: e.msgstr for e in catalogue if not e.msgid_plural}
    found = []
    for page in PAGES:
        for match in _TEXT.finditer(page.read_text()):
            msgid = (match.group(1) or match.group(2)).strip()
            msgid = re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", msgid)
            text = dutch.get(msgid, "")
            # Texts of sentences (not a button's or a heading's label) of eight words or more.
            if re.search(r"[.?!]", text) and len(re.findall(r"[\w’'-]+", text)) >= 8:
                found.append((page.name, text))
    with translation.override(None):
        found.extend(("message", dutch.get(str(message), "")) for message in MESSAGES)
    return found


def test_the_scoring_tells_plain_from_difficult_dutch():
    plain, _ = flesch_douma("Bewaar deze link. Hiermee ziet u uw aanmelding altijd terug.")
    hard, _ = flesch_douma(
        "Ministeries en veel gemeenten moeten een gestructureerde e-factuur ontvangen "
        "conform de toepasselijke aanbestedingsvoorwaarden."
    )
    assert plain >= PLAIN > hard


def test_there_are_texts_to_judge():
    assert len(_dutch_texts()) > 30


@pytest.mark.parametrize(("page", "text"), _dutch_texts())
def test_participant_texts_are_plain_dutch(page, text):
    score, longest = flesch_douma(text)
    assert score >= PLAIN, f"{page}: Flesch-Douma {score:.0f} < {PLAIN}: {text}"
    assert longest <= LONGEST_SENTENCE, f"{page}: a sentence of {longest} words: {text}"
