"""What Dutch banks hand out as a statement is read as it comes: later versions, encodings,
several statements in one file, an envelope, ZIP archives; every other file is refused with a
message that says what it is, in the user's language, and nothing is stored."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation

from goedeburen.payments import bank_files, services
from goedeburen.payments.enums import ProviderName, TransactionState
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import BankStatement, BankTransaction, Payment
from goedeburen.payments.reference import creditor_reference
from goedeburen.registration.enums import RegistrationStatus

from .test_bank_import import ACCOUNT, DATA, by_transfer, statement

SAVINGS = "NL69INGB0123456789"
PREFIX = "This file is not a readable bank statement (CAMT.053 or MT940): "


@pytest.fixture
def upload(event, immediate_tasks, django_capture_on_commit_callbacks):
    """Import an upload as the back office does (a file or a ZIP archive)."""

    def _upload(data: bytes, filename: str = "statement.xml") -> services.StatementImport:
        with django_capture_on_commit_callbacks(execute=True):
            return services.import_statements(event, filename=filename, data=data)

    return _upload


@pytest.fixture
def three(register):
    return {n: by_transfer(register, n) for n in range(1, 4)}


def refusal(upload, data: bytes, filename: str = "upload.xml") -> str:
    with pytest.raises(PaymentError) as refused:
        upload(data, filename)
    assert refused.value.code == "camt_invalid"
    assert not BankStatement.objects.exists()
    assert not BankTransaction.objects.exists()
    return str(refused.value.message)


def knab(registrations: dict, version: str = "13") -> bytes:
    code = registrations[2].code
    data = statement(
        "knab_camt053_001_13.xml", registrations, CODE2_HEAD=code[:3], CODE2_TAIL=code[3:]
    )
    return data.replace(b"camt.053.001.13", f"camt.053.001.{version}".encode())


def archive(*members: tuple[str, bytes], encrypted: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as writing:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 30, 8, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            writing.writestr(info, content)
    data = bytearray(buffer.getvalue())
    if encrypted:
        # zipfile writes no encryption: set the flag of a member that says it is encrypted,
        # in its local header and in the central directory, as an encrypting program does.
        data[6] |= 0x1
        central = data.index(b"PK\x01\x02")
        data[central + 8] |= 0x1
    return bytes(data)


def day(n: int, registration, *, seq: int | None = None) -> bytes:
    return statement(
        "ing_day_camt053_001_02.xml",
        {},
        DAY=f"2026-12-0{n}",
        SEQ=str(seq or 300 + n),
        RFA=creditor_reference(registration.code),
        CODEB="ZZZZZZZZ",
        NAME_A="P. de Boer",
        NAME_B="Buurtcentrum De Kern",
    )


@pytest.mark.parametrize("version", ["09", "10", "11", "12", "13", "14"])
def test_later_versions_of_camt053_are_read(event, three, upload, version):
    result = upload(knab(three, version), f"knab-{version}.xml")

    (imported,) = result.statements
    assert (imported.lines_new, imported.lines_matched) == (4, 2)
    assert BankTransaction.objects.get(payments__registration=three[1]).debtor_name == (
        "Huurdersvereniging Oost"
    )


def test_version_13_without_booking_date_or_refs_with_a_cut_description(event, three, upload):
    result = upload(knab(three), "knab.xml")

    lines = list(BankTransaction.objects.filter(statement=result.statements[0]))
    assert [(line.state, line.registrations) for line in lines] == [
        (TransactionState.MATCHED, [three[1]]),  # RF reference; only a value date
        (TransactionState.MATCHED, [three[2]]),  # the code cut over two Ustrd pieces
        (TransactionState.UNMATCHED, []),  # a betalingskenmerk: not one of ours
        (TransactionState.SKIPPED, []),  # bank costs, booked as a date and time
    ]
    assert [str(line.booking_date) for line in lines] == ["2026-11-23"] * 4
    # A betalingskenmerk is text (here the text holds it already), not our reference.
    assert lines[2].reference == ""
    assert lines[2].remittance == ("Teruggaaf omzetbelasting betalingskenmerk 1234 5678 9012 3456")
    code = three[2].code
    assert lines[1].remittance == (
        f"Deelname conferentie Goede buren, aanmelding {code[:3]} {code[3:]} namens wijkteam"
    )
    for n in (1, 2):
        three[n].refresh_from_db()
        assert three[n].status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize(
    ("declared", "codec", "prefix", "euro"),
    [
        ("UTF-8", "utf-8", b"\xef\xbb\xbf\r\n", "€"),  # byte order mark, then a blank line
        ("UTF-8", "utf-8", b"  \n", "€"),  # whitespace before the declaration
        ("ISO-8859-1", "latin-1", b"", "EUR "),
        ("windows-1252", "cp1252", b"", "€"),
        ("UTF-8", "cp1252", b"", "€"),  # says UTF-8, written by a Windows program
        ("UTF-16", "utf-16", b"", "€"),
        ("ISO-8859-1", "utf-8", b"", "€"),  # says ISO-8859-1, written as UTF-8
        ("ISO-8859-1", "utf-8", b"\xef\xbb\xbf", "€"),  # the same, with a byte order mark
        ("UTF8", "utf-8", b"", "€"),  # a name of UTF-8 the XML parser does not know
        ("utf-16", "utf-8", b"", "€"),  # says UTF-16, written as UTF-8 (.NET's StringWriter)
        ("UTF-8", "utf-16", b"", "€"),  # saved as "Unicode" in an editor: UTF-16 with its mark
        ("UTF-16", "utf-16-le", b"", "€"),  # UTF-16 without a byte order mark
    ],
    ids=[
        "bom",
        "leading_space",
        "latin1",
        "cp1252",
        "utf8_declared_cp1252",
        "utf16",
        "latin1_declared_utf8",
        "latin1_declared_utf8_bom",
        "utf8_without_hyphen",
        "utf16_declared_utf8",
        "utf8_declared_utf16",
        "utf16_without_bom",
    ],
)
def test_encodings_byte_order_marks_and_line_ends(
    event, three, upload, declared, codec, prefix, euro
):
    text = (DATA / "asn_camt053_001_02.xml").read_text()
    text = text.replace("{{ENCODING}}", declared).replace("{{ACCOUNT}}", ACCOUNT)
    text = text.replace("{{CODE1}}", three[1].code).replace("{{EURO}}", euro)
    data = prefix + text.replace("\n", "\r\n").encode(codec)

    result = upload(data, "asn.xml")

    line = BankTransaction.objects.get(statement=result.statements[0])
    assert (line.state, line.registrations) == (TransactionState.MATCHED, [three[1]])
    assert line.debtor_name == "Café De Buurvrouw"
    assert line.remittance == f"Aanmelding {three[1].code} à {euro}125,00 voor Renée Müller"


def test_several_days_and_accounts_in_one_file_book_the_organisers_days(event, three, upload):
    data = statement("ing_accounts_camt053_001_02.xml", three, SAVINGS=SAVINGS)

    result = upload(data, "ing-all.xml")

    (imported,) = result.statements
    assert (imported.lines_new, imported.lines_matched) == (2, 2)
    assert (str(imported.period_start), str(imported.period_end)) == ("2026-11-24", "2026-11-25")
    assert result.other_accounts == [SAVINGS]
    assert set(BankTransaction.objects.values_list("account", flat=True)) == {ACCOUNT}
    three[3].refresh_from_db()  # named only on the savings account's statement
    assert three[3].status == RegistrationStatus.PENDING_PAYMENT


def test_a_file_of_only_another_account_is_still_refused(event, three, upload, english):
    data = statement("ing_accounts_camt053_001_02.xml", three, ACCOUNT=SAVINGS, SAVINGS=SAVINGS)

    with pytest.raises(PaymentError) as refused:
        upload(data)

    assert refused.value.code == "camt_account"
    assert not BankStatement.objects.exists()


def test_a_statement_inside_an_envelope_with_an_application_header(event, three, upload):
    result = upload(statement("cbpr_envelope_camt053_001_08.xml", three), "swift.xml")

    (imported,) = result.statements
    assert (imported.lines_new, imported.lines_matched) == (1, 1)
    assert imported.statement_id == "311"
    assert Payment.objects.get(registration=three[1]).payer_name == "Gemeente Houten"


def without_namespace(data: bytes) -> bytes:
    """Return a camt.053 sample as an export that writes no namespace declares it."""
    return re.sub(rb'\sxmlns(:\w+)?="[^"]*"', b"", data)


@pytest.mark.parametrize("document", [True, False], ids=["document", "message_only"])
def test_a_statement_without_a_namespace_is_read_by_its_structure(event, three, upload, document):
    data = without_namespace(statement("ing_camt053_001_02.xml", three))
    if not document:
        data = re.sub(rb"(?s)^.*?<Document>|</Document>\s*$", b"", data)

    result = upload(data, "export.xml")

    (imported,) = result.statements
    assert (imported.lines_new, imported.lines_matched) == (4, 2)
    assert imported.statement_id == "0000000123"


def test_lines_without_a_namespace_are_the_same_lines_as_with_one(event, three, upload):
    data = statement("ing_camt053_001_02.xml", three)
    upload(without_namespace(data), "export.xml")
    # The same day in a period statement (another id) from a channel that writes one.
    month = data.replace(b"<Id>0000000123</Id>", b"<Id>0000000130</Id>")

    result = upload(month, "statement.xml")

    (imported,) = result.statements
    assert (imported.lines_new, imported.lines_known) == (0, 4)
    assert Payment.objects.filter(provider=ProviderName.BANK_TRANSFER).count() == 2


def test_the_pages_of_a_statement_split_over_two_files_are_both_booked(event, three, upload):
    page = statement("cbpr_envelope_camt053_001_08.xml", three)
    first = page.replace(b"<LastPgInd>true</LastPgInd>", b"<LastPgInd>false</LastPgInd>")
    second = page.replace(b"<PgNb>1</PgNb>", b"<PgNb>2</PgNb>")
    second = second.replace(b"STMT-20261124-000311</MsgId>", b"STMT-20261124-000312</MsgId>")
    second = second.replace(b"1123000019999001", b"1123000019999002")
    second = second.replace(creditor_reference(three[1].code).encode(), three[2].code.encode())

    upload(first, "page-1.xml")
    result = upload(second, "page-2.xml")

    assert result.statements[0].lines_matched == 1
    assert Payment.objects.filter(provider=ProviderName.BANK_TRANSFER).count() == 2


def test_a_zip_archive_of_day_statements_books_each_day(event, register, upload):
    regs = {n: by_transfer(register, n) for n in range(1, 4)}
    data = archive(
        ("afschriften/", b""),
        ("afschriften/2026-12-01.xml", day(1, regs[1])),
        ("afschriften/2026-12-02.xml", day(2, regs[2])),
        ("__MACOSX/afschriften/._2026-12-02.xml", b"\x00\x05\x16\x07"),
        ("afschriften/.DS_Store", b"\x00\x00\x00\x01Bud1"),
    )

    result = upload(data, "december.zip")

    assert [s.filename for s in result.statements] == [
        "december.zip/2026-12-01.xml",
        "december.zip/2026-12-02.xml",
    ]
    assert [s.lines_matched for s in result.statements] == [1, 1]
    for n in (1, 2):
        regs[n].refresh_from_db()
        assert regs[n].status == RegistrationStatus.CONFIRMED


def test_a_zip_archive_with_days_imported_before_books_only_the_new_day(
    event, register, upload, english
):
    regs = {n: by_transfer(register, n) for n in range(1, 4)}
    upload(day(1, regs[1]), "2026-12-01.xml")

    result = upload(
        archive(("2026-12-01.xml", day(1, regs[1])), ("2026-12-03.xml", day(3, regs[3]))),
        "week.zip",
    )

    assert [s.filename for s in result.statements] == ["week.zip/2026-12-03.xml"]
    assert result.known_files == ["2026-12-01.xml"]
    assert Payment.objects.filter(provider=ProviderName.BANK_TRANSFER).count() == 2
    with pytest.raises(PaymentError) as refused:
        upload(archive(("2026-12-03.xml", day(3, regs[3]))), "again.zip")
    assert refused.value.code == "camt_duplicate"
    assert BankStatement.objects.count() == 2


def test_one_unreadable_file_in_a_zip_archive_books_nothing(event, register, upload, english):
    registration = by_transfer(register, 1)
    data = archive(
        ("2026-12-01.xml", day(1, registration)),
        ("2026-12-01.sta", statement("ing_mt942.sta", {})),
    )

    message = refusal(upload, data, "mixed.zip")

    assert message == (
        PREFIX + "the file “2026-12-01.sta” in the ZIP archive: it is an intraday report "
        "(MT942); its payments come again in the day's statement, so download the statement "
        "(MT940 or CAMT.053) instead"
    )
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            lambda: archive(*[(f"{n}.xml", b"<x/>") for n in range(bank_files.MAX_MEMBERS + 1)]),
            "the ZIP archive holds more than 1000 files",
        ),
        # A zip bomb: 51 MB of zeros packs into some 50 kB; the archive does not lie here,
        # but the unpacked bytes are counted as they come, whatever it declares.
        (
            lambda: archive(("bomb.xml", bytes(51 * 1024 * 1024))),
            "the ZIP archive unpacks to more than 10 MB",
        ),
        (
            lambda: archive(("a.xml", b"<x/>"), encrypted="a.xml"),
            "the ZIP archive is damaged, encrypted or of an unknown kind",
        ),
        (
            lambda: archive(("a.xml", b"<x/>"))[:40],
            "the ZIP archive is damaged, encrypted or of an unknown kind",
        ),
        (
            lambda: archive(("map/", b""), ("__MACOSX/._a.xml", b"x")),
            "the ZIP archive holds no files",
        ),
        (
            lambda: archive(("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<w/>")),
            "it is a spreadsheet or document (such as Excel); download the statement as "
            "CAMT.053 (XML) or MT940 instead",
        ),
        (
            lambda: archive(("inner.zip", archive(("a.xml", b"<x/>")))),
            "the file “inner.zip” in the ZIP archive: it is a ZIP archive inside the ZIP "
            "archive; unpack it first",
        ),
    ],
    ids=["too_many", "bomb", "encrypted", "truncated", "empty", "xlsx", "nested"],
)
def test_a_zip_archive_we_cannot_read_is_refused(upload, data, reason, english):
    assert refusal(upload, data(), "upload.zip") == PREFIX + reason


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "rabobank_camt052_001_02.xml",
            "it is an intraday account report (camt.052), in which entries may still "
            "change; download the statement (CAMT.053) of the day instead",
        ),
        (
            "abnamro_camt054_001_02.xml",
            "it is a notification of single payments (camt.054); the same payments are in "
            "the statement, so download the statement (CAMT.053) instead",
        ),
        (
            "ing_mt942.sta",
            "it is an intraday report (MT942); its payments come again in the day's "
            "statement, so download the statement (MT940 or CAMT.053) instead",
        ),
        (
            "ing_export.csv",
            "it is a CSV or text export with columns; download the statement as CAMT.053 "
            "(XML) or MT940 instead",
        ),
    ],
)
def test_another_format_of_the_bank_is_named(upload, name, reason, english):
    assert refusal(upload, (DATA / name).read_bytes(), name) == PREFIX + reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "it is a PDF; download the statement as CAMT.053 (XML) or MT940 instead",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
            "it is a spreadsheet or document (such as Excel); download the statement as "
            "CAMT.053 (XML) or MT940 instead",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.01"/>',
            "it is version 001.01 of CAMT.053; versions 001.02 to 001.14 are read",
        ),
        (
            b"<html><body>Inloggen</body></html>",
            "it is a web page (HTML), not the statement itself; download the statement as "
            "CAMT.053 (XML) or MT940 instead",
        ),
        (
            b"<!DOCTYPE html>\n<html><head><title>Mijn bank</title></head><body>",
            "it is a web page (HTML), not the statement itself; download the statement as "
            "CAMT.053 (XML) or MT940 instead",
        ),
        (
            b"\r\n%PDF-1.4\n",
            "it is a PDF; download the statement as CAMT.053 (XML) or MT940 instead",
        ),
        (
            b"\x89PNG\r\n\x1a\n" + bytes(40),
            "it is an image (a photo or screenshot); download the statement as CAMT.053 "
            "(XML) or MT940 instead",
        ),
        (
            b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(40),
            "it is an image (a photo or screenshot); download the statement as CAMT.053 "
            "(XML) or MT940 instead",
        ),
        (
            b"\x00\x00\x00\x18ftypheic" + bytes(40),
            "it is an image (a photo or screenshot); download the statement as CAMT.053 "
            "(XML) or MT940 instead",
        ),
        (
            b'{"transactions": [{"amount": "125.00"}]}',
            "it is a JSON file, not a bank statement; download the statement as CAMT.053 "
            "(XML) or MT940 instead",
        ),
        (
            b"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>\n<SIGNONMSGSRSV1>",
            "it is an OFX file (for Money or Quicken); download the statement as CAMT.053 "
            "(XML) or MT940 instead",
        ),
        (
            b'<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="211"?>\n<OFX></OFX>',
            "it is an OFX file (for Money or Quicken); download the statement as CAMT.053 "
            "(XML) or MT940 instead",
        ),
        (
            b"!Type:Bank\nD23/11/2026\nT125.00\nPP. de Boer\n^\n",
            "it is a QIF file (for Quicken); download the statement as CAMT.053 (XML) or "
            "MT940 instead",
        ),
        (
            b"Rekeningoverzicht november 2026\nBij: 125,00 van P. de Boer\n",
            "it is not a CAMT.053 file (XML) and not an MT940 file; download the statement "
            "from your bank as CAMT.053 or MT940",
        ),
        (
            bytes(range(256)),
            "it is not a CAMT.053 file (XML) and not an MT940 file; download the statement "
            "from your bank as CAMT.053 or MT940",
        ),
        (
            b'<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
            b'camt.053.001.02">\n<BkToCstmrStmt><GrpHdr><MsgId>1</Ms',
            "it is a CAMT.053 file, but it is damaged or cut off (line 3, column 32); "
            "download it again",
        ),
        (
            b'<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
            b'camt.054.001.02">\n<BkToCstmrDbtCdtNtfctn><GrpHdr>',
            "it is a notification of single payments (camt.054); the same payments are in "
            "the statement, so download the statement (CAMT.053) instead",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">'
            b"<BkToCstmrAcctRpt><Rpt>",
            "it is an intraday account report (camt.052), in which entries may still change; "
            "download the statement (CAMT.053) of the day instead",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">'
            b"<CstmrCdtTrfInitn><GrpHdr>",
            "it is an ISO 20022 message of type pain.001, not a bank statement (CAMT.053)",
        ),
        (
            b"<Document><BkToCstmrAcctRpt><GrpHdr><MsgId>1</MsgId></GrpHdr></BkToCstmrAcctRpt>"
            b"</Document>",
            "it is an intraday account report (camt.052), in which entries may still change; "
            "download the statement (CAMT.053) of the day instead",
        ),
        (
            b"<Document><CstmrCdtTrfInitn><GrpHdr/></CstmrCdtTrfInitn></Document>",
            "it is an XML file, but not an ISO 20022 bank statement",
        ),
        (b" \r\n ", "the file is empty"),
        (b"<a>\n<b></a>", "not well-formed XML (line 2, column 6)"),
    ],
    ids=[
        "pdf",
        "xls",
        "version_01",
        "html",
        "html_doctype",
        "pdf_after_blank_lines",
        "png",
        "jpeg",
        "heic",
        "json",
        "ofx_sgml",
        "ofx_xml",
        "qif",
        "text",
        "binary",
        "camt053_cut_off",
        "camt054_cut_off",
        "camt052_cut_off",
        "pain001_cut_off",
        "camt052_without_namespace",
        "other_without_namespace",
        "blank",
        "broken",
    ],
)
def test_other_files_are_named(upload, data, reason, english):
    assert refusal(upload, data) == PREFIX + reason


@pytest.mark.parametrize("day", ["2026-02-30", "JJJJ-MM-TT"], ids=["30_february", "template"])
def test_an_entry_on_a_day_that_does_not_exist_is_refused_not_a_crash(
    event, three, upload, english, day
):
    data = statement("ing_camt053_001_02.xml", three).replace(
        b"2026-11-23</Dt></BookgDt>", f"{day}</Dt></BookgDt>".encode(), 1
    )

    assert refusal(upload, data) == PREFIX + f"the date “{day}” of an entry does not exist"


def test_the_refusal_is_in_dutch_for_a_dutch_user(upload):
    with translation.override("nl"):
        message = refusal(upload, statement("ing_mt942.sta", {}), "ing.sta")

    assert message == (
        "Dit bestand is geen leesbaar bankafschrift (CAMT.053 of MT940): het is een "
        "tussentijds rapport (MT942); de betalingen daarin komen terug in het dagafschrift, "
        "dus download in plaats daarvan het afschrift (MT940 of CAMT.053)"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b":20:X\n:25:NL91ABNA0417164300\n:61:2611241124C125,00NTRF\n:62F:C261124EUR0,00\n",
            "het lijkt op een MT940-bestand, maar afschrift 1 van 1 daarin heeft geen "
            "beginsaldo (:60F:); download het hele afschrift opnieuw",
        ),
        (
            b"Rekeningoverzicht november 2026\n",
            "het is geen CAMT.053-bestand (XML) en geen MT940-bestand; download het afschrift "
            "bij uw bank als CAMT.053 of MT940",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>',
            "het is een CAMT.053-bestand, maar het is beschadigd of afgebroken (regel 1, "
            "kolom 81); download het opnieuw",
        ),
        (
            b"\x89PNG\r\n\x1a\n" + bytes(40),
            "het is een afbeelding (een foto of schermafbeelding); download het afschrift in "
            "plaats daarvan als CAMT.053 (XML) of MT940",
        ),
    ],
    ids=["mt940_no_opening", "unknown", "camt053_cut_off", "image"],
)
def test_what_the_file_looks_like_is_said_in_dutch_for_a_dutch_user(upload, data, reason):
    with translation.override("nl"):
        message = refusal(upload, data, "afschrift.txt")

    assert message == "Dit bestand is geen leesbaar bankafschrift (CAMT.053 of MT940): " + reason


def test_a_refusal_inside_an_archive_is_in_dutch_for_a_dutch_user(upload):
    data = archive(("2026-12-01.xml", b"<Document><x></Document>"))

    with translation.override("nl"):
        message = refusal(upload, data, "dec.zip")

    assert message == (
        "Dit bestand is geen leesbaar bankafschrift (CAMT.053 of MT940): het bestand "
        "“2026-12-01.xml” in het ZIP-bestand: geen geldige XML (regel 1, kolom 16)"
    )


def test_amounts_of_a_later_version_keep_their_currency(event, three, upload):
    data = knab(three).replace(b'<Amt Ccy="EUR">60.00</Amt>', b'<Amt Ccy="USD">60.00</Amt>')

    result = upload(data)

    line = BankTransaction.objects.get(statement=result.statements[0], amount=Decimal("60.00"))
    assert (line.state, line.skip_reason, line.currency) == ("skipped", "currency", "USD")
    assert line.amount == Decimal("60.00")
