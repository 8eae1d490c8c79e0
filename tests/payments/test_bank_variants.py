"""Variants of real bank files that the samples of the banks' layouts do not show: a
batch whose transactions come in details blocks of their own, a reversal without booking
date, status or currency, an amount of a fraction of a cent; MT940 in the Windows code page
with CRLF line ends, several statements, `:61:` without an entry date, `:NS:` fields; a
statement's period of a day that does not exist. Read without a database: the values each
line carries to the import."""

from decimal import Decimal

from goedeburen.payments import bank_files, camt
from goedeburen.payments.reference import creditor_reference

from .test_bank_import import ACCOUNT, DATA

CODES = ("ABCD2345", "EFGH2345")


def sample(name: str, *, codec: str = "utf-8", **values: str) -> bytes:
    text = (DATA / name).read_bytes().decode()  # its line ends as they are
    for n, code in enumerate(CODES, 1):
        text = text.replace(f"{{{{RF{n}}}}}", creditor_reference(code))
        text = text.replace(f"{{{{CODE{n}}}}}", code)
    for key, value in {"ACCOUNT": ACCOUNT, **values}.items():
        text = text.replace(f"{{{{{key}}}}}", value)
    return text.encode(codec)


def facts(line: camt.StatementLine) -> tuple:
    return (
        line.kind,
        line.skip,
        line.amount,
        line.booking_date,
        line.counterparty_name,
        line.counterparty_iban,
        line.reference,
        line.remittance,
        line.end_to_end_id,
    )


def test_a_camt053_batch_in_several_details_blocks_a_bare_reversal_and_a_fraction():
    read = bank_files.read_statement(sample("split_details_camt053_001_04.xml"), account=ACCOUNT)

    assert (read.version, read.period_start, read.period_end) == (
        "camt.053.001.04",
        "2026-11-23",
        "2026-11-23",
    )
    thuis = ("Woningcorporatie Thuis", "NL20INGB0001234567")
    assert [facts(line) for line in read.lines] == [
        # The batch of € 250,000: a line for each transaction, each of its own amount.
        (
            "credit",
            "",
            Decimal("125.00"),
            "2026-11-23",
            *thuis,
            creditor_reference(CODES[0]),
            "",
            "WB-2026-0001",
        ),
        (
            "credit",
            "",
            Decimal("125.00"),
            "2026-11-23",
            *thuis,
            "",
            f"Deelname {CODES[1]}",
            "WB-2026-0002",
        ),
        # Money in that undoes a debit: no booking date (the value date), status or currency.
        (
            "debit_reversal",
            "",
            Decimal("12.50"),
            "2026-11-23",
            "",
            "",
            "",
            "Storno incasso drukkerij",
            "",
        ),
        # Half a cent: listed as written, never booked.
        ("credit", "decimals", Decimal("0.00"), "2026-11-23", "", "", "", "Rente", ""),
    ]
    assert [line.currency for line in read.lines] == ["EUR"] * 4
    assert read.lines[3].amount_text == "0.0050"


def test_mt940_in_the_windows_code_page_with_ns_fields_and_no_entry_dates():
    data = sample("ns_fields_mt940.sta", codec="cp1252", E_ACUTE="é")
    assert b"\r\n" in data and "é".encode("cp1252") in data

    read = bank_files.read_statement(data, account=ACCOUNT)

    assert (read.period_start, read.period_end, read.accounts) == (
        "2026-11-23",
        "2026-11-24",
        [ACCOUNT],
    )
    assert [facts(line) for line in read.lines] == [
        (
            "credit",
            "",
            Decimal("125.00"),
            "2026-11-23",
            "Stichting Wijkkracht",
            "NL39RABO0300065264",
            "",
            f"Deelname {CODES[0]} Mélanie",
            "",
        ),
        # "125,": an amount without cents, as SWIFT allows.
        (
            "credit",
            "",
            Decimal("125.00"),
            "2026-11-24",
            "Gemeente Zeist",
            "NL69INGB0123456789",
            "",
            creditor_reference(CODES[1]),
            "WB-2026-0003",
        ),
        (
            "debit",
            "",
            Decimal("45.50"),
            "2026-11-24",
            "Drukkerij Utrecht",
            "NL86INGB0002445588",
            "",
            "Naambadges",
            "",
        ),
    ]


def test_a_period_of_a_day_that_does_not_exist_is_left_out_not_taken_for_the_first():
    data = sample("ing_accounts_camt053_001_02.xml", SAVINGS="NL69INGB0123456789")
    data = data.replace(b"<FrDtTm>2026-11-24", b"<FrDtTm>2026-02-30", 1)

    read = camt.parse_statement(data, account=ACCOUNT)

    # The other day's start stays the period's; a date the database refuses is none.
    assert (read.period_start, read.period_end) == ("2026-11-25", "2026-11-25")
