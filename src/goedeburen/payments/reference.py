"""Structured payment references: an ISO 11649 RF creditor reference holding the code.

`RF` + two check digits + the registration code (`RF18K7QW3XPA`). Banks check the digits
when the payer types the reference, and the code inside finds the registration again.

Payers' accounts-payable systems often quote our invoice number instead (`2027-0012`:
year, hyphen, sequence of four or more digits): `invoice_numbers_in_text` reads those.
"""

import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

from goedeburen.registration.tokens import CODE_ALPHABET, CODE_LENGTH

from .camt import compact_rf

# A registration code standing on its own in free text (not inside a longer word).
_CODE_IN_TEXT = re.compile(
    rf"(?<![A-Z0-9])[{CODE_ALPHABET}]{{{CODE_LENGTH}}}(?![A-Z0-9])", re.IGNORECASE
)
_RF_IN_TEXT = re.compile(r"RF\s?\d{2}(?:\s?[A-Z0-9]){1,21}", re.IGNORECASE)


def creditor_reference(code: str) -> str:
    """Return the RF creditor reference for a registration code."""
    body = code.upper()
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def format_reference(reference: str) -> str:
    """Return the reference in groups of four, as it is printed for people to type."""
    return iso11649.format(reference)


def code_from_reference(reference: str) -> str | None:
    """Return the registration code inside a valid RF reference, or None."""
    compact = compact_rf(reference or "")
    if not compact:
        return None
    body = compact[4:]
    return body if len(body) == CODE_LENGTH else None


def codes_in_text(text: str) -> list[str]:
    """Return the registration codes a payer's free text may name: RF references first.

    Candidates only: the caller checks them against registrations that exist.
    """
    found = []
    for match in _RF_IN_TEXT.finditer(text or ""):
        # The pattern may run on into the next word ("RF18 K7QW 3XPA deelname"); our
        # references have a fixed length, so the first 12 characters are the candidate.
        compact = re.sub(r"\s", "", match.group()).upper()
        code = code_from_reference(compact[: 4 + CODE_LENGTH])
        if code:
            found.append(code)
    found += [m.group().upper() for m in _CODE_IN_TEXT.finditer(text or "")]
    return list(dict.fromkeys(found))


# An invoice number as we print it, standing on its own: not inside a word or a longer
# number, not part of a date (2027-01-22, 22-01-2027), an IBAN, an amount (2027,00) or a
# reference of the payer's own (PO-2027-0012, 2027-0012-3).
_SEPARATE_BEFORE = r"(?<![0-9A-Za-z_])(?<![0-9A-Za-z][-/])(?<![0-9][.,:])"
_SEPARATE_AFTER = r"(?![0-9A-Za-z_])(?![-/][0-9A-Za-z])(?![.,:][0-9])"
_INVOICE_NUMBER = re.compile(rf"{_SEPARATE_BEFORE}(20[0-9]{{2}})-([0-9]{{4,6}}){_SEPARATE_AFTER}")
# Several written in full and joined by slashes (`2027-0012/2027-0013`), as an
# accounts-payable system lists the invoices one transfer pays; the run stands on its own.
# (`2027-0012/0013` is not read: is 0013 an invoice of 2027, or of the payer's?)
_ONE_OF_RUN = r"20[0-9]{2}-[0-9]{4,6}"
_INVOICE_RUN = re.compile(rf"{_SEPARATE_BEFORE}{_ONE_OF_RUN}(?:/{_ONE_OF_RUN})+{_SEPARATE_AFTER}")
# Without its hyphen (20270012) only right after a word that says it is an invoice number:
# eight digits alone are as often a date (20270122), a KvK or a customer number.
_INVOICE_NUMBER_COMPACT = re.compile(
    r"(?<![0-9A-Za-z])(?:factuurnummer|factuurnr|factuur|fact|invoice|inv)\.?"
    r"(?:\s*(?:nummer|number|nr|no))?\.?\s*[:#]?\s*"
    rf"(20[0-9]{{2}})([0-9]{{4,6}}){_SEPARATE_AFTER}",
    re.IGNORECASE,
)


def invoice_numbers_in_text(text: str) -> list[str]:
    """Return the invoice numbers (`2027-0012`) a payer's free text may name, as we write them.

    Read: `2027-0012` on its own, several in full joined by slashes (`2027-0012/2027-0013`),
    and `20270012` right after "factuur", "factuurnr", "factuurnummer", "fact", "invoice",
    "inv" (with "nr", "no", ":" or "#"). Candidates only: the caller checks them against the
    organiser's invoices (and the amount must be what they owe together).
    """
    text = text or ""
    if "20" not in text:  # most lines of a statement: no year, nothing to search
        return []
    at = [(match.start(), match.group()) for match in _INVOICE_NUMBER.finditer(text)]
    for run in _INVOICE_RUN.finditer(text):
        start = run.start()
        for number in run.group().split("/"):
            at.append((start, number))
            start += len(number) + 1
    found = [number for _start, number in sorted(at)]
    found += [f"{year}-{sequence}" for year, sequence in _INVOICE_NUMBER_COMPACT.findall(text)]
    return list(dict.fromkeys(found))
