"""Reading an RF creditor reference: the quick path for compact references agrees with
python-stdnum's validation on every kind of reference."""

import pytest
from stdnum import iso11649

from goedeburen.payments.reference import (
    code_from_reference,
    creditor_reference,
    invoice_numbers_in_text,
)
from goedeburen.registration import tokens


def _by_stdnum(reference: str) -> str | None:
    compact = iso11649.compact(reference or "")
    if not iso11649.is_valid(compact):
        return None
    body = compact[4:]
    return body if len(body) == tokens.CODE_LENGTH else None


CODES = [tokens.new_code() for _ in range(200)]


@pytest.mark.parametrize(
    "variant",
    [
        lambda ref: ref,  # as we print it compact
        lambda ref: ref[:2] + str((int(ref[2:4]) + 1) % 100).zfill(2) + ref[4:],  # digits off
        lambda ref: ref[:-1] + ("A" if ref[-1] != "A" else "B"),  # one character off
        lambda ref: ref.lower(),
        lambda ref: " ".join(ref[i : i + 4] for i in range(0, len(ref), 4)),
        lambda ref: ref + "7",  # longer than a code
        lambda ref: ref[:-1],  # shorter
        lambda ref: ref.replace("RF", "RX", 1),
        lambda ref: ref[:6] + "-" + ref[6:],
        lambda ref: ref + "0" * 20,  # too long for a reference
        lambda ref: "",
    ],
)
def test_code_from_reference_agrees_with_stdnum(variant):
    references = [variant(creditor_reference(code)) for code in CODES]

    assert [code_from_reference(r) for r in references] == [_by_stdnum(r) for r in references]


def test_a_valid_compact_reference_gives_its_code():
    code = CODES[0]

    assert code_from_reference(creditor_reference(code)) == code.upper()


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Factuur 2027-0012", ["2027-0012"]),
        ("factuurnr 2027-0012 Goede buren", ["2027-0012"]),
        ("nr.2027-0012, 2027-0013 en 2027-10001.", ["2027-0012", "2027-0013", "2027-10001"]),
        ("INV 20270012", ["2027-0012"]),
        ("INV20270012", ["2027-0012"]),
        ("Factuurnummer: 20270012", ["2027-0012"]),
        ("fact.nr. 20270012", ["2027-0012"]),
        ("invoice no. 20270012", ["2027-0012"]),
        # Not an invoice number of ours:
        ("betaald 2027-01-22", []),  # an ISO date
        ("22-01-2027", []),  # a Dutch date
        ("2027-0122-01", []),  # part of a longer number
        ("12027-00123", []),
        ("2027-0012345678", []),
        ("NL91ABNA0417164300 2027,00", []),  # an IBAN, an amount
        ("PO-2027-0012", []),  # the payer's own reference
        ("20270012", []),  # eight digits alone: a date, a KvK or customer number
        ("klant 20270012", []),
        # Several in full, joined by slashes (the amount must be what they owe together):
        ("2027-0012/2027-0013", ["2027-0012", "2027-0013"]),
        ("Facturen 2027-0012/2027-0013/2027-0014.", ["2027-0012", "2027-0013", "2027-0014"]),
        ("2027-0012 / 2027-0013", ["2027-0012", "2027-0013"]),
        ("2027-0012/0013", []),  # the second cut short: whose number is 0013?
        ("2027-0012 / 0013", ["2027-0012"]),
        ("PO-2027-0012/2027-0013", []),  # the payer's own reference
        ("2027-0012/2027-0013-2", []),
        ("2027-0012/2027-01-22", []),  # a date after the slash
    ],
)
def test_invoice_numbers_in_text_reads_only_our_spelling_standing_alone(text, numbers):
    assert invoice_numbers_in_text(text) == numbers
