"""Dutch first, English complete: every marked string is in both catalogues, translated."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "goedeburen"


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_catalogue_has_no_untranslated_or_fuzzy_entry(language):
    catalogue = _catalogue(language)
    missing = [e.msgid for e in catalogue if not e.translated() or "fuzzy" in e.flags]
    assert missing == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_catalogue_holds_every_string_marked_in_the_source(language, tmp_path):
    # Extract afresh from a copy of the source and compare with what is committed.
    copy = tmp_path / "goedeburen"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    for catalogue in (copy / "locale").glob("*/LC_MESSAGES/django.po"):
        catalogue.unlink()
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", language, "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": ""},
    )
    extracted = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
    wanted = {(e.msgctxt, e.msgid) for e in extracted}
    committed = {(e.msgctxt, e.msgid) for e in _catalogue(language) if not e.obsolete}
    assert sorted(wanted - committed, key=str) == []
    assert sorted(committed - wanted, key=str) == []
