"""Variants of real bank files that the samples of the banks' layouts do not show: a
batch whose transactions come in details blocks of their own, a reversal without booking
date, status or currency, an amount of a fraction of a cent; MT940 in the Windows code page
with CRLF line ends, several statements, `:61:` without an entry date, `:NS:` fields; a
statement's period of a day that does not exist; the Dutch banks' CSV exports, refused as
such. Read without a database: the values each line carries to the import."""

from decimal import Decimal

import pytest

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


# The first lines of the Dutch banks' CSV (or tab-separated) exports, as they write them.
CSV_EXPORTS = {
    "ing": '"Datum";"Naam / Omschrijving";"Rekening";"Tegenrekening";"Code";"Af Bij";'
    '"Bedrag (EUR)";"Mutatiesoort";"Mededelingen";"Saldo na mutatie";"Tag"\r\n'
    '"20261123";"P. de Boer";"NL91ABNA0417164300";"NL20INGB0001234567";"OV";"Bij";"125,00";'
    '"Overschrijving";"Naam: P. de Boer\r\nOmschrijving: ABCD2345";"1125,00";""\r\n',
    "ing_comma": '"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij",'
    '"Bedrag (EUR)","MutatieSoort","Mededelingen"\n'
    '"20261123","P. de Boer","NL91ABNA0417164300","NL20INGB0001234567","OV","Bij","125,00",'
    '"Overschrijving","ABCD2345"\n',
    "rabobank": '"IBAN/BBAN","Munt","BIC","Volgnr","Datum","Rentedatum","Bedrag","Saldo na trn",'
    '"Tegenrekening IBAN/BBAN","Naam tegenpartij"\n'
    '"NL91ABNA0417164300","EUR","RABONL2U","000000000000001","2026-11-23","2026-11-23",'
    '"+125,00","+1125,00","NL20INGB0001234567","P. de Boer"\n',
    "abn_amro": "417164300\tEUR\t20261123\t1000,00\t1125,00\t20261123\t125,00\t"
    "SEPA Overboeking                 IBAN: NL20INGB0001234567        Naam: P. de Boer\n",
    "triodos": '23-11-2026,NL91TRIO0123456789,"125,00",Credit,P. de Boer,NL20INGB0001234567,ET,'
    "ABCD2345\n",
    "bunq": '"Date";"Interest Date";"Amount";"Account";"Counterparty";"Name";"Description"\n'
    '"2026-11-23";"2026-11-23";"125.00";"NL91BUNQ2025111111";"NL20INGB0001234567";'
    '"P. de Boer";"ABCD2345"\n',
    "asn": "23-11-2026,NL91ASNB0123456789,NL20INGB0001234567,P. de Boer,,,,EUR,1000.00,EUR,"
    "125.00,23-11-2026,23-11-2026,8810,IOB,12345678,,'ABCD2345',1\n",
    "knab": "KNAB EXPORT;;;;;;;;;;;;;;;;\nRekeningnummer;Transactiedatum;Valutacode;CreditDebet;"
    "Bedrag;Tegenrekeningnummer\nNL91KNAB0123456789;23-11-2026;EUR;C;125,00;NL20INGB0001234567\n",
}


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("bank", sorted(CSV_EXPORTS))
def test_a_dutch_banks_csv_export_is_refused_as_what_it_is(bank, codec):
    data = CSV_EXPORTS[bank].replace("P. de Boer", "Zoë Müller").encode(codec)

    with pytest.raises(camt.CamtError) as refused:
        bank_files.read_statement(data, account=ACCOUNT)

    # "…download the statement as CAMT.053 (XML) or MT940 instead", not "damaged" or "unknown".
    assert refused.value.code == "csv"
