"""The billing numbers an organisation types, in the form an e-invoice needs them."""

import re

# The Peppol participant id as some systems show it, with its scheme's name in front.
_PEPPOL_PREFIX = re.compile(r"^\s*iso6523-actorid-upis::", re.IGNORECASE)


def tidy_org_id(text: str) -> str:
    """Return a KvK number or OIN without the spaces, dots and dashes people group it with."""
    return re.sub(r"[\s.\-]", "", text or "")


def tidy_peppol_id(text: str) -> str:
    """Return a Peppol ID as "scheme:identifier", without spaces or a scheme name prefix."""
    return re.sub(r"\s", "", _PEPPOL_PREFIX.sub("", text or ""))
