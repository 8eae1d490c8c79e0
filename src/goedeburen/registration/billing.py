"""The billing numbers an organisation types, in the form an e-invoice needs them."""

import re

from . import exceptions

# The Peppol participant id as some systems show it, with its scheme's name in front.
_PEPPOL_PREFIX = re.compile(r"^\s*iso6523-actorid-upis::", re.IGNORECASE)


def tidy_org_id(text: str) -> str:
    """Return a KvK number or OIN without the spaces, dots and dashes people group it with."""
    return re.sub(r"[\s.\-]", "", text or "")


def tidy_peppol_id(text: str) -> str:
    """Return a Peppol ID as "scheme:identifier", without spaces or a scheme name prefix."""
    return re.sub(r"\s", "", _PEPPOL_PREFIX.sub("", text or ""))


def einvoice_problem(*, org_id: str, peppol_id: str, einvoice: bool) -> str:
    """Return why the e-invoice asked for (`einvoice`) cannot be sent, or "" when it can.

    An e-invoice names the buyer's electronic address, the Peppol ID or else the OIN or KvK
    number (`payments.ubl`): without one the file fails the fatal Peppol rule
    PEPPOL-EN16931-R010 ("Buyer electronic address MUST be provided"). The message belongs
    at the OIN or KvK number's field, the first of the two.
    """
    if einvoice and not (org_id.strip() or peppol_id.strip()):
        return str(exceptions.EINVOICE_ADDRESS_MISSING)
    return ""
