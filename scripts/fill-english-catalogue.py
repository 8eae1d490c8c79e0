"""Fill the English catalogue: msgids are English, so each msgstr is its msgid.

Keeps the en catalogue complete (no untranslated entries) after `make messages`.
"""

from pathlib import Path

import polib

path = Path(__file__).resolve().parent.parent / "src/goedeburen/locale/en/LC_MESSAGES/django.po"
catalogue = polib.pofile(str(path))
for entry in catalogue:
    if entry.msgid_plural:
        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
    else:
        entry.msgstr = entry.msgid
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
catalogue.metadata.update(
    {"Project-Id-Version": "goedeburen", "Language": "en", "Language-Team": "en"}
)
catalogue.metadata_is_fuzzy = False
catalogue.header = "Goede buren: English messages."
catalogue.save()
