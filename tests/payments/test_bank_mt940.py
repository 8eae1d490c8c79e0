"""MT940 statements are booked as CAMT.053 statements are: the layouts of ING (Mijn ING
Zakelijk, structured), ABN AMRO, Rabobank (structured), free text with the IBAN and name
first and ASN (de Volksbank) with our references in them (more layouts of the banks' real
files in `test_bank_mt940_layouts`); the same statement twice books nothing, an
overlapping statement's lines once, two identical transfers twice; returns undo their
payment; MT942 and damaged files are refused with a message, and nothing is stored.

The samples in data/*.sta follow the layouts the banks describe for their MT940 exports;
`{{…}}` are filled in as in `test_bank_import.statement` (`{{CODEn_HEAD}}`/`_TAIL`: a code
the bank's 65-character lines cut in two)."""

import random
import re
from decimal import Decimal

import pytest

from goedeburen.payments import bank_files, camt, mt940_statements, queries, services
from goedeburen.payments.enums import PaymentState, ProviderName, TransactionState
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import BankStatement, BankTransaction, OrganiserBilling, Payment
from goedeburen.payments.reference import creditor_reference
from goedeburen.registration.enums import RegistrationStatus
from tests.seams import without_import_lock
from tests.threads import all_at_once

from .test_bank_files import PREFIX, archive, day
from .test_bank_import import ACCOUNT, DATA, by_transfer, statement

BANK_PAYMENTS = {"provider": ProviderName.BANK_TRANSFER}
ASN_ACCOUNT = "NL66ASNB0707070707"


@pytest.fixture
def six(register):
    return {n: by_transfer(register, n) for n in range(1, 7)}


def sample(name: str, registrations: dict, **values: str) -> bytes:
    """Return an MT940 sample with codes filled in, cut codes too."""
    for n, registration in registrations.items():
        values.setdefault(f"CODE{n}_HEAD", registration.code[:3])
        values.setdefault(f"CODE{n}_TAIL", registration.code[3:])
    return statement(name, registrations, **values)


def lines_of(result) -> list[BankTransaction]:
    return list(BankTransaction.objects.filter(statement=result).order_by("position"))


def paid(line: BankTransaction):
    """Return the one registration `line` paid for, or None (none of these lines is split)."""
    (registration,) = line.registrations or [None]
    return registration


def test_ing_structured_layout_books_references_and_codes_cut_over_lines(event, six, book):
    result = book(sample("ing_mt940_structured.sta", six), "ing.sta")

    assert (result.lines_new, result.lines_matched, result.lines_unmatched) == (5, 3, 1)
    assert (result.statement_id, result.sequence, result.iban) == (
        "P261124000000001",
        "00000",
        ACCOUNT,
    )
    assert (str(result.period_start), str(result.period_end)) == ("2026-11-24", "2026-11-24")
    lines = lines_of(result)
    assert [(line.state, paid(line)) for line in lines] == [
        (TransactionState.MATCHED, six[1]),  # /REMI/STRD/CUR/RF…/
        (TransactionState.MATCHED, six[2]),  # the code cut over two lines of :86:
        (TransactionState.SKIPPED, None),  # money out
        (TransactionState.UNMATCHED, None),
        (TransactionState.MATCHED, six[3]),  # the RF reference as the end-to-end id
    ]
    assert [line.reference for line in lines] == [
        creditor_reference(six[1].code),
        "",
        "",
        "",
        creditor_reference(six[3].code),
    ]
    # The name cut over two lines, the city and the statement's /SUM/ left out.
    assert [line.debtor_name for line in lines] == [
        "Woonstichting De Linde",
        "Gemeente Zeist",
        "Drukkerij Utrecht",
        "Stichting Buurtkracht",
        "Zorggroep Het Anker",
    ]
    assert lines[1].remittance == (
        f"Factuur deelname Goede buren reg {six[2].code} P. Jansen, afdeling Wonen en Welzijn"
    )
    assert (lines[4].remittance, lines[4].entry_key) == ("Factuur 2026-118", "00000000001005")
    assert (lines[0].amount, lines[0].amount_text) == (Decimal("125.00"), "125,00")
    payment = Payment.objects.get(registration=six[1])
    assert (payment.payer_name, payment.payer_iban) == (
        "Woonstichting De Linde",
        "NL20INGB0001234567",
    )
    for n in (1, 2, 3):
        six[n].refresh_from_db()
        assert six[n].status == RegistrationStatus.CONFIRMED


def test_abn_amro_layout_with_its_header_and_amounts_without_cents(event, six, book):
    result = book(sample("abnamro_mt940.sta", six), "abn.sta")

    assert (result.statement_id, result.sequence) == ("ABN AMRO BANK NV", "32801/1")
    lines = lines_of(result)
    assert [(line.state, paid(line)) for line in lines] == [
        (TransactionState.MATCHED, six[5]),  # the code in /REMI/, the amount what is owed
        (TransactionState.MATCHED, six[6]),  # the RF reference typed in /REMI/
        (TransactionState.SKIPPED, None),  # a card payment, free text
    ]
    assert [line.amount_text for line in lines] == ["125,", "125,", "12,95"]
    assert [line.debtor_iban for line in lines] == ["NL39RABO0300065264", "NL69INGB0123456789", ""]
    assert lines[0].remittance == f"Aanmelding {six[5].code} Goede buren 2026 / dag 1"
    assert (lines[1].debtor_name, lines[1].end_to_end_id) == (
        "GEMEENTE ZEIST",
        "2026-0417-CREDITOR",
    )
    assert lines[2].remittance == "BEA NR:XXXX01 24.11.26/10.15 HEMA UTRECHT,PAS123"


def test_rabobank_layout_partial_payment_twins_and_the_iban_on_the_second_line(event, six, book):
    result = book(sample("rabobank_mt940_structured.sta", six), "rabo.sta")

    lines = lines_of(result)
    assert [(line.state, paid(line), line.overpaid) for line in lines] == [
        (TransactionState.MATCHED, six[3], False),  # /CDTRREF/RF…: any amount
        (TransactionState.UNMATCHED, None, False),  # a code in free text, not what is owed
        (TransactionState.MATCHED, six[1], False),
        (TransactionState.MATCHED, six[1], True),  # the same transfer twice: both booked
        (TransactionState.SKIPPED, None, False),
    ]
    assert lines[2].fingerprint == lines[3].fingerprint
    assert [line.occurrence for line in lines[2:4]] == [1, 2]
    assert [line.debtor_iban for line in lines] == [
        "NL44RABO0123456789",
        "NL44RABO0123456789",
        "NL20INGB0001234567",
        "NL20INGB0001234567",
        "NL86INGB0002445588",
    ]
    assert (lines[0].debtor_name, lines[0].end_to_end_id) == (
        "Zorggroep Het Anker",
        "2026-REG-0001",
    )
    assert (lines[4].debtor_name, lines[4].remittance) == ("Drukkerij Utrecht", "Naambadges")
    assert queries.balance(six[3]).open == Decimal("25.00")
    assert queries.balance(six[1]).overpaid == Decimal("125.00")


def test_free_text_with_the_iban_and_name_first(event, six, book):
    result = book(sample("iban_first_mt940.sta", six), "iban-first.sta")

    lines = lines_of(result)
    assert [(line.state, line.skip_reason, paid(line)) for line in lines] == [
        (TransactionState.MATCHED, "", six[2]),
        (TransactionState.UNMATCHED, "", None),
        (TransactionState.SKIPPED, "zero", None),
    ]
    assert [(line.debtor_name, line.debtor_iban) for line in lines] == [
        ("P. de Boer", "NL20INGB0001234567"),
        ("Stichting Buurtkracht", "NL39RABO0300065264"),
        ("", ""),
    ]
    code = six[2].code
    assert lines[0].remittance == (
        f"Deelname conferentie Goede buren, aanmelding {code[:3]} {code[3:]} namens wijkteam"
    )


@pytest.mark.parametrize(
    ("codec", "prefix", "line_end"),
    [
        ("utf-8", b"", "\r\n"),
        ("utf-8", b"\xef\xbb\xbf", "\n"),
        ("latin-1", b"", "\r\n"),
        ("cp1252", b"", "\n"),
        ("utf-16", b"", "\r\n"),  # with its byte order mark
        ("utf-16-le", b"", "\r\n"),  # without
    ],
    ids=["utf8_crlf", "utf8_bom", "latin1", "cp1252", "utf16", "utf16_le_no_bom"],
)
def test_asn_in_every_encoding_with_an_entry_date_in_the_next_year(
    event, six, book, codec, prefix, line_end
):
    OrganiserBilling.objects.filter(organiser=event.organiser).update(iban=ASN_ACCOUNT)
    text = sample("asn_mt940.sta", six, ACCOUNT=ASN_ACCOUNT).decode()
    data = prefix + text.replace("\n", line_end).encode(codec)

    result = book(data, "asn.sta")

    (line,) = lines_of(result)
    assert (line.state, paid(line)) == (TransactionState.MATCHED, six[1])
    # Value date 31 December 2026, entry date (MMDD) 0102: booked on 2 January 2027.
    assert str(line.booking_date) == "2027-01-02"
    assert (str(result.period_start), str(result.period_end)) == ("2027-01-01", "2027-01-02")
    assert (line.debtor_name, line.debtor_iban) == ("Café De Buurvrouw", "NL20INGB0001234567")
    assert line.remittance == f"Aanmelding {six[1].code} à 125,00 voor Renée Müller"


def test_the_same_file_twice_and_the_same_statement_exported_again_book_nothing(
    event, six, book, english
):
    data = sample("ing_mt940_structured.sta", six)
    book(data, "ing.sta")
    # Another export: other header lines, other line ends; the same statement.
    again = data.replace(b"{2:I940INGBNL2AXXXN}", b"{2:I940INGBNL2AXXXN}{3:{108:EXPORT2}}")
    again = again.replace(b"\n", b"\r\n")

    for name, repeated in (("ing (1).sta", data), ("ing-export-2.sta", again)):
        with pytest.raises(PaymentError) as refused:
            book(repeated, name)
        assert refused.value.code == "camt_duplicate"
        assert str(refused.value.message).endswith("(file ing.sta); nothing new was booked.")
    assert BankStatement.objects.count() == 1
    assert Payment.objects.filter(**BANK_PAYMENTS).count() == 3


def test_a_statement_of_the_same_day_with_more_lines_books_only_the_new_ones(event, six, book):
    # The day exported before it ended, then the day's statement: the same :20:, :28C: and
    # dates (ABN AMRO's :20: is always "ABN AMRO BANK NV"), but another closing balance.
    full = sample("abnamro_mt940.sta", six)
    early = full.replace(b"2737,05", b"2750,00")
    start = early.index(b":61:2611241124D12,95")
    early = early[:start] + early[early.index(b":62F:") :]
    book(early, "abn-morning.sta")

    result = book(full, "abn.sta")

    assert (result.lines_new, result.lines_known, result.lines_skipped) == (1, 2, 1)
    assert Payment.objects.filter(**BANK_PAYMENTS).count() == 2


def test_a_line_in_an_overlapping_statement_is_booked_once(event, six, book):
    day_file = sample("ing_mt940_structured.sta", six)
    book(day_file, "ing-24.sta")
    # The week's statement of the same account: another :20:, balances and one more day.
    week = day_file.replace(b":20:P261124000000001", b":20:P261130000000001")
    week = week.replace(b":60F:C261123EUR1000,00", b":60F:C261122EUR1000,00")
    extra = (
        b":61:2611251125C125,00NTRFNONREF//00000000001001\r\n"
        b":86:/CNTP/NL20INGB0001234567/INGBNL2A/P. de Boer/UTRECHT//REMI/USTD//"
        + six[4].code.encode()
        + b"/\r\n:62F:C261125EUR1704,50"
    )
    week = week.replace(b":62F:C261124EUR1579,50", extra)

    result = book(week, "ing-week.sta")

    assert (result.lines_new, result.lines_known, result.lines_matched) == (1, 5, 1)
    assert Payment.objects.filter(**BANK_PAYMENTS).count() == 4
    assert (str(result.period_start), str(result.period_end)) == ("2026-11-23", "2026-11-25")


def test_an_ing_return_undoes_the_payment_with_its_reason(event, six, book):
    book(sample("ing_mt940_structured.sta", six), "ing-24.sta")

    result = book(sample("ing_mt940_return.sta", six), "ing-26.sta")

    assert (result.lines_new, result.lines_returned) == (1, 1)
    back = BankTransaction.objects.get(statement=result)
    assert (back.kind, back.state, back.return_reason) == ("return", "returned", "AC04")
    payment = Payment.objects.get(registration=six[1])
    assert payment.state == PaymentState.RETURNED
    assert back.reverses == payment.bank_transaction
    assert queries.balance(six[1]).open == Decimal("125.00")


def _one_line(mark: str, details: str, kind: str = "NTRF") -> camt.StatementLine:
    data = (
        ":20:X\n:25:NL91ABNA0417164300\n:28C:1\n:60F:C261123EUR0,00\n"
        f":61:2611241124{mark}125,00{kind}NONREF\n:86:{details}\n:62F:C261124EUR0,00\n"
    ).encode()
    (line,) = bank_files.read_statement(data).lines
    return line


@pytest.mark.parametrize(
    ("mark", "details", "kind", "expected"),
    [
        ("C", "/REMI/USTD//Deelname/", "NTRF", ("credit", "")),
        ("D", "/REMI/USTD//Naambadges/", "NTRF", ("debit", "")),
        ("RC", "/REMI/USTD//Deelname/", "NTRF", ("return", "")),  # a credit reversed
        ("RD", "/REMI/USTD//Incasso/", "NTRF", ("debit_reversal", "")),  # a debit reversed
        ("D", "/RTRN/MS03//EREF/X//REMI/USTD//Deelname/", "NTRF", ("return", "MS03")),
        ("C", "/RTRN/AC04//REMI/USTD//Terugbetaling/", "NTRF", ("debit_reversal", "AC04")),
        ("D", "/EREF/X//REMI/USTD//Deelname/", "NRTI", ("return", "")),  # a returned item
        (
            "D",
            "/TRTP/SEPA OVERBOEKING/IBAN/NL20INGB0001234567/RTRN/AC04/EREF/X",
            "N654",
            ("return", "AC04"),
        ),
        (
            "D",
            "/RTYP/SEPA Incasso Terugboeking/MARF/M-1/RTRN/AC01/IBAN/NL20INGB0001234567/EREF/X",
            "N245",
            ("return", "AC01"),
        ),
    ],
    ids=[
        "credit",
        "debit",
        "rc",
        "rd",
        "rtrn_debit",
        "rtrn_credit",
        "ing_rti",
        "abn_rtrn",
        "abn_rtyp",
    ],
)
def test_what_a_line_is(mark, details, kind, expected):
    line = _one_line(mark, details, kind)

    assert (line.kind, line.return_reason) == expected


def test_foreign_currency_and_more_decimals_are_skipped_and_listed(event, six, book):
    data = sample("iban_first_mt940.sta", six).replace(b"C60,00", b"C60,125")
    dollars = data.replace(b"EUR", b"USD").replace(b":20:MT940", b":20:MT940-USD")

    result = book(data, "iban-first.sta")
    foreign = book(dollars, "iban-first-usd.sta")

    assert [(line.skip_reason, line.amount_text) for line in lines_of(result)][1] == (
        "decimals",
        "60,125",
    )
    # A statement of an account in dollars: every line, the zero one too.
    assert {(line.state, line.skip_reason, line.currency) for line in lines_of(foreign)} == {
        ("skipped", "currency", "USD")
    }


def test_another_account_is_refused_naming_both_and_an_old_account_number_is_ours(
    event, six, book, english
):
    with pytest.raises(PaymentError) as refused:
        book(sample("abnamro_mt940.sta", six, ACCOUNT="NL69INGB0123456789EUR"), "other.sta")
    assert refused.value.code == "camt_account"
    assert str(refused.value.message) == (
        "This statement is for account NL69 INGB 0123 4567 89, but the organiser's account "
        "is NL91 ABNA 0417 1643 00; nothing was imported."
    )
    assert not BankStatement.objects.exists()

    # ABN AMRO's older exports name the account by its number: 0417164300 of NL91ABNA….
    result = book(sample("abnamro_mt940.sta", six, ACCOUNT="417164300"), "abn-old.sta")

    assert (result.iban, result.lines_matched) == (ACCOUNT, 2)


def test_a_statement_over_two_pages_and_a_day_without_lines_are_each_imported(event, six, book):
    page = sample("iban_first_mt940.sta", six)
    first = page.replace(b":62F:C261124EUR685,00", b":62M:C261124EUR685,00")
    # The next page: other lines (the same lines again would be known), an intermediate
    # opening balance.
    second = page.replace(b":28C:338/1", b":28C:338/2")
    second = second.replace(b":60F:C261123EUR500,00", b":60M:C261124EUR685,00")
    second = second.replace(b"C60,00", b"C61,00").replace(b"Rente", b"Rente november")
    second = second.replace(six[2].code[3:].encode(), b"ZZZZZ")
    second = second.replace(b":62F:C261124EUR685,00", b":62F:C261124EUR871,00")
    quiet = b":20:MT940\n:25:" + ACCOUNT.encode() + b"\n:28C:339/1\n"
    quiet += b":60F:C261124EUR871,00\n:62F:C261125EUR871,00\n-\n"

    results = [book(data, name) for data, name in ((first, "1.sta"), (second, "2.sta"))]
    empty = book(quiet, "3.sta")

    assert [(r.sequence, r.lines_new, r.lines_known) for r in results] == [
        ("338/1", 3, 0),
        ("338/2", 3, 0),
    ]
    assert (empty.lines_new, str(empty.period_start), str(empty.period_end)) == (
        0,
        "2026-11-25",
        "2026-11-25",
    )
    with pytest.raises(PaymentError):
        book(quiet.replace(b"\n", b"\r\n"), "3 (1).sta")


def test_several_days_and_accounts_in_one_file_book_the_organisers_days(event, six, upload):
    first = sample("iban_first_mt940.sta", six)
    second = first.replace(b"2611241124", b"2611251125").replace(b"C261124", b"C261125")
    second = second.replace(b"C261123", b"C261124").replace(b":28C:338/1", b":28C:339/1")
    savings = first.replace(ACCOUNT.encode(), b"NL69INGB0123456789")

    result = upload(first + second + savings, "triodos-all.sta")

    (imported,) = result.statements
    assert (imported.lines_new, imported.lines_matched, imported.lines_unmatched) == (6, 1, 3)
    assert (str(imported.period_start), str(imported.period_end)) == ("2026-11-24", "2026-11-25")
    assert result.other_accounts == ["NL69INGB0123456789"]


def test_a_zip_archive_of_mt940_and_camt053_files_books_each(event, register, six, upload):
    data = archive(
        ("2026-11-24.sta", sample("ing_mt940_structured.sta", six)),
        ("2026-12-01.xml", day(1, six[4])),
    )

    result = upload(data, "november.zip")

    assert [s.filename for s in result.statements] == [
        "november.zip/2026-11-24.sta",
        "november.zip/2026-12-01.xml",
    ]
    assert [s.lines_matched for s in result.statements] == [3, 1]


def camt_of_the_mt940_day(six) -> bytes:
    """A CAMT.053 statement of the account with lines on 24 November 2026, the day of
    `ing_mt940_structured.sta`: the same day's statement as the bank writes it in XML."""
    return statement(
        "ing_day_camt053_001_02.xml",
        {},
        DAY="2026-11-24",
        SEQ="324",
        RFA=creditor_reference(six[4].code),
        CODEB="ZZZZZZZZ",
        NAME_A="P. de Boer",
        NAME_B="Buurtcentrum De Kern",
    )


@pytest.mark.parametrize("first", ["camt053", "mt940"])
def test_a_day_read_from_one_format_is_refused_in_the_other(event, six, book, english, first):
    files = {
        "camt053": (camt_of_the_mt940_day(six), "24-11.xml"),
        "mt940": (sample("ing_mt940_structured.sta", six), "24-11.sta"),
    }
    then = "mt940" if first == "camt053" else "camt053"
    book(*files[first])
    stored = [model.objects.count() for model in (BankStatement, BankTransaction, Payment)]

    with pytest.raises(PaymentError) as refused:
        book(*files[then])

    assert refused.value.code == "camt_format"
    names = {"camt053": "CAMT.053", "mt940": "MT940"}
    assert str(refused.value) == (
        f"This {names[then]} statement has lines of 24 November 2026, a day that was imported "
        f"before from a {names[first]} statement of the same account (file {files[first][1]}). "
        "The same payment would be booked twice, so nothing was imported. "
        "Import each day in one format only."
    )
    assert [model.objects.count() for model in (BankStatement, BankTransaction, Payment)] == stored
    assert list(BankStatement.objects.values_list("file_format", flat=True)) == [first]


def test_one_archive_with_a_day_in_both_formats_imports_nothing(event, six, upload, english):
    data = archive(
        ("24-11.sta", sample("ing_mt940_structured.sta", six)),
        ("24-11.xml", camt_of_the_mt940_day(six)),
    )

    with pytest.raises(PaymentError) as refused:
        upload(data, "november.zip")

    assert refused.value.code == "camt_format"
    assert "(file november.zip/24-11.sta)" in str(refused.value)
    assert not BankStatement.objects.exists()


def _both_formats_at_once(event, six) -> list:
    files = [
        (sample("ing_mt940_structured.sta", six), "24-11.sta"),
        (camt_of_the_mt940_day(six), "24-11.xml"),
    ]

    def import_one(n):
        data, name = files[n]
        return services.import_statement(event, filename=name, data=data)

    return all_at_once(2, import_one)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_day_in_both_formats_imported_at_once_is_booked_once(on_postgresql, event, six):
    results = _both_formats_at_once(event, six)

    refused = [r for r in results if isinstance(r, PaymentError)]
    assert [r.code for r in refused] == ["camt_format"]
    assert BankStatement.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_import_lock_both_formats_are_booked(
    on_postgresql, event, six, monkeypatch
):
    without_import_lock(monkeypatch.setattr)

    results = _both_formats_at_once(event, six)

    assert [type(r) for r in results] == [BankStatement, BankStatement]
    assert sorted(BankStatement.objects.values_list("file_format", flat=True)) == [
        "camt053",
        "mt940",
    ]


ING = ":20:X\n:25:NL91ABNA0417164300EUR\n:28C:00000\n:60F:C261123EUR0,00\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\r\n", "the file is empty"),
        (
            ING.encode() + b":61:2611241124C125,00NTRFNONREF\n:86:/REMI/USTD//Deelname",
            "it looks like an MT940 file, but statement 1 of 1 in it has no closing balance "
            "(:62F:); the file may have been cut off, so download it again",
        ),
        (
            b":20:X\n:25:NL91ABNA0417164300\n:61:2611241124C125,00NTRF\n:62F:C261124EUR0,00\n",
            "it looks like an MT940 file, but statement 1 of 1 in it has no opening balance "
            "(:60F:); download the whole statement again",
        ),
        (
            # A piece of a statement: neither its start nor its balances.
            b":20:X\n:28C:1\n:86:/REMI/USTD//Deelname/\n",
            "it looks like an MT940 file, but statement 1 of 1 in it has no opening balance "
            "(:60F:) and no closing balance (:62F:); download the whole statement again",
        ),
        (
            # A file of two days whose second day was cut off after its :20:.
            (ING + ":62F:C261124EUR0,00\n" + ING).encode(),
            "it looks like an MT940 file, but statement 2 of 2 in it has no closing balance "
            "(:62F:); the file may have been cut off, so download it again",
        ),
        (
            # Cut off at its start: lines before the first statement's :20:.
            b":61:2611241124C125,00NTRFNONREF\n:86:/REMI/USTD//Deelname/\n"
            + (ING + ":62F:C261124EUR125,00\n").encode(),
            "it looks like a piece of an MT940 file: the start of a statement (:20:) is "
            "missing; download the whole statement again",
        ),
        (
            ING.encode() + b":61:26112X1124C125,00NTRFNONREF\n:62F:C261124EUR0,00\n",
            "the MT940 field :61: “26112X1124C125,00NTRFNONREF” cannot be read",
        ),
        (
            ING.encode() + b":61:2613241324C125,00NTRFNONREF\n:62F:C261124EUR0,00\n",
            "the MT940 file is damaged: a field is incomplete or holds a date that does not exist",
        ),
        (
            ING.encode() + b":61:2611241124C1,2,3NTRFNONREF\n:62F:C261124EUR0,00\n",
            "the MT940 file is damaged: a field is incomplete or holds a date that does not exist",
        ),
        (
            b":25:NL91ABNA0417164300\n:60F:C261123EUR0,00\n:62F:C261124EUR0,00\n",
            "it looks like a piece of an MT940 file: the start of a statement (:20:) is "
            "missing; download the whole statement again",
        ),
        (
            b":61:2611241124C125,00NTRFNONREF\n:86:/REMI/USTD//Deelname/\n",
            "it looks like a piece of an MT940 file: the start of a statement (:20:) is "
            "missing; download the whole statement again",
        ),
        (
            ":61:2611241124C125,00NTRFNONREF\r\n:86:/REMI/USTD//Deelname/\r\n".encode("utf-16"),
            "it looks like a piece of an MT940 file: the start of a statement (:20:) is "
            "missing; download the whole statement again",
        ),
        (
            b"0000 01INGBNL2AXXXX00001\r\n0000 01INGBNL2AXXXX00001\r\n940 00\r\n",
            "it looks like a piece of an MT940 file: the start of a statement (:20:) is "
            "missing; download the whole statement again",
        ),
        (
            b":20:X\n:28C:1\n:60F:C261123EUR0,00\n:62F:C261124EUR0,00\n",
            "a statement names no account",
        ),
        (
            ING.encode() + b":61:2611241124C125,00NTRF\x00NONREF\n:62F:C261124EUR0,00\n",
            "the MT940 file is not text in a character set banks use (ASCII, ISO-8859-1, UTF-8)",
        ),
        (
            ING.encode() + b":61:2611241124C1000000000000000000,00NTRF\n:62F:C261124EUR0,00\n",
            "the amount “1000000000000000000,00” is not an amount",
        ),
        (
            # A decimal point, never a bank's: not € 125,00 and a reference ".50…".
            ING.encode() + b":61:2611241124C125.50NTRFNONREF\n:62F:C261124EUR0,00\n",
            "the amount “125.50” is not an amount",
        ),
        (
            ING.encode() + b":61:2611241124C1.250,00NTRFNONREF\n:62F:C261124EUR0,00\n",
            "the amount “1.250,00” is not an amount",
        ),
    ],
    ids=[
        "blank",
        "truncated",
        "no_opening",
        "piece_without_balances",
        "second_day_cut_off",
        "cut_off_at_the_start",
        "garbled_line",
        "no_such_date",
        "bad_amount",
        "no_20",
        "only_lines",
        "only_lines_utf16",
        "ing_header_only",
        "no_account",
        "nul_byte",
        "huge_amount",
        "decimal_point",
        "thousands_point",
    ],
)
def test_a_damaged_mt940_file_is_refused_with_a_message_and_nothing_stored(
    upload, data, reason, english
):
    with pytest.raises(PaymentError) as refused:
        upload(data, "upload.sta")

    assert refused.value.code == "camt_invalid"
    assert str(refused.value.message) == PREFIX + reason
    assert not BankStatement.objects.exists()
    assert not BankTransaction.objects.exists()


def test_files_joined_with_dos_end_of_file_marks_are_read_as_their_statements():
    # Older Rabobank files end with Ctrl-Z; joined by copying, one comes before a :20:.
    day = ":20:940A{day}\n:25:NL91ABNA0417164300\n:28:00000/00\n:60F:C26112{before}EUR0,00\n"
    first = day.format(day=261124, before=3) + (
        ":61:2611241124C10,00N541NONREF\n:86:Eerste dag\n:62F:C261124EUR10,00\n"
    )
    second = day.format(day=261125, before=4) + (
        ":61:2611251125C20,00N541NONREF\n:86:Tweede dag\n:62F:C261125EUR20,00\n"
    )

    read = mt940_statements.parse_statement(f":940:\n{first}\x1a{second}\x1a".encode())

    assert [(line.booking_date, line.remittance) for line in read.lines] == [
        ("2026-11-24", "Eerste dag"),
        ("2026-11-25", "Tweede dag"),
    ]


def tags_indented(text: str) -> str:
    return re.sub(r"(?m)^(?=:\d\d[A-Z]?:)", "  ", text)


def file_indented(text: str) -> str:
    return re.sub(r"(?m)^", "    ", text)  # as quoted in a mail


def tags_in_lower_case(text: str) -> str:
    return re.sub(r"(?m)^:\d\d[A-Z]:", lambda tag: tag.group().lower(), text)


@pytest.mark.parametrize("written", [tags_indented, file_indented, tags_in_lower_case])
def test_tags_indented_or_in_lower_case_are_the_bank_file_s_lines(event, six, book, written):
    bank_file = sample("rabobank_mt940_structured.sta", six)
    copy = written(bank_file.decode()).encode()

    result = book(copy, "rabo-copy.sta")
    # The bank's own file of the same day, from another export: the same lines.
    again = book(bank_file.replace(b":20:940S261124", b":20:940S261124B"), "rabo.sta")

    assert (result.lines_new, result.lines_matched) == (5, 3)
    assert (again.lines_new, again.lines_known) == (0, 5)
    assert Payment.objects.filter(**BANK_PAYMENTS).count() == 3


def test_a_file_that_reads_as_it_is_is_not_aligned():
    # A description line that looks like a tag in lower case, in a file that reads: kept
    # as the bank wrote it, so that its fingerprint is what it was when first imported.
    day = ":20:940A261124\n:25:NL91ABNA0417164300\n:28:00000/00\n:60F:C261123EUR0,00\n"
    data = day + ":61:2611241124C10,00N541NONREF\n:86:Kenmerk\n:62f: op de factuur\n"
    data += ":62F:C261124EUR10,00\n"

    (line,) = mt940_statements.parse_statement(data.encode()).lines

    assert line.remittance == "Kenmerk :62f: op de factuur"


def test_a_damaged_file_leaves_no_statement_text_in_the_log(upload, caplog, english):
    data = ING.encode() + b":61:26112X1124C125,00NTRF\n:86:P. de Boer\n:62F:C261124EUR0,00\n"

    with pytest.raises(PaymentError):
        upload(data, "upload.sta")

    assert [record for record in caplog.records if record.name.startswith("mt940")] == []


@pytest.fixture
def upload(event, immediate_tasks, django_capture_on_commit_callbacks):
    def _upload(data: bytes, filename: str = "statement.sta"):
        with django_capture_on_commit_callbacks(execute=True):
            return services.import_statements(event, filename=filename, data=data)

    return _upload


SAMPLES = [
    "ing_mt940_structured.sta",
    "ing_mt940_return.sta",
    "abnamro_mt940.sta",
    "rabobank_mt940_structured.sta",
    "iban_first_mt940.sta",
    "asn_mt940.sta",
    "ing_mt942.sta",
    "triodos_mt940.sta",
    "abnamro_mt940_labels.sta",
    "knab_mt940.sta",
    "ing_insidebusiness_mt940.sta",
    "volksbank_mt940.sta",
    "sns_swift_mt940.940",
]


def _damage(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not data:
            break
        at = rng.randrange(len(data))
        what = rng.randrange(6)
        if what == 0:
            data[at] = rng.randrange(256)  # any byte
        elif what == 1:
            data[at] = rng.choice(b":/CDR,0123456789\n-{}")  # what MT940 is made of
        elif what == 2:
            del data[at : at + rng.randint(1, 40)]
        elif what == 3:
            data[at:at] = data[rng.randrange(len(data)) :][: rng.randint(1, 60)]
        elif what == 4:
            del data[at:]  # cut off
        else:
            data[at:at] = rng.choice([b"\n:61:", b"\n:86:", b"\n:62F:", b"\n:20:", b"\n:25:"])
    return bytes(data)


@pytest.mark.parametrize("name", SAMPLES)
def test_random_damage_gives_our_refusal_or_a_statement_never_another_error(name):
    account = ASN_ACCOUNT if name.startswith(("asn", "volksbank")) else ACCOUNT
    original = (DATA / name).read_text().replace("{{ACCOUNT}}", account)
    original = original.replace("{{", "").replace("}}", "").encode()
    rng = random.Random(name)

    for _ in range(600):
        damaged = _damage(original, rng)
        try:
            read = mt940_statements.parse_statement(damaged, account=account)
        except camt.CamtError as refused:
            assert refused.code in camt.REASONS
            continue
        for line in read.lines:
            assert line.amount == line.amount.quantize(Decimal("0.01"))
            assert len(line.booking_date) == 10
