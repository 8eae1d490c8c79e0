"""Reading an RF creditor reference: the quick path for compact references agrees with
python-stdnum's validation on every kind of reference."""

import pytest
from stdnum import iso11649

from goedeburen.payments.reference import code_from_reference, creditor_reference
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
