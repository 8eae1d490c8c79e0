"""The billing numbers an organisation types, in the form an invoice and an e-invoice need them."""

import re

from django.core.exceptions import ValidationError
from stdnum.eu import vat as eu_vat

from . import exceptions

# The Peppol participant id as some systems show it, with its scheme's name in front.
_PEPPOL_PREFIX = re.compile(r"^\s*iso6523-actorid-upis::", re.IGNORECASE)


def tidy_org_id(text: str) -> str:
    """Return a KvK number or OIN without the spaces, dots and dashes people group it with."""
    return re.sub(r"[\s.\-]", "", text or "")


def tidy_peppol_id(text: str) -> str:
    """Return a Peppol ID as "scheme:identifier", without spaces or a scheme name prefix."""
    return re.sub(r"\s", "", _PEPPOL_PREFIX.sub("", text or ""))


# The countries whose VAT numbers python-stdnum's EU module checks: the member states, Greece
# also as "EL" (its VAT prefix, which EN 16931 BR-CO-09 allows), and Northern Ireland ("XI").
# Not "EU" or "IM": the One-Stop-Shop numbers of sellers from outside the EU name no country.
VAT_COUNTRIES = frozenset(code.upper() for code in eu_vat.MEMBER_STATES) | {"EL"}


def tidy_vat_number(text: str) -> str:
    """Return a VAT number as an invoice names it: upper case, without the spaces, dots and
    dashes people group it with, and, when valid, in python-stdnum's compact form (the
    leading zeros a Dutch number needs put back)."""
    number = re.sub(r"[\s.\-/,]", "", text or "").upper()
    return eu_vat.compact(number) if eu_vat.is_valid(number) else number


def vat_number_problem(text: str) -> str:
    """Return why `text` is not a VAT identification number of an EU country in its compact
    form (`tidy_vat_number`), or "".

    The country code comes first (EN 16931 BR-CO-09 asks it of the buyer's VAT number,
    BT-48); python-stdnum checks the rest (length, check digits) for that country.
    """
    code = text[:2].upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        return str(exceptions.VAT_NUMBER_NO_COUNTRY)
    if code not in VAT_COUNTRIES:
        return exceptions.VAT_NUMBER_NOT_EU % {"code": code}
    if not eu_vat.is_valid(text) or eu_vat.compact(text) != text:
        return str(exceptions.VAT_NUMBER_INVALID)
    return ""


def validate_vat_number(value: str) -> None:
    """Raise `ValidationError` (code "vat_number") unless `value` is a compact EU VAT number
    (`vat_number_problem`)."""
    problem = vat_number_problem(value)
    if problem:
        raise ValidationError(problem, code="vat_number")


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
