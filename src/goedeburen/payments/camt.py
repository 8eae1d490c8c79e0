"""Read a CAMT.053 bank statement (ISO 20022, versions 001.02 to 001.14) into plain lines.

Pure Python, no Django. The file is parsed with defusedxml, which refuses a DTD (and with it
entity tricks such as XXE and "billion laughs").

What a bank hands out is read as it comes: a byte order mark, whitespace before the XML
declaration, any encoding the declaration names (UTF-8, ISO-8859-1, windows-1252, UTF-16),
a file that says nothing and is not UTF-8 (read as windows-1252), UTF-8 that says it is
ISO-8859-1 (its byte order mark or its characters show it), UTF-16 with or without a byte
order mark whatever its declaration says, UTF-8 that says "UTF8" or UTF-16, several statements
(accounts or days) in one document, and a document inside an envelope with a business
application header (`AppHdr`, as SWIFT and CBPR+ deliver it), and a document without a
namespace (an export that leaves it out: a statement by its structure, `Document/BkToCstmrStmt`
or the message alone; camt.052 and camt.054 so are refused as such). What we read of an entry is
the same in every version from .02 to .14; the versions differ in elements we do not read
(postal addresses, UETR, the choice `Sts/Cd` of .08 and later is read as well as the plain
text of earlier versions).

Anything else is refused with a `CamtError` that names the format when it is a known one:
camt.052 (an intraday report: entries may still change) and camt.054 (notifications of
single payments: the same payments come again in the day's statement, not always with the
same details, so reading both could book one payment twice), CSV or other spreadsheet
exports, PDF, OFX, QIF, JSON, web pages, images, other ISO 20022 messages, and XML cut off
(said to be a camt.053 file that is damaged when its namespace shows it). What is neither
XML nor a known format is `unknown`, never "not well-formed XML". The statement is the
bank's record of what was booked; it is the one file we book from. (MT940 is read by
`mt940_statements` into the same `Statement`; `bank_files.read_statement` sends each file
to its reader.)

Every entry becomes at least one line, and a batched entry (`NtryDtls` with several
`TxDtls`, such as ABN AMRO's acceptgiro batches) one line per transaction, each with its
own amount in the account's currency; a batch whose transactions do not state theirs, or
whose amounts do not add up to the entry's, stays one line of its total. An entry of one
transaction is worth what was booked (the entry's amount), whatever currency the payer
sent. Nothing here decides what a line is worth: each
line says what it is (`kind`: a credit, a debit, the return or reversal of an earlier
credit, or the return or reversal of a debit) and, when the import cannot book it, why
(`skip`: zero, foreign currency, more than two decimals, pending).

A line carries a `fingerprint`, a hash of all its own facts (account, dates, direction,
amount, the bank's references, counterparty, descriptions), and an `occurrence`: the
how-manieth line with that fingerprint in the file. Two identical transfers on one day are
two lines (occurrences 1 and 2); the same line in an overlapping statement has the same
fingerprint and occurrence. A bank reference alone never identifies a line: banks repeat
it within a batch, reuse it for a return, restart it every day, or give none at all.
"""

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError  # noqa: S405 (no parsing: that is defusedxml)

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from stdnum import iban as iban_number
from stdnum import iso11649

_ISO = "urn:iso:std:iso:20022:tech:xsd:"
_MESSAGE = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:([a-z]{4})\.(\d{3})\.\d{3}\.(\d{2})\}")
VERSIONS = range(2, 15)  # camt.053.001.02 to .14
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# An ISO date (xs:date) may carry a time zone: "2026-11-23+01:00", "2026-11-23Z".
_ZONED_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})")
# A reference as banks pass it on: compact, upper case, plain ASCII (most of a statement).
_RF_COMPACT = re.compile(r"RF[0-9]{2}[0-9A-Z]{1,21}")
# ISO 7064 mod 97-10 reads letters as numbers: A = 10 … Z = 35.
_AS_DIGITS = str.maketrans({chr(ord("A") + n): str(10 + n) for n in range(26)})
# A statement of a bank's day is a few kB, a year of a busy account a few MB. The import
# runs in the request: a 50 MB file (73,000 entries) took 43 s, past the web server's
# 30 s timeout, so the browser got a gateway error instead of this file's message.
MAX_BYTES = 10 * 1024 * 1024

CREDIT, DEBIT = "CRDT", "DBIT"
# What a line is (`StatementLine.kind`).
KIND_CREDIT = "credit"  # money in: a payment, perhaps
KIND_DEBIT = "debit"  # money out: the organiser's own spending
KIND_RETURN = "return"  # money out that sends an earlier credit back (return or reversal)
KIND_DEBIT_REVERSAL = "debit_reversal"  # money in that undoes or sends back a debit
# Why the import cannot book a line (`StatementLine.skip`); "" when it can.
SKIP_ZERO = "zero"
SKIP_CURRENCY = "currency"
SKIP_DECIMALS = "decimals"
SKIP_PENDING = "pending"
SKIP_TOO_LARGE = "too_large"
# No registration costs this much: a line of it (a municipality's or corporation's account
# has them) is stored and listed, never booked (a payment's amount holds less).
BOOKABLE_BELOW = Decimal("1e8")
# More than any bank states (ISO 20022 amounts have at most 18 digits): the file is refused.
AMOUNT_BELOW = Decimal("1e18")
# ISO 20022 bank transaction sub-family codes of returns and reversals (of a transfer, or
# of a collected direct debit: UPDD unpaid, PRDD reversed).
_RETURN_CODES = {"RRTN", "RPCR", "ARET", "RVSL", "UPDD", "PRDD"}


def gettext_noop(message: str) -> str:
    """Return `message`: marks it for the translation catalogues without importing Django."""
    return message


# Why a file cannot be read, by `CamtError.code`: lower-case sentence parts that follow
# "This file is not a readable bank statement (CAMT.053 or MT940):". The importer
# translates them.
REASONS = {
    "too_large": gettext_noop("the file is larger than 10 MB"),
    "dtd": gettext_noop("the file declares a DTD or entities, as bank files never do"),
    "not_xml": gettext_noop("not well-formed XML (line %(line)s, column %(column)s)"),
    "empty": gettext_noop("the file is empty"),
    "version": gettext_noop(
        "it is version %(version)s of CAMT.053; versions 001.02 to 001.14 are read"
    ),
    "camt052": gettext_noop(
        "it is an intraday account report (camt.052), in which entries may still change; "
        "download the statement (CAMT.053) of the day instead"
    ),
    "camt054": gettext_noop(
        "it is a notification of single payments (camt.054); the same payments are in "
        "the statement, so download the statement (CAMT.053) instead"
    ),
    "iso_other": gettext_noop(
        "it is an ISO 20022 message of type %(message)s, not a bank statement (CAMT.053)"
    ),
    "xml_other": gettext_noop("it is an XML file, but not an ISO 20022 bank statement"),
    "csv": gettext_noop(
        "it is a CSV or text export with columns; download the statement as CAMT.053 (XML) "
        "or MT940 instead"
    ),
    "pdf": gettext_noop("it is a PDF; download the statement as CAMT.053 (XML) or MT940 instead"),
    "office": gettext_noop(
        "it is a spreadsheet or document (such as Excel); download the statement as "
        "CAMT.053 (XML) or MT940 instead"
    ),
    "zip": gettext_noop("it is a ZIP archive inside the ZIP archive; unpack it first"),
    "json": gettext_noop(
        "it is a JSON file, not a bank statement; download the statement as CAMT.053 (XML) "
        "or MT940 instead"
    ),
    "ofx": gettext_noop(
        "it is an OFX file (for Money or Quicken); download the statement as CAMT.053 (XML) "
        "or MT940 instead"
    ),
    "qif": gettext_noop(
        "it is a QIF file (for Quicken); download the statement as CAMT.053 (XML) or MT940 instead"
    ),
    "html": gettext_noop(
        "it is a web page (HTML), not the statement itself; download the statement as "
        "CAMT.053 (XML) or MT940 instead"
    ),
    "image": gettext_noop(
        "it is an image (a photo or screenshot); download the statement as CAMT.053 (XML) "
        "or MT940 instead"
    ),
    "unknown": gettext_noop(
        "it is not a CAMT.053 file (XML) and not an MT940 file; download the statement from "
        "your bank as CAMT.053 or MT940"
    ),
    "camt053_damaged": gettext_noop(
        "it is a CAMT.053 file, but it is damaged or cut off (line %(line)s, column "
        "%(column)s); download it again"
    ),
    "no_statement": gettext_noop("the document holds no statement"),
    "no_account": gettext_noop("a statement names no account"),
    "no_indicator": gettext_noop("an entry has no credit/debit indicator"),
    "no_date": gettext_noop("an entry has no booking date"),
    "bad_date": gettext_noop("the date “%(date)s” of an entry does not exist"),
    "no_amount": gettext_noop("an entry has no amount"),
    "amount_not_number": gettext_noop("the amount “%(amount)s” is not a number"),
    "amount_invalid": gettext_noop("the amount “%(amount)s” is not an amount"),
    "too_deep": gettext_noop("the XML is nested deeper than any bank statement"),
    # ZIP archives (`bank_files.statement_files`)
    "zip_broken": gettext_noop("the ZIP archive is damaged, encrypted or of an unknown kind"),
    "zip_empty": gettext_noop("the ZIP archive holds no files"),
    "zip_members": gettext_noop("the ZIP archive holds more than %(limit)s files"),
    "zip_size": gettext_noop("the ZIP archive unpacks to more than 10 MB"),
    # MT940 (`mt940_statements`)
    "mt942": gettext_noop(
        "it is an intraday report (MT942); its payments come again in the day's statement, "
        "so download the statement (MT940 or CAMT.053) instead"
    ),
    "mt940_no_statement": gettext_noop(
        "it looks like a piece of an MT940 file: the start of a statement (:20:) is missing; "
        "download the whole statement again"
    ),
    "mt940_no_opening": gettext_noop(
        "it looks like an MT940 file, but statement %(number)s of %(count)s in it has no "
        "opening balance (:60F:); download the whole statement again"
    ),
    "mt940_no_balances": gettext_noop(
        "it looks like an MT940 file, but statement %(number)s of %(count)s in it has no "
        "opening balance (:60F:) and no closing balance (:62F:); download the whole "
        "statement again"
    ),
    "mt940_no_closing": gettext_noop(
        "it looks like an MT940 file, but statement %(number)s of %(count)s in it has no "
        "closing balance (:62F:); the file may have been cut off, so download it again"
    ),
    "mt940_field": gettext_noop("the MT940 field :%(field)s: “%(value)s” cannot be read"),
    "mt940_unreadable": gettext_noop(
        "the MT940 file is damaged: a field is incomplete or holds a date that does not exist"
    ),
    "mt940_encoding": gettext_noop(
        "the MT940 file is not text in a character set banks use (ASCII, ISO-8859-1, UTF-8)"
    ),
}


class CamtError(ValueError):
    """The data is not a CAMT.053 statement we can read.

    `code` says why (a key of `REASONS`) and `params` fill in its message; `member` names
    the file inside a ZIP archive it is about ("" for a plain file). `reason` is the message
    in English, for logs; the importer shows it translated.
    """

    def __init__(self, code: str, *, member: str = "", **params):
        self.code = code
        self.params = params
        self.member = member
        self.reason = REASONS[code] % params if params else REASONS[code]
        super().__init__(self.reason)


@dataclass(frozen=True, kw_only=True)
class StatementLine:
    fingerprint: str
    occurrence: int
    kind: str
    skip: str
    amount: Decimal  # positive, as the bank states it (rounded to cents for display)
    amount_text: str  # the amount exactly as written in the file
    currency: str
    booking_date: str  # ISO date
    account: str  # the statement's own IBAN
    bank_reference: str  # the bank's entry or transaction reference; not unique
    end_to_end_id: str
    counterparty_name: str
    counterparty_iban: str
    reference: str  # structured creditor reference: an RF reference with valid check digits
    # The free text: Ustrd and the structured blocks' AddtlRmtInf, else AddtlTxInf, else
    # AddtlNtryInf; then any structured reference that is not an RF reference (a Dutch
    # "betalingskenmerk" of 16 digits), which names nothing of ours.
    remittance: str
    return_reason: str = ""
    # The counterparty's account when it is not an IBAN (`Othr/Id`: a bank outside SEPA).
    counterparty_account: str = ""
    # The free text's parts (`Ustrd` elements) run together: a bank that cuts a long
    # description into pieces may cut a registration code in two.
    remittance_joined: str = ""


# The file formats a `Statement` is read from (`payments.enums.StatementFormat`).
FORMAT_CAMT053 = "camt053"
FORMAT_MT940 = "mt940"


@dataclass(frozen=True, kw_only=True)
class Statement:
    version: str
    message_id: str
    iban: str
    accounts: list[str]
    identity: str  # accounts, statement ids, sequence numbers, creation times, periods, pages
    statement_id: str
    sequence: str
    created: str
    period_start: str
    period_end: str
    lines: list[StatementLine] = field(default_factory=list)
    # Accounts of statements in the file that were left out (see `parse_statement`).
    other_accounts: list[str] = field(default_factory=list)
    file_format: str = FORMAT_CAMT053

    @property
    def debit_lines(self) -> int:
        return sum(1 for line in self.lines if line.kind == KIND_DEBIT)


def normalise_iban(value: str) -> str:
    """Return `value` without spaces, in capitals, as IBANs are compared."""
    return re.sub(r"\s+", "", value or "").upper()


def parse_statement(data: bytes, *, account: str = "") -> Statement:
    """Return the lines of a CAMT.053 file, or raise `CamtError` for a file we cannot read.

    With `account`, only the statements of that account are read when the file holds any:
    the others' accounts are listed in `other_accounts` (a bank's export of all of a
    customer's accounts in one file).
    """
    if len(data) > MAX_BYTES:
        raise CamtError("too_large")
    documents = _documents(_parse_xml(data))
    ns = {"c": _namespace(documents[0].tag)}
    # Without a namespace the version is not stated (what is read is the same in all).
    version = "camt.053.001." + ns["c"].rsplit(".", 1)[1] if ns["c"] else "camt.053"
    statements = [
        statement
        for document in documents
        for statement in document.findall("c:BkToCstmrStmt/c:Stmt", ns)
    ]
    if not statements:
        raise CamtError("no_statement")
    message_id = _text(documents[0], "c:BkToCstmrStmt/c:GrpHdr/c:MsgId", ns)
    page = _text(documents[0], "c:BkToCstmrStmt/c:GrpHdr/c:MsgPgntn/c:PgNb", ns)
    read = []
    for statement in statements:
        own = normalise_iban(_text(statement, "c:Acct/c:Id/c:IBAN", ns))
        own = own or normalise_iban(_text(statement, "c:Acct/c:Id/c:Othr/c:Id", ns))
        if not own:
            raise CamtError("no_account")
        read.append((own, statement))
    wanted = normalise_iban(account)
    other_accounts = []
    if wanted and any(own == wanted for own, _ in read):
        other_accounts = list(dict.fromkeys(own for own, _ in read if own != wanted))
        read = [(own, statement) for own, statement in read if own == wanted]
    facts: list[tuple[str, dict]] = []
    identities, accounts = [], []
    for own, statement in read:
        if own not in accounts:
            accounts.append(own)
        statement_id = _text(statement, "c:Id", ns)
        sequence = _text(statement, "c:ElctrncSeqNb", ns) or _text(statement, "c:LglSeqNb", ns)
        created = _text(statement, "c:CreDtTm", ns)
        days = []
        for entry in statement.findall("c:Ntry", ns):
            try:
                entry_lines = _entry_lines(entry, ns, account=own)
            except RecursionError as deep:  # thousands of nested elements: not a bank's
                raise CamtError("too_deep") from deep
            for line in entry_lines:
                days.append(line["booking_date"])
                facts.append((line_fingerprint(line), line))
        if statement_id:
            # The period too: a bank that gives every export the same id, and no sequence
            # number or creation time (optional from .08), would have the next day's
            # statement taken for this one and none of its payments booked.
            period = "/".join(
                [
                    _text(statement, "c:FrToDt/c:FrDtTm", ns),
                    _text(statement, "c:FrToDt/c:ToDtTm", ns),
                ]
            )
            if period == "/" and days:
                period = f"{min(days)}/{max(days)}"
            parts = [own, statement_id, sequence, created, period]
            # A statement the bank split over several pages (or files): each page its own.
            pages = [page, _text(statement, "c:StmtPgntn/c:PgNb", ns)]
            if any(pages):
                parts.append("page " + "/".join(pages))
            identities.append("|".join(parts))
    first = read[0][1]
    seen: Counter = Counter()
    lines = []
    for fingerprint, line in facts:
        seen[fingerprint] += 1
        lines.append(StatementLine(fingerprint=fingerprint, occurrence=seen[fingerprint], **line))
    starts = [_text(statement, "c:FrToDt/c:FrDtTm", ns)[:10] for _, statement in read]
    ends = [_text(statement, "c:FrToDt/c:ToDtTm", ns)[:10] for _, statement in read]
    return Statement(
        version=version,
        message_id=message_id,
        iban=accounts[0],
        accounts=accounts,
        # Without a statement id (rare) only the file's hash recognises it again.
        identity=hashlib.sha256("\n".join(sorted(identities)).encode()).hexdigest()
        if identities
        else "",
        statement_id=_text(first, "c:Id", ns),
        sequence=_text(first, "c:ElctrncSeqNb", ns) or _text(first, "c:LglSeqNb", ns),
        created=_text(first, "c:CreDtTm", ns),
        # Several statements (days) in one file: the period they cover together.
        period_start=min((start for start in starts if _is_date(start)), default=""),
        period_end=max((end for end in ends if _is_date(end)), default=""),
        lines=lines,
        other_accounts=other_accounts,
    )


_DECLARATION = re.compile(rb"^<\?xml[^>]*\?>")
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_SINGLE_BYTE = re.compile(
    rb"(?i)iso[-_]?8859[-_]?\d+|latin[-_]?1|(windows|cp)[-_]?125\d|(us-)?ascii"
)
_UNICODE = re.compile(rb"(?i)utf[-_]?(8|16)([-_]?[lb]e)?")


def utf16_codec(data: bytes) -> str:
    """Return the codec of `data` when it is UTF-16 (by its byte order mark, or ASCII's
    zero bytes where a file without one has them), else ""."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if data[1:2] == b"\x00" and data[:1] != b"\x00":
        return "utf-16-le"
    if data[:1] == b"\x00" and data[1:2] not in (b"", b"\x00"):
        return "utf-16-be"
    return ""


def _parse_xml(data: bytes) -> Element:
    """Return the root element of `data`, as banks write it, or raise `CamtError`."""
    original = data
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]  # the UTF-8 byte order mark; the parser would take it, not before space
    utf16 = utf16_codec(data)
    if utf16:
        # Read here, whatever the declaration says: an editor that saves a file as
        # "Unicode" keeps its declaration of UTF-8, and the parser reads no UTF-16
        # without a byte order mark. What follows reads the text as UTF-8.
        try:
            data = data.decode(utf16).removeprefix("\ufeff").encode("utf-8")
        except UnicodeDecodeError as broken:
            raise _not_xml(original, line=1, column=1) from broken
    # Whitespace before the declaration is not XML, and some exports start with it.
    data = data.lstrip(b" \t\r\n")
    if not data:
        raise CamtError("empty")
    declaration = _DECLARATION.match(data)
    declared = _DECLARED_ENCODING.search(declaration.group()) if declaration else None
    if utf16 or declared is None or _UNICODE.fullmatch(declared.group(1)):
        # The declaration (if any) is left out: the text is UTF-8 or read as such here,
        # also when it says "UTF8" (a name the parser does not know) or UTF-16 on a file of
        # single bytes (as .NET's StringWriter writes it).
        data = data[declaration.end() :] if declaration else data
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            # Says (or implies) UTF-8 but is not: the Windows code page, which a bank's
            # older export or a spreadsheet program writes. Amounts and IBANs are ASCII.
            data = data.decode("cp1252", "replace").encode("utf-8")
    elif bom or (_SINGLE_BYTE.fullmatch(declared.group(1)) and not data.isascii()):
        # Says ISO-8859-1 (or so) but is UTF-8, as its byte order mark or its characters
        # show (in ISO-8859-1, "é" written as UTF-8 reads "Ã©"): read as UTF-8, or every
        # name with an accent is garbled.
        try:
            data[declaration.end() :].decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            data = data[declaration.end() :]
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as refused:
        raise CamtError(_format_of(original) or "dtd") from refused  # <!DOCTYPE html>
    except ParseError as broken:
        line, column = broken.position  # the column counted from 0
        raise _not_xml(original, line=line, column=column + 1) from broken
    except (ValueError, LookupError) as broken:  # an encoding Python does not know
        raise _not_xml(original, line=1, column=1) from broken


def _not_xml(data: bytes, *, line: int, column: int) -> CamtError:
    """Return the refusal of `data`, which is not well-formed XML, by what it looks like:
    a known format, an ISO 20022 message cut off or damaged, other XML, or none of these."""
    code = _format_of(data)
    if code:
        return CamtError(code)
    head = _head_text(data)
    if not head.startswith("<"):
        return CamtError("unknown")
    message = _NAMESPACE.search(head)
    kind = f"{message.group(1)}.{message.group(2)}" if message else ""
    if kind in ("camt.052", "camt.054"):
        return CamtError(kind.replace(".", ""))  # which it is says enough
    if kind == "camt.053":
        return CamtError("camt053_damaged", line=line, column=column)
    if kind:
        return CamtError("iso_other", message=kind)
    return CamtError("not_xml", line=line, column=column)


_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:([a-z]{4})\.(\d{3})\.")
_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")


def _head_text(data: bytes) -> str:
    """Return the start of `data` as text, without a byte order mark or leading space."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "ignore")
    elif head[1:2] == b"\x00" or head[:1] == b"\x00":
        text = head.replace(b"\x00", b"").decode("latin-1")  # UTF-16 without a mark
    else:
        text = head.decode("latin-1")
    return text.lstrip("\ufeff\xef\xbb\xbf \t\r\n")


def _format_of(data: bytes) -> str:
    """Return the `REASONS` code of a known format that is not a statement, or "": by its
    content, never its name."""
    head = data[:4096]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # the old Office file format (.xls, .doc)
        return "office"
    if head.startswith(_IMAGES) or head[4:8] == b"ftyp" or head[8:12] == b"WEBP":
        return "image"  # PNG, JPEG, GIF, TIFF, BMP; HEIC (a phone's photo); WebP
    text = _head_text(data)
    start = text[:100].lower()
    if start.startswith(("<!doctype html", "<html")):
        return "html"
    if start.startswith("ofxheader") or "<ofx>" in text[:1000].lower():
        return "ofx"
    if start.startswith(("!type:", "!account", "!option:")):
        return "qif"
    if start.startswith(("{", "[")) and start.lstrip("{[ \t\r\n")[:1] in ('"', "{", "[", "]", "}"):
        return "json"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and not lines[0].startswith("<"):
        for separator in (";", ",", "\t", "|"):
            columns = lines[0].count(separator)
            # A header of several columns, or a first two lines with the same columns.
            if columns >= 2 or (
                columns and len(lines) > 1 and lines[1].count(separator) == columns
            ):
                return "csv"
    return ""


# A document without a namespace (an export that leaves it out) by its message's element.
_UNNAMED_MESSAGES = {
    "BkToCstmrStmt": "camt.053",
    "BkToCstmrAcctRpt": "camt.052",
    "BkToCstmrDbtCdtNtfctn": "camt.054",
}


def _documents(root: Element) -> list[Element]:
    """Return the camt.053 documents in `root` (itself, or inside an envelope)."""
    if root.tag in _UNNAMED_MESSAGES:
        # The message without its `Document` (and without a namespace): read as if inside one.
        document = Element("Document")
        document.append(root)
        root = document
    if _local(root.tag) == "Document":
        documents = [root]
    else:
        # An envelope (`AppHdr` and `Document` under a root of the sender's choosing).
        documents = [element for element in root.iter() if _local(element.tag) == "Document"]
        if not documents:
            root_name = _local(root.tag).lower()
            raise CamtError(root_name if root_name in ("html", "ofx") else "xml_other")
    unnamed = [_unnamed_message(document) for document in documents]
    if "camt.053" in unnamed:
        # Without a namespace, but a statement by its structure (`Document/BkToCstmrStmt`).
        return [d for d, kind in zip(documents, unnamed, strict=True) if kind == "camt.053"]
    if any(unnamed):
        raise CamtError(next(kind for kind in unnamed if kind).replace(".", ""))
    found = [(document, _MESSAGE.match(document.tag)) for document in documents]
    statements = [
        document for document, match in found if match and match.group(1, 2) == ("camt", "053")
    ]
    if statements:
        supported = [d for d in statements if int(d.tag.rsplit(".", 1)[1][:2]) in VERSIONS]
        if len(supported) == len(statements):
            return statements
        version = statements[0].tag[1:].split("}")[0].removeprefix(_ISO).removeprefix("camt.053.")
        raise CamtError("version", version=version)
    for _document, match in found:
        if match is None:
            continue
        kind = f"{match.group(1)}.{match.group(2)}"
        if kind in ("camt.052", "camt.054"):
            raise CamtError(kind.replace(".", ""))
        raise CamtError("iso_other", message=kind)
    raise CamtError("xml_other")


def _is_date(text: str) -> bool:
    """Return whether `text` is an ISO date (YYYY-MM-DD) that exists."""
    if not _DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag: str) -> str:
    return tag[1:].split("}")[0] if tag.startswith("{") else ""


def _unnamed_message(document: Element) -> str:
    """Return the kind ("camt.053" …) of a `Document` without a namespace by its message
    element, or "" (also for a document with a namespace, which says what it is)."""
    if document.tag != "Document":
        return ""
    return next((kind for child in document if (kind := _UNNAMED_MESSAGES.get(child.tag))), "")


def line_fingerprint(line: dict) -> str:
    """Return the hash of a line's facts (the keys of `StatementLine` and `_extra`, which is
    removed: the facts of its format that the line does not keep).

    `_as_before` (removed too) holds facts as they were read before the reader learnt more
    of them (the structured blocks' texts, a reference in the second block, an ultimate
    debtor's name, an IBAN given as another identification): the hash of a
    line stays what it was, so that the same line in an overlapping statement imported
    after an upgrade is still recognised and never booked twice.
    """
    line_facts = {**line, **line.pop("_as_before", {})}
    keys = [
        "account",
        "booking_date",
        "kind",
        "amount_text",
        "currency",
        "bank_reference",
        "end_to_end_id",
        "counterparty_name",
        "counterparty_iban",
        "reference",
        "remittance",
        "return_reason",
    ]
    values = [str(line_facts[key]) for key in keys]
    if line["skip"] != SKIP_DECIMALS:
        # The amount in cents, however written ("125", "125.0"): another export of the same
        # line that writes it otherwise is the same line. ("125.00" stays as it was.)
        values[keys.index("amount_text")] = str(line["amount"])
    facts = "\x1f".join([*values, line.pop("_extra")])
    return hashlib.sha256(facts.encode()).hexdigest()


def _entry_lines(entry: Element, ns: dict, *, account: str) -> list[dict]:
    node = _Node(entry, ns["c"], stop="c:NtryDtls")
    indicator = node.text("c:CdtDbtInd")
    if indicator not in (CREDIT, DEBIT):
        raise CamtError("no_indicator")
    booking_date = (
        node.text("c:BookgDt/c:Dt")
        or node.text("c:BookgDt/c:DtTm")[:10]
        or node.text("c:ValDt/c:Dt")
        or node.text("c:ValDt/c:DtTm")[:10]
    )
    zoned = _ZONED_DATE.fullmatch(booking_date)
    if zoned:
        booking_date = zoned.group(1)  # the bank's own day, as the statement states it
    if not booking_date:
        raise CamtError("no_date")
    # Such as "JJJJ-MM-TT" (a documentation's example) or 2026-02-30 (the database's refusal).
    if not _is_date(booking_date):
        raise CamtError("bad_date", date=booking_date[:40])
    # .08 and later: a choice (`<Sts><Cd>BOOK</Cd></Sts>`); before: the code as text.
    status = node.text("c:Sts/c:Cd") or node.text("c:Sts")
    reversal = node.text("c:RvslInd").lower() in ("true", "1")
    family = node.text("c:BkTxCd/c:Domn/c:Fmly/c:SubFmlyCd")
    entry_ref = node.text("c:AcctSvcrRef") or node.text("c:NtryRef")
    entry_info = node.text("c:AddtlNtryInf")
    entry_amount = node.find("c:Amt")
    details = entry.findall("c:NtryDtls/c:TxDtls", ns)
    common = {
        "account": account,
        "booking_date": booking_date,
        "status": status,
        "indicator": indicator,
        "reversal": reversal,
        "family": family,
        "entry_info": entry_info,
        "entry_info_before": entry_info,
    }
    if not details:
        return [_line(node, ns, amount=entry_amount, ref=entry_ref, **common)]
    tx_nodes = [_Node(tx, ns["c"]) for tx in details]
    if len(tx_nodes) == 1:
        # What the account was credited or debited: a transaction's own amount may be
        # what the payer sent, in another currency.
        amounts = [entry_amount]
    else:
        currency = _currency(entry_amount)
        amounts = [_own_amount(tx_node, currency) for tx_node in tx_nodes]
        if None in amounts or not _adds_up(entry_amount, amounts, tx_nodes, indicator):
            # A batch whose transactions do not each state their amount in the account's
            # currency: giving each the batch's total would book it several times over.
            # Or whose amounts do not add up to what was booked: each booked as stated would
            # book money that never came in. One line of the total, with the transactions'
            # descriptions, for a person.
            texts = [_remittance(tx_node) for tx_node in tx_nodes]
            common["entry_info"] = entry_info or "; ".join(
                " ".join(p for p in (text.description, text.reference, *text.references) if p)
                for text in texts
                if text.description or text.reference or text.references
            )
            common["entry_info_before"] = entry_info or "; ".join(
                text.before or text.reference_before
                for text in texts
                if text.before or text.reference_before
            )
            return [_line(node, ns, amount=entry_amount, ref=entry_ref, **common)]
    lines = []
    for tx_node, tx_amount in zip(tx_nodes, amounts, strict=True):
        ref = tx_node.text("c:Refs/c:AcctSvcrRef") or entry_ref
        tx_common = dict(common)
        tx_indicator = tx_node.text("c:CdtDbtInd")
        if tx_indicator in (CREDIT, DEBIT):
            tx_common["indicator"] = tx_indicator
        tx_family = tx_node.text("c:BkTxCd/c:Domn/c:Fmly/c:SubFmlyCd")
        tx_common["family"] = tx_family or family
        lines.append(_line(tx_node, ns, amount=tx_amount, ref=ref, **tx_common))
    return lines


def _adds_up(entry_amount, amounts: list[Element], tx_nodes: list["_Node"], indicator) -> bool:
    """Return whether the transactions' amounts (a debit among credits counted off) add up
    to the entry's."""
    opposite = DEBIT if indicator == CREDIT else CREDIT
    total = Decimal(0)
    for amount, tx_node in zip(amounts, tx_nodes, strict=True):
        value = _amount(amount)[0]
        total += -value if tx_node.text("c:CdtDbtInd") == opposite else value
    return total == _amount(entry_amount)[0]


def _currency(amount: Element | None) -> str:
    return ((amount.get("Ccy") if amount is not None else "") or "EUR").strip().upper()


def _own_amount(tx: "_Node", currency: str) -> Element | None:
    """Return the transaction's amount in `currency` (the entry's), or None.

    The amount booked is `Amt` (from .03) or the transaction amount; when the payer paid
    in another currency, those may be what was sent and the counter value what was booked.
    """
    for path in ("c:Amt", "c:AmtDtls/c:TxAmt/c:Amt", "c:AmtDtls/c:CntrValAmt/c:Amt"):
        amount = tx.find(path)
        if amount is not None and _currency(amount) == currency:
            return amount
    return None


def compact_rf(reference: str) -> str:
    """Return `reference` compact (no spaces, capitals) when it is an ISO 11649 RF creditor
    reference with valid check digits, else ""."""
    if _RF_COMPACT.fullmatch(reference):
        # What iso11649.is_valid computes, without its cleaning of separators and
        # look-alike characters that such a reference does not have (a third of the
        # CPU of reading a statement's references went there).
        return reference if check_digits_valid(reference) else ""
    compact = iso11649.compact(reference)
    return compact if iso11649.is_valid(compact) else ""


def check_digits_valid(text: str) -> bool:
    """Return whether the ISO 7064 mod 97-10 check digits of `text` (compact, capitals:
    letters and digits), in places 3 and 4 as IBANs and RF references have them, are right."""
    return int((text[4:] + text[:4]).translate(_AS_DIGITS)) % 97 == 1


def structured_reference(references: list[str]) -> tuple[str, list[str]]:
    """Return the first RF reference with valid check digits of `references`, or "", and the
    others: a creditor reference of another scheme (the Dutch "betalingskenmerk" of 16
    digits, typed SCOR as well) names nothing of ours and is read as text."""
    references = [reference for reference in references if reference]
    valid = next((r for r in references if r[:2].upper() == "RF" and compact_rf(r)), "")
    return valid, [reference for reference in references if reference != valid]


def _structured_details(text: str) -> dict | None:
    # Imported here: `mt940_statements` builds on this module.
    from .mt940_statements import structured_details  # noqa: PLC0415

    return structured_details(text) if text.startswith("/") else None


def with_references(text: str, references: list[str]) -> str:
    """Return `text` followed by those of `references` it does not hold already."""
    compact = re.sub(r"\s", "", text)
    more = [reference for reference in references if re.sub(r"\s", "", reference) not in compact]
    return " ".join(part for part in (text, *more) if part)


@dataclass(frozen=True)
class _Texts:
    description: str  # the payer's text: Ustrd and AddtlRmtInf, else AddtlTxInf
    pieces: list[str]  # its elements, as a bank cut it
    reference: str  # the RF reference of the structured blocks, or ""
    references: list[str]  # their other references, read as text
    # What was read before the structured blocks' texts were: Ustrd, else AddtlTxInf; the
    # first block's reference, whatever it was.
    before: str
    reference_before: str


def _remittance(source: "_Node") -> _Texts:
    """Return the texts of a transaction's remittance information (`RmtInf`): the free text
    (`Ustrd`), and of its structured blocks (`Strd`, one or several) the additional text
    (`AddtlRmtInf`, where some banks put the payer's description) and the references."""
    ustrd = [(element.text or "").strip() for element in source.findall("c:RmtInf/c:Ustrd")]
    additional = [
        (element.text or "").strip() for element in source.findall("c:RmtInf/c:Strd/c:AddtlRmtInf")
    ]
    pieces = [piece for piece in (*ustrd, *additional) if piece]
    all_references = [
        (element.text or "").strip()
        for element in source.findall("c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref")
    ]
    reference, others = structured_reference(all_references)
    additional_info = source.text("c:AddtlTxInf")
    first_reference = all_references[0] if all_references else ""
    return _Texts(
        description=" ".join(pieces) or additional_info,
        pieces=pieces,
        reference=reference,
        references=others,
        before=" ".join(ustrd).strip() or additional_info,
        reference_before=first_reference,
    )


def _line(
    source: "_Node",
    ns,
    *,
    amount,
    ref,
    account,
    booking_date,
    status,
    indicator,
    reversal,
    family,
    entry_info,
    entry_info_before,
) -> dict:
    value, currency, amount_text, skip = _amount(amount)
    return_info = source.find("c:RtrInf")
    return_reason = ""
    if return_info is not None:
        return_reason = _text(return_info, "c:Rsn/c:Cd", ns) or _text(return_info, "c:AddtlInf", ns)
    is_return = reversal or return_info is not None or family in _RETURN_CODES
    if indicator == CREDIT:
        # Money in that comes back: a refund or other transfer of the organiser's that the
        # payee's bank returned (ICDT/RRTN with the return's reason), never a payment.
        kind = KIND_DEBIT_REVERSAL if is_return else KIND_CREDIT
        party = "Dbtr"
    else:
        kind = KIND_RETURN if is_return else KIND_DEBIT
        party = "Cdtr"
    # A return's counterparty is whom the money goes back to: the original payer (the
    # debtor of the original credit), whom banks put under either name.
    names = [party, "Dbtr", "Cdtr"] if kind == KIND_RETURN else [party]
    counterparty_name = counterparty_iban = counterparty_account = ultimate = ""
    for name in names:
        counterparty_name = counterparty_name or (
            source.text(f"c:RltdPties/c:{name}/c:Pty/c:Nm")  # .08
            or source.text(f"c:RltdPties/c:{name}/c:Nm")
        )
        counterparty_iban = counterparty_iban or normalise_iban(
            source.text(f"c:RltdPties/c:{name}Acct/c:Id/c:IBAN")
        )
        # An account outside SEPA has its own number (`Othr`), never an IBAN.
        counterparty_account = counterparty_account or source.text(
            f"c:RltdPties/c:{name}Acct/c:Id/c:Othr/c:Id"
        )
        # Who paid on whose behalf: the name people know when the payer gives none.
        ultimate = ultimate or (
            source.text(f"c:RltdPties/c:Ultmt{name}/c:Pty/c:Nm")
            or source.text(f"c:RltdPties/c:Ultmt{name}/c:Nm")
        )
    before = {"counterparty_name": counterparty_name[:200], "counterparty_iban": counterparty_iban}
    counterparty_name = counterparty_name or ultimate
    if not counterparty_iban and iban_number.is_valid(counterparty_account):
        # An IBAN given as another identification (some banks' foreign payments).
        counterparty_iban, counterparty_account = normalise_iban(counterparty_account), ""
    texts = _remittance(source)
    reference = texts.reference
    remittance_joined = "".join(texts.pieces) if len(texts.pieces) > 1 else ""
    end_to_end = source.text("c:Refs/c:EndToEndId")
    if end_to_end.upper() == "NOTPROVIDED":
        end_to_end = ""
    before["end_to_end_id"] = end_to_end[:100]
    # Some banks put the description only in the additional information; ABN AMRO as in
    # MT940 (`/TRTP/…/IBAN/…/NAME/…/REMI/…/EREF/…`), read as the MT940 reader reads it.
    details = None if texts.description else _structured_details(entry_info)
    if details:
        counterparty_name = counterparty_name or details["name"]
        counterparty_iban = counterparty_iban or details["iban"]
        end_to_end = end_to_end or details["end_to_end_id"]
        found, others = structured_reference([details["reference"]])
        reference = reference or found
        remittance = with_references(details["remittance"], [*others, *texts.references])
        remittance_joined = remittance_joined or details["remittance_joined"]
    else:
        remittance = with_references(texts.description or entry_info, texts.references)
    if not skip and status and status != "BOOK":
        skip = SKIP_PENDING  # pending or informational: booked in a later statement
    extra = "|".join(
        [
            source.text("c:Refs/c:InstrId"),
            source.text("c:Refs/c:TxId"),
            source.text("c:Refs/c:MndtId"),
            indicator,
            status,
        ]
    )
    return {
        "kind": kind,
        "skip": skip,
        "amount": value,
        "amount_text": amount_text,
        "currency": currency,
        "booking_date": booking_date,
        "account": account,
        "bank_reference": ref[:100],
        "end_to_end_id": end_to_end[:100],
        "counterparty_name": counterparty_name[:200],
        "counterparty_iban": counterparty_iban[:34],
        "reference": reference[:35],
        "remittance": remittance,
        "return_reason": return_reason[:100],
        # A bank that cuts a long description into pieces may cut a registration code in two.
        "remittance_joined": remittance_joined,
        "_extra": extra,
        "counterparty_account": counterparty_account[:34],
        "_as_before": {
            **before,
            "reference": texts.reference_before[:35],
            "remittance": texts.before or entry_info_before,
        },
    }


def _amount(element: Element | None) -> tuple[Decimal, str, str, str]:
    """Return (amount in cents, currency, text as written, skip reason) of an amount."""
    if element is None or not (element.text or "").strip():
        raise CamtError("no_amount")
    text = element.text.strip()
    currency = _currency(element)
    try:
        value = Decimal(text)
    except InvalidOperation as bad:
        raise CamtError("amount_not_number", amount=text[:40]) from bad
    if not value.is_finite() or value < 0 or value >= AMOUNT_BELOW:
        raise CamtError("amount_invalid", amount=text[:40])
    cents = value.quantize(Decimal("0.01"))
    if cents >= AMOUNT_BELOW:  # 999999999999999999.995: 19 digits before the point in cents
        raise CamtError("amount_invalid", amount=text[:40])
    return cents, currency[:3], text[:40], skip_for(value, currency)


def skip_for(value: Decimal, currency: str) -> str:
    """Return why a line of `value` in `currency` books nothing (a SKIP_ code), or ""."""
    if currency != "EUR":
        return SKIP_CURRENCY
    if value == 0:
        return SKIP_ZERO
    if value != value.quantize(Decimal("0.01")):
        return SKIP_DECIMALS
    if value >= BOOKABLE_BELOW:
        return SKIP_TOO_LARGE
    return ""


def _text(element: Element, path: str, ns: dict) -> str:
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


class _Node:
    """An entry or transaction with its descendants by path ("c:Refs/c:TxId"), read in one
    walk: some twenty paths are asked of every line, and ElementTree's path engine would
    walk the element again for each. Answers as `find`, `findall` and `_text` would: the
    first (or every) element at the path, in document order. Paths in `stop` are recorded
    but not entered (an entry's transaction details, which get nodes of their own).
    """

    __slots__ = ("element", "paths")

    def __init__(self, element: Element, namespace: str, *, stop: str = ""):
        self.element = element
        self.paths: dict[str, list[Element]] = {}
        brace = f"{{{namespace}}}" if namespace else ""  # (a document without one)
        size = len(brace)
        paths = self.paths

        def walk(parent: Element, prefix: str) -> None:
            for child in parent:
                tag = child.tag
                if not isinstance(tag, str) or not tag.startswith(brace):
                    continue  # a comment, or another namespace's element: never asked for
                path = prefix + "c:" + tag[size:]
                found = paths.get(path)
                if found is None:
                    paths[path] = [child]
                else:
                    found.append(child)
                if path != stop:
                    walk(child, path + "/")

        walk(element, "")

    def find(self, path: str) -> Element | None:
        found = self.paths.get(path)
        return found[0] if found else None

    def findall(self, path: str) -> list[Element]:
        return self.paths.get(path, [])

    def text(self, path: str) -> str:
        found = self.paths.get(path)
        return (found[0].text or "").strip() if found else ""
