"""Merge Dutch translations into the nl catalogue: from PO fragments (i18n-pending/*.po).

Usage: python scripts/apply-translations.py FILE.po [...]
Only empty or fuzzy entries are filled; an existing translation is kept.
"""

import sys
from pathlib import Path

import polib

CATALOGUE = (
    Path(__file__).resolve().parent.parent / "src/goedeburen/locale/nl/LC_MESSAGES/django.po"
)


def main(paths: list[str]) -> int:
    catalogue = polib.pofile(str(CATALOGUE))
    known = {}
    for path in paths:
        for entry in polib.pofile(path):
            if entry.msgstr or entry.msgstr_plural:
                known[(entry.msgctxt, entry.msgid)] = entry
    filled = 0
    for entry in catalogue:
        source = known.get((entry.msgctxt, entry.msgid))
        if source is None or (entry.translated() and "fuzzy" not in entry.flags):
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = dict(source.msgstr_plural)
        else:
            entry.msgstr = source.msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        filled += 1
    catalogue.metadata.update(
        {"Project-Id-Version": "goedeburen", "Language": "nl", "Language-Team": "nl"}
    )
    catalogue.metadata_is_fuzzy = False
    catalogue.header = "Goede buren: Dutch messages."
    catalogue.save()
    missing = [e.msgid for e in catalogue if not e.translated() or "fuzzy" in e.flags]
    print(f"filled {filled}; still untranslated: {len(missing)}")
    for msgid in missing:
        print("  ", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
