"""Small text helpers shared by the domain and interface apps."""

import re
import unicodedata

import regex


def split_lines(text: str) -> list[str]:
    """Return the non-empty lines of a text field that holds one point per line."""
    return [line.strip(" •-\t") for line in text.splitlines() if line.strip(" •-\t")]


def natural_key(text: str) -> tuple:
    """Return a sort key that puts "Huiskamer 2" before "Huiskamer 10" (numbers as numbers)."""
    # isdecimal, as everywhere a typed number goes to int(): isdigit() is true for "²" too.
    return tuple(
        (0, int(part), "") if part.isdecimal() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", text or "")
        if part
    )


# What a browser or a paste from a word processor can put in a text field besides the
# text: line and page breaks of other systems, tabs, and control characters that XML 1.0
# (the e-invoice) cannot hold at all.
_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Not NUL: Django's fields refuse it outright (a browser never sends one). With them the
# bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): one
# left open turns the rest of the line around wherever the value is shown, so that a name
# can make a history sentence or a list row read backwards ("Trojan Source"). Names in
# Arabic or Hebrew need none of them: the bidirectional algorithm orders them itself.
_CONTROLS = re.compile(
    "[\x01-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069"
    "\ufeff\ufffe\uffff\ud800-\udfff]"
)
_SPACES = re.compile(r"[ \t\xa0]+")
# What draws nothing at a value's ends, where it joins or separates nothing: white space
# of any script, the zero-width space, (non-)joiners and word joiner, marks of direction,
# the soft hyphen, and the letters that draw as blank (the Hangul fillers, the braille
# blank). Inside a value they stay: a joiner makes an emoji family or a Persian word. A
# name of only these looked empty on every list and badge, yet passed as given.
_BLANK = (
    "\\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
    "\u2060-\u2064\u206a-\u206f\u2800\u3164\uffa0"
)
_BLANK_ENDS = re.compile(f"^[{_BLANK}]+|[{_BLANK}]+$")
# Half of a UTF-16 pair: JSON can spell one ("\ud800"); no database, page or file holds it.
_SURROGATES = re.compile("[\ud800-\udfff]")


def holds_surrogate(text: str) -> bool:
    """Return whether `text` holds a lone surrogate, which no text we store may hold."""
    return _SURROGATES.search(text) is not None


def one_line(text: str) -> str:
    """Return `text` as one line: breaks and tabs as single spaces, control characters out,
    nothing invisible at its ends (`_BLANK`).

    Unicode NFC, so that a name typed on one computer matches the same name from another.
    """
    text = _CONTROLS.sub("", unicodedata.normalize("NFC", text or ""))
    return _BLANK_ENDS.sub("", _SPACES.sub(" ", _BREAKS.sub(" ", text)))


def tidy_lines(text: str) -> str:
    """Return a text of several lines (an address) with "\\n" between its non-empty lines,
    each as `one_line` makes it."""
    rows = (one_line(row) for row in _BREAKS.split(text or ""))
    return "\n".join(row for row in rows if row)


def tidy_text(text: str) -> str:
    """Return a text laid out by its writer (a page's description, a mail) without control
    characters: NFC, every line break as "\\n", no white space around it.

    Unlike `tidy_lines` it keeps empty lines, indentation, tabs and spaces at a line's end:
    in such a text they are its paragraphs and its markup.
    """
    text = _CONTROLS.sub("", unicodedata.normalize("NFC", text or ""))
    return _BREAKS.sub("\n", text).strip()


# An extended grapheme cluster (Unicode's UAX #29, with its Indic conjuncts): a letter
# with its combining marks, a Devanagari (Bengali …) syllable, an emoji sequence or a flag.
_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> list[str]:
    """Return `text` as its grapheme clusters: where it may be cut (wrapped, clipped) with
    nothing left dangling. A cut inside one leaves a combining mark or vowel sign without
    its letter (HarfBuzz draws it on a dotted circle) or breaks an emoji sequence apart."""
    return _GRAPHEME.findall(text)


def cut_whole(text: str, limit: int) -> str:
    """Return the longest start of `text` of at most `limit` characters that ends between
    two grapheme clusters (`graphemes`): a subject or a sheet's name cut to fit keeps its
    last letter's accent, syllable or emoji whole."""
    if len(text) <= limit:
        return text
    kept, length = [], 0
    for cluster in graphemes(text):
        if length + len(cluster) > limit:
            break
        kept.append(cluster)
        length += len(cluster)
    return "".join(kept)
