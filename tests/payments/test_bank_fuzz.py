"""Any damage to a real bank file: the readers give a statement the import can store, or
refuse it with one of our reasons (a translated message), never another error.

Hypothesis mutates the sample files of tests/payments/data (CAMT.053 and MT940 of the
Dutch banks): bytes changed, inserted or cut off, lines repeated, dropped or swapped,
the file re-encoded or its line ends changed, text of any script or a huge or odd number
put in, the file packed in a ZIP archive. Derandomised and bounded, so CI runs the same
few hundred examples in a few seconds. Each sample is also cut off at every line's end.
"""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from goedeburen.payments import bank_files, camt
from tests.fuzzing import deterministic

from .test_bank_import import ACCOUNT, DATA

SAMPLES = sorted(path.name for path in DATA.iterdir() if path.suffix in (".xml", ".sta"))
KINDS = {camt.KIND_CREDIT, camt.KIND_DEBIT, camt.KIND_RETURN, camt.KIND_DEBIT_REVERSAL}
SKIPS = {
    "",
    camt.SKIP_ZERO,
    camt.SKIP_CURRENCY,
    camt.SKIP_DECIMALS,
    camt.SKIP_PENDING,
    camt.SKIP_TOO_LARGE,
}
# What `BankTransaction` holds of a line: its fields' lengths.
LIMITS = {
    "amount_text": 40,
    "currency": 3,
    "bank_reference": 100,
    "end_to_end_id": 100,
    "counterparty_name": 200,
    "counterparty_iban": 34,
    "counterparty_account": 34,
    "reference": 35,
    "return_reason": 100,
}
NUMBERS = [
    b"9" * 40,
    b"1e999",
    b"-5",
    b"NaN",
    b"Infinity",
    b"0",
    b"0.0000001",
    b"1,000.00",
    b"1.250,00",
    b"99999999999999999.99",
    b"999999999999999999.995",
    b"0" * 30 + b"1",
    b"1E+5",
    b"",
    b"99991231",
    b"00000000",
    b"991399",
    b"2026-02-30",
    b"13-01-2026",
]
SETTINGS = deterministic(300)


def sample(name: str) -> bytes:
    """Return a sample file with its placeholders filled in (the account the organiser's)."""
    text = (DATA / name).read_text().replace("{{ACCOUNT}}", ACCOUNT)
    return re.sub(r"\{\{\w+\}\}", "ABCD2345", text).encode()


def assert_readable(statement: camt.Statement) -> None:
    """Assert that `statement` is what the import stores without a database error."""
    assert statement.iban
    for day in (statement.period_start, statement.period_end):
        assert day == "" or dt.date.fromisoformat(day)
    texts = [statement.message_id, statement.statement_id, statement.sequence, statement.created]
    for line in statement.lines:
        assert line.kind in KINDS
        assert line.skip in SKIPS
        assert isinstance(line.amount, Decimal) and line.amount.is_finite()
        assert Decimal(0) <= line.amount < camt.AMOUNT_BELOW
        assert line.amount == line.amount.quantize(Decimal("0.01"))
        dt.date.fromisoformat(line.booking_date)
        for name, limit in LIMITS.items():
            assert len(getattr(line, name)) <= limit, name
        texts += [getattr(line, name) for name in LIMITS]
        texts += [line.remittance, line.remittance_joined, line.account]
    for text in texts:
        # PostgreSQL stores neither a NUL character nor a lone surrogate.
        assert isinstance(text, str) and "\x00" not in text
        text.encode("utf-8")


def read(data: bytes) -> None:
    """Read `data` as the import does; assert a storable statement or our refusal."""
    try:
        for _name, content in bank_files.statement_files(data):
            assert_readable(bank_files.read_statement(content, account=ACCOUNT))
    except camt.CamtError as refused:
        assert refused.code in camt.REASONS
        with translation.override("nl"):
            reason = translation.gettext(camt.REASONS[refused.code])
        assert reason != camt.REASONS[refused.code]  # in the catalogue
        assert reason % refused.params if refused.params else reason


def _at(data: bytes, where: float) -> int:
    return int(where * len(data))


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _swap(data: bytes, first: float, second: float) -> bytes:
    lines = _lines(data)
    i, j = int(first * len(lines)), int(second * len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def _duplicate(data: bytes, where: float) -> bytes:
    lines = _lines(data)
    i = int(where * len(lines))
    return b"\n".join([*lines[: i + 1], *lines[i:]])


def _remove(data: bytes, where: float) -> bytes:
    lines = _lines(data)
    i = int(where * len(lines))
    return b"\n".join(lines[:i] + lines[i + 1 :])


def _number(data: bytes, where: float, number: bytes) -> bytes:
    found = list(re.finditer(rb"\d+(?:[.,]\d+)?", data))
    if not found:
        return data
    match = found[int(where * len(found))]
    return data[: match.start()] + number + data[match.end() :]


def _text(data: bytes, where: float, text: str) -> bytes:
    """Put `text` into the file's text (so into a name or description, often)."""
    decoded = data.decode("utf-8", "replace")
    at = int(where * len(decoded))
    return (decoded[:at] + text + decoded[at:]).encode("utf-8")


def _zipped(data: bytes, name: str) -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return packed.getvalue()


where = st.floats(min_value=0, max_value=1, exclude_max=True)
mutation = st.one_of(
    st.tuples(where, st.integers(0, 255)).map(
        lambda a: lambda d: d[: _at(d, a[0])] + bytes([a[1]]) + d[_at(d, a[0]) + 1 :]
    ),
    where.map(lambda a: lambda d: d[: _at(d, a)]),
    st.tuples(where, st.binary(min_size=1, max_size=20)).map(
        lambda a: lambda d: d[: _at(d, a[0])] + a[1] + d[_at(d, a[0]) :]
    ),
    where.map(lambda a: lambda d: _duplicate(d, a)),
    where.map(lambda a: lambda d: _remove(d, a)),
    st.tuples(where, where).map(lambda a: lambda d: _swap(d, *a)),
    st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "utf-8-sig"]).map(
        lambda codec: lambda d: d.decode("utf-8", "replace").encode(codec, "replace")
    ),
    st.just(lambda d: d.replace(b"\n", b"\r\n")),
    st.just(lambda d: d.replace(b"\n", b"\r")),
    st.tuples(where, st.text(max_size=12)).map(lambda a: lambda d: _text(d, *a)),
    st.tuples(
        where, st.sampled_from(NUMBERS) | st.integers(0, 10**30).map(str).map(str.encode)
    ).map(lambda a: lambda d: _number(d, *a)),
    st.sampled_from(["a.xml", "map/b.sta", "é.940", "../c.xml"]).map(
        lambda name: lambda d: _zipped(d, name)
    ),
    st.just(lambda d: d + d),
)


@SETTINGS
@given(name=st.sampled_from(SAMPLES), mutations=st.lists(mutation, min_size=1, max_size=3))
def test_a_damaged_bank_file_is_read_or_refused_with_our_message(name, mutations):
    data = sample(name)
    for mutate in mutations:
        data = mutate(data)

    read(data)


@pytest.mark.parametrize("name", SAMPLES)
def test_a_bank_file_cut_off_anywhere_is_read_or_refused_with_our_message(name):
    data = sample(name)
    ends = [match.end() for match in re.finditer(rb"\n", data)]
    inside = range(0, len(data), max(1, len(data) // 60))

    for at in sorted({*ends, *inside}):
        read(data[:at])
