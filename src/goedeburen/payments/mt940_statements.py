"""Read an MT940 bank statement (SWIFT MT940 and the Dutch banks' variants) into plain lines.

Pure Python, no Django. The fields are read by the `mt-940` library (import name `mt940`);
what it does not read is the information in `:86:`, which every Dutch bank writes its own way.
The result is the same `camt.Statement` of `camt.StatementLine`s a CAMT.053 file gives, with
the same guarantees (see `camt`): a line's `fingerprint` is a hash of all its own facts and
its `occurrence` counts identical lines in the file, so the same line in an overlapping
statement is the same line again while two identical transfers on one day are two lines.

What banks hand out is read as it comes: UTF-8 (with or without a byte order mark),
ISO-8859-1 or Windows-1252, UTF-16; a bank's header lines before the first `:20:` (ING's
`0000 01INGBNL2AXXXX00001` and `940 00`, ABN AMRO's `ABNANL2A`/`940`, Rabobank's `:940:`)
or a SWIFT envelope (`{1:…}{2:…}{4:` … `-}`); several statements (days, accounts) in one
file; amounts with the decimal comma; an entry date (`:61:`, MMDD) in another year than the
value date; tags indented or with their letter in lower case (`  :60f:`, a file copied out
of a mail or a viewer: aligned only when the file does not read as it is, so that no line read
before changes). The statement's account (`:25:`) is an IBAN, perhaps followed by its currency
(`NL12INGB0001234567EUR`, Rabobank's `NL12RABO0123456789 EUR`), or an old Dutch account
number (ABN AMRO's `ABNANL2A/0417164300`), which is taken as the IBAN whose account number
it is.

`:86:` is read in the layouts of the Dutch banks:
- ING (Mijn ING Zakelijk, "MT940 structured"): `/EREF/…//CNTP/IBAN/BIC/NAME/CITY///REMI/
  USTD//text/` or `/REMI/STRD/CUR/RF…/`, `/RTRN/reason/` on returns; InsideBusiness
  Payments the same with more code words (`/BUSP/`, `/IREF/` …), until 2014 `/BENM/` and
  `/ORDP/` for `/CNTP/` and `/REMI/SCOR/…` for `/REMI/STRD/…`; its unstructured layout
  marks a return only by the reason first (`AC04 NL20INGB0001234567 INGBNL2A name …`);
- ABN AMRO: `/TRTP/SEPA OVERBOEKING/IBAN/…/BIC/…/NAME/…/REMI/…/EREF/…`, a structured
  reference as `/REMI/ISSUER: CUR REF: …/`, returns of direct debits as `/RTYP/…/RTRN/…`;
- Rabobank (structured): `/EREF/…/ORDP//NAME/…/ID/…/ADDR/…/REMI/…/ISDT/…`, `/BENM//NAME/…`
  for money out (until 2014 starting with `/ACCW/IBAN,BIC`), the counterparty's account on
  the second line of `:61:`, a structured reference as
  `/CDTRREFTP//CD/SCOR/ISSR/CUR/CDTRREF/RF…`, `/REMI//REMI/text` (the second one read);
- ABN AMRO's other layout: rows of 32 characters with labels, `SEPA OVERBOEKING  IBAN: …
  BIC: …  NAAM: …  OMSCHRIJVING: …  KENMERK: …` (and `BETALINGSKENM.:`, `MACHTIGING:`
  …), a long value cut into the next rows;
- Triodos: `000>10…` then subfields: `>20` the BIC, `>21` the IBAN (each on a line of its
  own; an account that is not an IBAN too), `>22` … `>27` the name, address, town and
  description run together in pieces of 27 characters (the name's end is not marked: it
  stays in the description; a card payment's shop is read, the text before ` - TERMINAL`),
  `>31` the own account; or Triodos's structured `/CNTP/…/REMI/USTD//…/` as ING's (a card
  payment's `/REMI/USTD//Shop - Town - Terminal …/` names the shop);
- Knab: `/TRTP/…/IBAN/…` (its own savings account as `/BBAN/`), or the older free text
  with `REK: IBAN/NAAM: name` on its last line; bunq: `/IBAN/…/NAME/…/REMI/…`;
- de Volksbank (ASN, SNS, RegioBank) and others: free text, the counterparty's IBAN and
  name at its start when the bank puts them there (ING's older layout has the BIC after
  the IBAN and no end to the name: its name is not read; in 2012 and 2013 its account
  number from before the IBAN came first, `0987654321 NL57ABNA0987654321 ABNANL2A J AAP`);
- until 2014 (before SEPA), an account number from before the IBAN first: ABN AMRO's
  `GIRO   428428 KPN BV             …` or `64.45.12.113 G.B. ROTTERDAM     …` in rows of 32
  (the name in the rest of the first row, or in the second when the account fills the
  first), ING's and de Volksbank's `0111111111 J. JANSEN` with the description on the next
  lines (on one line the name's end is not known: not read); Rabobank's name on `:61:`,
  after the code `N…` and the account (`N1020987654321      J. JANSEN`).
A field's value runs to the next known field code, so a description may hold slashes. An
account where a layout puts one is taken as an IBAN when it has an IBAN's country, length
and structure, whatever its check digits (anonymised files change them; a bank's own are
right), and kept apart as the counterparty's account (`counterparty_account`) when it is an
account number from before the IBAN (ING's `/CNTP/0001234567`, Rabobank's `0123456789`).
What was read this way after lines were imported is kept out of their fingerprint
(`read_details(before=True)`, as `camt` does). The
bank cuts `:86:` into lines of 65 characters anywhere, also inside a word or a code: the
fields are read from the lines run together, and the free text is kept twice, as the bank's
lines joined by spaces (`remittance`) and run together (`remittance_joined`), so a code cut
in two is found as well as one at the end of a line.

A line is a return (`KIND_RETURN` for money out, `KIND_DEBIT_REVERSAL` for money in) when
the bank marks it as a reversal (`RC`, `RD`), as a returned item (transaction type `RTI`,
as ING does) or names a return reason (`/RTRN/MS03/`); the reason is kept.

Refused with a `CamtError`: MT942 (an intraday report: its payments come again in the
day's statement, not always with the same details, so reading both could book one payment
twice; as camt.052 and camt.054 are refused), a file without a statement or with fields
before the first statement's :20: (cut off at its start), a statement without an account
or without its opening or closing balance (cut off; the message says which, of which
statement; a last day without :62F: is whole when SWIFT's envelope closes after it, as
de Volksbank writes it), a field the library cannot read, a date that does not exist, text in no
encoding a bank writes.
"""

import codecs
import datetime as dt
import hashlib
import re
import textwrap
from collections import Counter
from decimal import Decimal

from mt940.models import Transactions
from mt940.options import Options
from mt940.processors import date_fixup_pre_processor
from mt940.tags import StatementASNB
from stdnum import iban as iban_number
from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

from .camt import (
    AMOUNT_BELOW,
    FORMAT_MT940,
    KIND_CREDIT,
    KIND_DEBIT,
    KIND_DEBIT_REVERSAL,
    KIND_RETURN,
    MAX_BYTES,
    CamtError,
    Statement,
    StatementLine,
    check_digits_valid,
    line_fingerprint,
    normalise_iban,
    skip_for,
    structured_reference,
    utf16_codec,
    with_references,
)

VERSION = "MT940"
# What the library may raise on a damaged file: RuntimeError (a field that does not match
# its pattern), ValueError (a date that does not exist), ArithmeticError (an amount that is
# not a number: decimal.InvalidOperation), and the rest on fields cut off or missing.
_LIBRARY_ERRORS = (
    RuntimeError,
    ValueError,
    ArithmeticError,
    LookupError,
    TypeError,
    AttributeError,
)
_OPTIONS = Options(
    unbounded_details=True,  # all of :86:, not the first nine pieces of 65 characters
    case_insensitive_marks=True,
    merge_keeps_values=True,
)
_TAG = re.compile(r"^:(\d\d[A-Z]?|NS):", re.MULTILINE)
_STATEMENT_START = re.compile(r"(?m)^(?=:20:)")
# A file is MT940 (or MT942) when its head has two of the fields of one, or starts with one:
# also a piece of a file (without its :20: or balances) is refused as MT940, saying what
# is missing, not as XML that is not well-formed.
_HEAD_TAG = re.compile(
    rb"^[ \t]*:(20|21|25|28C?|60[FM]?|61|62[FM]?|64|65|86|13D?|34F|90[CD]):", re.M | re.I
)
# The message type on a line of its own in a bank's header: ING's `940 00`, ABN AMRO's `940`.
_HEAD_TYPE = re.compile(rb"^94[02]( 00)?[ \t\r]*$", re.M)
# SWIFT's envelope: basic, application and user header ({1:…}{2:…}{3:{108:…}}) at a line's
# start, on one line or each on its own, then the text block's start ({4:); the text block's
# end (`-}`) at a line's start, perhaps with the trailer ({5:{CHK:…}}) and the next message's
# header after it. Only there: `{1:…}` in a description (:86:) is the payer's text. Between
# messages, SWIFT's file formats may put `$` or the control characters SOH and ETX.
_HEADER_BLOCK = r"\{[1-3]:(?:[^{}\n]|\{[^{}\n]*\})*\}"
_TRAILER_BLOCK = r"\{[5S]:(?:[^{}\n]|\{[^{}\n]*\})*\}"
_BETWEEN = r"[ \t$\x01\x03]*"
_SWIFT_END = re.compile(rf"^-[ \t]*\}}(?:{_TRAILER_BLOCK})*{_BETWEEN}", re.MULTILINE)
_SWIFT_HEAD = re.compile(
    rf"^{_BETWEEN}(?:(?:{_HEADER_BLOCK})+[ \t]*$|(?:{_HEADER_BLOCK})*\{{4:[ \t]*)"
    rf"|^[ \t]*(?:{_TRAILER_BLOCK})+{_BETWEEN}$",
    re.MULTILINE,
)
# The text block's end as `_read_text` leaves it: a statement that ends there was written
# whole by the bank (`_read_block`).
_SEALED = re.compile(r"^-\}\n?", re.MULTILINE)
_SEALED_END = re.compile(r"^-\}[\s$\x01\x03]*\Z", re.MULTILINE)
# How this reader cut the envelope until December 2026: anywhere, `{1:…}` in a description
# too. What it left of a description is kept for the fingerprints of lines imported then.
_SWIFT_BLOCK_BEFORE = re.compile(r"\{[1-35]:(?:[^{}]|\{[^{}]*\})*\}|\{4:|^-\}", re.MULTILINE)
_MT942 = re.compile(r"\{2:[IO]942|^:(34F|13D):|^942(\s|$)", re.MULTILINE)
# De Volksbank (ASN, SNS, RegioBank) writes the payer's IBAN as the customer reference of
# :61:, longer than the 16 characters SWIFT allows (`StatementDVB`).
_VOLKSBANK = {"ASNB", "SNSB", "RBRB"}
_CLOSING = re.compile(r"^:(62[FM]?):", re.MULTILINE)
# The fields' tags as some files have them: after spaces, or with the letter in lower case.
_INDENTED_TAG = re.compile(
    r"^[ \t]+(?=:(20|21|25|28C?|60[FM]?|61|62[FM]?|64|65|86|13D?|34F|90[CD]):)",
    re.MULTILINE | re.IGNORECASE,
)
_LOWER_CASE_TAG = re.compile(r"^:(28c|60[fm]|62[fm]|13d|34f|90[cd]):", re.MULTILINE)
_OPENING = re.compile(r"^:60[FM]?:", re.MULTILINE)

# The field codes of the Dutch banks' structured :86: (ING, ABN AMRO, Rabobank, Knab, bunq).
_CODES = (
    "TRTP|IBAN|BIC|NAME|REMI|EREF|PREF|MARF|CSID|CNTP|RTRN|ORDP|BENM|ID|ADDR|ISDT|PURP"
    "|ULTC|ULTD|ULTB|CDTRREFTP|CDTRREF|CD|ISSR|TRCD|SUM"
)
_STARTS = "TRTP|EREF|PREF|MARF|CSID|CNTP|RTRN|REMI|ORDP|BENM|PURP|IBAN|NAME|TRCD"
# Read since lines were imported (`read_details`): ABN AMRO's returns (/RTYP/), Knab's
# /BBAN/, the code words of ING's InsideBusiness Payments (/BUSP/ … /CHGS/), Rabobank's
# /ACCW/ (its layout until 2014: `/ACCW/IBAN,BIC/ORDP//NAME/…/REMI/…`).
_CODES_SINCE = ("RTYP", "BBAN", "BUSP", "CREF", "IREF", "EXCH", "CHGS", "ACCW")
_FIELD = re.compile(rf"/({_CODES}|{'|'.join(_CODES_SINCE)})/")
_STRUCTURED = re.compile(rf"^/({_STARTS}|RTYP|BUSP|CREF|IREF|ACCW)/")
_FIELD_BEFORE = re.compile(rf"/({_CODES})/")
_STRUCTURED_BEFORE = re.compile(rf"^/({_STARTS})/")
_IBAN_AT_START = re.compile(r"\s*([A-Z]{2}\d{2}[A-Z0-9]{10,30})(?:\s+(.*))?$")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_DUTCH_IBAN = re.compile(r"NL\d\d[A-Z]{4}\d{10}")
_BIC = r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?"
_BIC_AT_START = re.compile(rf"({_BIC})(?:\s|$)")
_BIC_ALONE = re.compile(rf"\s*{_BIC}\s*")
# ING's /BENM/ and /ORDP/ until 2014: the account, then the BIC (or none), name and city.
_ACCOUNT_BIC = re.compile(rf"[A-Z0-9 ]+/(?:{_BIC})?/")
# Triodos: `000>10`, the counterparty's old account number, then the subfields `>20` … `>31`.
_TRIODOS = re.compile(r"\d{3}>10")
_SUBFIELD = re.compile(r">(\d\d)")
_TRIODOS_PIECE = 27
# Triodos: the counterparty's account in `>21` (an IBAN, or a foreign account without one).
_TRIODOS_ACCOUNT = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{1,30}")
# Triodos's card payments: the shop (and its town), then ` - TERMINAL …`.
_CARD_TERMINAL = re.compile(r"(?P<name>\S.*?)\s+-\s+(?P<rest>TERMINAL\s.*)", re.IGNORECASE)
# A Dutch account number from before the IBAN at the start of :86:. ABN AMRO: `GIRO` and
# the giro number, or the bank account written with dots (`52.89.39.882`), then the name
# in the rest of the first row of 32 characters. ING and de Volksbank: ten digits (zeros
# in front), the name on the rest of the first line, the description on the next lines.
_ABN_OLD_ACCOUNT = re.compile(
    r"(?:GIRO\s+(?P<giro>\d{1,9})|(?P<bank>\d\d\.\d\d\.\d\d\.\d{3}))(?=\s|$)"
)
_TEN_DIGITS_FIRST = re.compile(r"\s*(?P<account>\d{10})\s+(?P<name>\S.*?)\s*")
_TYPE_IBAN_BIC = re.compile(
    rf"(?P<text>.*?)\s+(?P<iban>[A-Z]{{2}}\d{{2}}[A-Z0-9]{{10,30}})\s+(?P<bic>{_BIC})"
)
# Rabobank until 2014: `:61:` with the transaction code `N` + three digits, the
# counterparty's account (ten digits, `P` and a giro number) as the customer reference and
# the name after it on the same line.
_RABO_OLD_CODE = re.compile(r"N\d{3}")
_RABO_OLD_ACCOUNT = re.compile(r"P?\d{1,10}")
# Knab's older layout: the counterparty on the last line.
_KNAB_ACCOUNT = re.compile(r"(?:REK:\s*([A-Za-z0-9 ]*?)\s*/)?NAAM:\s*(.*)")
# ABN AMRO's labels, at the start of a row or after a row's spaces.
_ABN_ROW = 32
_ABN_LABEL = re.compile(
    r"(?:^|(?<=\s\s))(IBAN|BIC|NAAM|OMSCHRIJVING|KENMERK|BETALINGSKENM\.|MACHTIGING"
    r"|INCASSANT|ID DEBITEUR):",
    re.IGNORECASE,
)
_ISSUER_REF = re.compile(r"/?\s*ISSUER:\s*\S*\s+REF:\s*(\S[^/]*?)\s*/?", re.IGNORECASE)
# ING's unstructured :86: (InsideBusiness Payments) of a return: the ISO 20022 reason code
# (`AC04`, `MS03`, `CUST` …), then the counterparty's IBAN, BIC, name and description.
_REASON_FIRST = re.compile(
    r"\s*(?P<reason>[A-Z]{2}\d{2}|AGNT|ARDT|CNOR|CURR|CUST|CUTA|DNOR|DUPL|EMVL|FOCR|FRAD"
    r"|NARR|NOAS|NOOR|PINL|SVNR|TECH|UPAY)\s+(?P<iban>[A-Z]{2}\d{2}[A-Z0-9]{10,30})(?:\s+|$)"
)
# A Dutch account number from before the IBAN (Rabobank's `0123456789`, giro `P1234567`).
_OLD_ACCOUNT = re.compile(r"P?\d{7,10}")


def is_mt940(data: bytes) -> bool:
    """Return whether `data` looks like an MT940 or MT942 file (not whether it is readable)."""
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[1:2] == b"\x00":
        head = head.replace(b"\x00", b"")  # UTF-16: its ASCII is every other byte
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return False  # XML
    head = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")  # byte order marks, UTF-8 and UTF-16
    if head.startswith((b"{1:", b":940:")) or _HEAD_TAG.match(head):
        return True
    if _HEAD_TYPE.search(head[:200]):
        return True
    return len({tag.group(1) for tag in _HEAD_TAG.finditer(head)}) >= 2


def parse_statement(data: bytes, *, account: str = "") -> Statement:
    """Return the lines of an MT940 file, or raise `CamtError` for a file we cannot read.

    With `account`, only the statements of that account are read when the file holds any:
    the others' accounts are listed in `other_accounts`.
    """
    if len(data) > MAX_BYTES:
        raise CamtError("too_large")
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    # DOS's end-of-file mark (Ctrl-Z), which older Rabobank files end with: files joined
    # by copying have it before the next file's :20:, which must start a line.
    text = text.replace("\x1a", "\n")
    try:
        return _read_text(text, account=account)
    except CamtError:
        # Tags indented or in lower case (a file copied out of a mail or a viewer, a
        # converter's output): read aligned, but only a file refused as it is, so that a
        # line imported before (whose :86: may hold such a text) keeps its fingerprint.
        aligned = _aligned_tags(text)
        if aligned == text:
            raise
        return _read_text(aligned, account=account)


def _aligned_tags(text: str) -> str:
    """Return `text` with its fields' tags at the start of their lines, in capitals."""
    # A file indented as a whole (quoted in a mail) as it was: its :86: lines as the bank's.
    text = _INDENTED_TAG.sub("", textwrap.dedent(text))
    return _LOWER_CASE_TAG.sub(lambda tag: tag.group().upper(), text)


def _read_text(text: str, *, account: str) -> Statement:
    if not text.strip():
        raise CamtError("empty")
    if _MT942.search(text):
        raise CamtError("mt942")
    text = _SWIFT_HEAD.sub("", _SWIFT_END.sub("-}\n", text))
    before, *blocks = _STATEMENT_START.split(text)
    if before.startswith(":20:"):
        before, blocks = "", [before, *blocks]
    if not blocks or _TAG.search(before):
        # No statement, or fields before the first one's start: a file cut off at its start
        # (what is before the first :20: is a bank's header, as `940 00` or `ABNANL2A`).
        raise CamtError("mt940_no_statement")
    read = [
        _read_block(block, number=number, count=len(blocks))
        for number, block in enumerate(blocks, 1)
    ]
    wanted = normalise_iban(account)
    for block in read:
        block["own"] = _own_account(block["own"], wanted)
    other_accounts = []
    if wanted and any(block["own"] == wanted for block in read):
        other_accounts = list(dict.fromkeys(b["own"] for b in read if b["own"] != wanted))
        read = [block for block in read if block["own"] == wanted]
    facts: list[tuple[str, dict]] = []
    identities, accounts = [], []
    for block in read:
        own = block["own"]
        if own not in accounts:
            accounts.append(own)
        prints = []
        for transaction in block["transactions"]:
            line = _line(transaction, account=own)
            fingerprint = line_fingerprint(line)
            prints.append(fingerprint)
            facts.append((fingerprint, line))
        # The bank's reference (:20:) and statement number (:28C:) are not enough: ABN AMRO
        # writes "ABN AMRO BANK NV" in every :20:, ING numbers every statement 00000. The
        # balances and the lines are: an export of today that is not complete yet has
        # another closing balance or other lines than the day's final statement.
        identities.append(
            "|".join(
                [
                    own,
                    block["reference"],
                    block["number"],
                    block["opening"],
                    block["closing"],
                    hashlib.sha256("\n".join(prints).encode()).hexdigest(),
                ]
            )
        )
    seen: Counter = Counter()
    lines = []
    for fingerprint, line in facts:
        seen[fingerprint] += 1
        lines.append(StatementLine(fingerprint=fingerprint, occurrence=seen[fingerprint], **line))
    starts = [block["start"] for block in read]
    ends = [block["end"] for block in read]
    first = read[0]
    return Statement(
        version=VERSION,
        message_id=first["reference"],
        iban=accounts[0],
        accounts=accounts,
        identity=hashlib.sha256("\n".join(sorted(identities)).encode()).hexdigest(),
        statement_id=first["reference"],
        sequence=first["number"],
        created="",
        period_start=min(starts).isoformat(),
        period_end=max(ends).isoformat(),
        lines=lines,
        other_accounts=other_accounts,
        file_format=FORMAT_MT940,
    )


def _decode(data: bytes) -> str:
    """Return the text of `data` as banks write it: UTF-8, ISO-8859-1/Windows-1252, UTF-16."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    utf16 = utf16_codec(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as broken:
            raise CamtError("mt940_encoding") from broken
        text = text.removeprefix("\ufeff")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # ISO-8859-1, or the Windows code page that extends it (what a bank's older
            # export or a spreadsheet program writes). Amounts, dates and IBANs are ASCII.
            text = data.decode("cp1252", "replace")
    if "\x00" in text:
        raise CamtError("mt940_encoding")
    return text


def _keep_amount_text(transactions, tag, tag_dict, *args):
    """Keep the amount as written (the library makes a number of it)."""
    tag_dict["amount_text"] = tag_dict.get("amount") or ""
    # SWIFT allows 15 characters; the library reads the first 15 of a longer amount and
    # the rest as the reference ("1000000000000000000,00NTRF"): refused in `_line`. So is
    # an amount with a point, which the library reads up to it ("125.50" as 125).
    running_on = re.match(r"[\d,.]+", tag_dict.get("customer_reference") or "")
    if not tag_dict.get("id") and running_on:
        tag_dict["amount_text"] += running_on.group(0)
        tag_dict["amount_overlong"] = True
    return tag_dict


class StatementDVB(StatementASNB):
    """De Volksbank's :61: (ASN, SNS, RegioBank): the customer reference is the payer's
    IBAN, up to 34 characters where SWIFT allows 16, then as SWIFT's layout has it `//` and
    the bank's reference (up to 16), then the second line (up to 34).

    The library's variant read the customer reference as any 34 characters, `//` and the
    bank's reference included (`//228ohu/972795` of a card payment). What it read is kept
    as `before_61` when it differs, for the fingerprint of a line imported before (`_line`).
    (The library names a tag's processors by the words of its class name: "Statement".)
    """

    pattern = r"""^
    (?P<year>\d{2})(?P<month>\d{2})(?P<day>\d{2})  # value date YYMMDD
    (?P<entry_month>\d{2}|\s{2})?(?P<entry_day>\d{2}|\s{2})?  # entry date MMDD
    (?P<status>[A-Z]?[DC])
    (?P<funds_code>[A-Z])?
    \n?
    (?P<amount>[\d,]{1,15})
    (?P<id>[A-Z][A-Z0-9 ]{3})?
    (?P<customer_reference>((?!//)[^\n]){0,34})
    (//(?P<bank_reference>[^\n]{0,16}))?
    (\n?(?P<extra_details>.{0,34}))?
    $"""

    def __init__(self) -> None:
        super().__init__()
        self.before = re.compile(StatementASNB.pattern, self.RE_FLAGS)

    def parse(self, transactions, value: str) -> dict:
        found = super().parse(transactions, value)
        before = self.before.match(value)
        if before is not None:
            keys = ("customer_reference", "bank_reference", "extra_details")
            earlier = {key: before.group(key) for key in keys}
            if any(earlier[key] != found[key] for key in keys):
                found["before_61"] = earlier
        return found


_PROCESSORS = {"pre_statement": [date_fixup_pre_processor, _keep_amount_text]}


def _read_block(block: str, *, number: int, count: int) -> dict:
    """Return what one statement (from its :20: to the next) says, read by the library:
    the `number`th of the file's `count`.

    A statement without a closing balance is refused as cut off, unless the bank's SWIFT
    envelope closes right after it (`-}`): de Volksbank (SNS) leaves out the last day's
    :62F: so, and a file cut off has no end.
    """
    end = _SEALED_END.search(block)
    sealed = end is not None
    block = _SEALED.sub("", block[: end.start()] if sealed else block)
    # What follows the closing balance (:62F:, :64:, :65:) is about the statement, such as
    # ING's /SUM/ in a last :86:, which the library would add to the last line.
    closing = _CLOSING.search(block)
    if closing is None and not (sealed and _OPENING.search(block)):
        missing = "mt940_no_closing" if _OPENING.search(block) else "mt940_no_balances"
        raise CamtError(missing, number=number, count=count)
    if closing is not None:
        tail = block[closing.end() :]
        parts = _TAG.split(tail)
        kept = [parts[0]]
        for code, value in zip(parts[1::2], parts[2::2], strict=True):
            if code != "86":
                kept.append(f":{code}:{value}")
        block = block[: closing.end()] + "".join(kept)
    own_field = re.search(r"^:25:(.*)$", block, re.MULTILINE)
    tags = {}
    if own_field and _bank_code(own_field.group(1)) in _VOLKSBANK:
        tags = {61: StatementDVB()}
    collection = Transactions(processors=_PROCESSORS, tags=tags, options=_OPTIONS)
    try:
        collection.parse(block)
        data = collection.data
        own = _account(data.get("account_identification") or "")
        opening = _balance(data, "final_opening_balance", "intermediate_opening_balance")
        closing_balance = _balance(data, "final_closing_balance", "intermediate_closing_balance")
        transactions = [t.data for t in collection.transactions if t.data.get("status")]
    except RuntimeError as unreadable:
        field = getattr(unreadable.args[1], "id", "") if len(unreadable.args) > 2 else ""
        value = str(unreadable.args[2]) if len(unreadable.args) > 2 else ""
        if field:
            raise CamtError("mt940_field", field=field, value=value[:40]) from unreadable
        raise CamtError("mt940_unreadable") from unreadable
    except _LIBRARY_ERRORS as unreadable:
        raise CamtError("mt940_unreadable") from unreadable
    if not own:
        raise CamtError("no_account")
    if opening is None:
        raise CamtError("mt940_no_opening", number=number, count=count)
    if closing_balance is None and not sealed:
        raise CamtError("mt940_no_closing", number=number, count=count)
    days = [_booking_date(t) for t in transactions]
    start = opening.date
    last = closing_balance.date if closing_balance is not None else max([start, *days])
    if start < last:
        # Most banks date the opening balance on the day before the statement's first day.
        start += dt.timedelta(days=1)
    return {
        "own": own,
        "reference": (data.get("transaction_reference") or "").strip()[:100],
        "number": "/".join(
            part
            for part in (data.get("statement_number"), data.get("sequence_number"))
            if part is not None
        )[:20],
        "opening": _balance_text(opening),
        "closing": _balance_text(closing_balance) if closing_balance is not None else "",
        "start": min([start, *days]),
        "end": max([last, *days]),
        "transactions": transactions,
    }


def _balance(data: dict, final: str, intermediate: str):
    """Return the statement's balance of that kind (:60F:, :60M: or :60:; the same of :62:)."""
    for key in (final, intermediate, final.removeprefix("final_")):
        balance = data.get(key)
        if balance is not None and getattr(balance, "date", None) is not None:
            return balance
    return None


def _balance_text(balance) -> str:
    amount = balance.amount
    return f"{balance.status}{balance.date.isoformat()}{amount.currency}{amount.amount}"


def _bank_code(field: str) -> str:
    account = _account(field)
    return account[4:8] if _iban_shaped(account) else ""


def _account(field: str) -> str:
    """Return the account of a :25: field: its IBAN without a currency, or the number."""
    text = re.sub(r"\s+", "", field).upper()
    text = text.rsplit("/", 1)[-1]  # "INGBNL2A/NL12INGB0001234567": the bank's BIC first
    if _iban_shaped(text):
        return text
    if re.fullmatch(r".+[A-Z]{3}", text) and _iban_shaped(text[:-3]):
        return text[:-3]  # "NL12INGB0001234567EUR"
    number = re.fullmatch(r"([0-9.]+?)(?:[A-Z]{3})?", text)
    if number:
        return number.group(1).replace(".", "")  # an old account number: "51.78.52.257"
    return text[:34]


def _own_account(account: str, wanted: str) -> str:
    """Return `wanted` when `account` is the old Dutch account number of that IBAN."""
    if (
        account.isdigit()
        and wanted.startswith("NL")
        and len(wanted) == 18
        and account.lstrip("0") == wanted[8:].lstrip("0")
    ):
        return wanted
    return account


def _booking_date(transaction: dict) -> dt.date:
    """Return the day the bank booked the line: the entry date, else the value date."""
    return transaction.get("entry_date") or transaction["date"]


def _line(transaction: dict, *, account: str) -> dict:
    mark = (transaction.get("status") or "").upper()  # C, D, RC, RD
    amount_text = (transaction.get("amount_text") or "").strip()
    value = abs(transaction["amount"].amount)
    if transaction.get("amount_overlong") or not value.is_finite() or value >= AMOUNT_BELOW:
        raise CamtError("amount_invalid", amount=amount_text[:40])
    currency = (transaction.get("currency") or "").strip().upper()[:3]
    skip = skip_for(value, currency)
    text = transaction.get("transaction_details") or ""
    details = read_details(text)
    facts = _facts(transaction, details)
    # What a line imported before this reader learnt a layout was read as: its hash stays.
    # De Volksbank's :61: as it was read before `StatementDVB`: its facts as then; a
    # description with `{1:…}` in it as it was read before the envelope was cut only where
    # it is (`_SWIFT_HEAD`).
    earlier = {**transaction, **transaction.get("before_61", {})}
    text_then = _SWIFT_BLOCK_BEFORE.sub("", text)
    details_then = details if text_then == text else read_details(text_then)
    facts_then = facts
    if "before_61" in transaction or details_then is not details:
        facts_then = _facts(earlier, details_then)
    before = facts_then
    if facts_then["learnt"]:
        before = _facts(earlier, read_details(text_then, before=True), before=True)
    bank_reference = (transaction.get("bank_reference") or "").strip()
    # A betalingskenmerk (`/CDTRREF/` of 16 digits) is text, as in a CAMT.053 file.
    reference, others = structured_reference([details["reference"]])
    try:
        value_date = transaction["date"].isoformat()
        booking_date = _booking_date(transaction).isoformat()
    except (AttributeError, ValueError) as broken:
        raise CamtError("mt940_unreadable") from broken
    extra = "|".join(
        [
            mark,
            value_date,
            (earlier.get("id") or "").upper(),
            (earlier.get("customer_reference") or "").strip(),
            (earlier.get("funds_code") or ""),
            (earlier.get("extra_details") or "").strip(),
            details_then["all"],
        ]
    )
    return {
        "kind": facts["kind"],
        "skip": skip,
        "amount": value.quantize(Decimal("0.01")),
        "amount_text": amount_text[:40],
        "currency": currency,
        "booking_date": booking_date,
        "account": account,
        "bank_reference": bank_reference[:100],
        "end_to_end_id": details["end_to_end_id"][:100],
        "counterparty_name": facts["name"][:200],
        "counterparty_iban": facts["counterparty_iban"][:34],
        "counterparty_account": facts["counterparty_account"][:34],
        "reference": reference[:35],
        "remittance": with_references(details["remittance"], others),
        "return_reason": details["return_reason"][:100],
        "remittance_joined": details["remittance_joined"],
        "_extra": extra,
        # The facts as read before: before a reference that is not an RF reference was
        # read as text, and before the layouts and accounts `read_details` learnt later.
        "_as_before": {
            "kind": before["kind"],
            "bank_reference": (earlier.get("bank_reference") or "").strip()[:100],
            "end_to_end_id": before["end_to_end_id"][:100],
            "counterparty_name": before["name"][:200],
            "counterparty_iban": before["counterparty_iban"][:34],
            "reference": before["reference"][:35],
            "remittance": before["remittance"],
            "return_reason": before["return_reason"][:100],
        },
    }


def _facts(transaction: dict, details: dict, *, before: bool = False) -> dict:
    """Return what a line is (`kind`) and its counterparty's account, from :61: and what
    `read_details` read of :86: (whose facts come along)."""
    mark = (transaction.get("status") or "").upper()  # C, D, RC, RD
    kind_code = (transaction.get("id") or "").upper()
    is_return = mark.startswith("R") or kind_code[1:] == "RTI" or details["returned"]
    if mark.endswith("C"):
        # A credit reversed (RC) is money out, as is a debit; a debit reversed (RD) money in.
        kind = KIND_RETURN if mark == "RC" else (KIND_DEBIT_REVERSAL if is_return else KIND_CREDIT)
    else:
        kind = KIND_DEBIT_REVERSAL if mark == "RD" else (KIND_RETURN if is_return else KIND_DEBIT)
    iban, account = details["iban"], details["account"]
    is_iban = iban_number.is_valid if before else _iban_shaped
    # Rabobank: the account on :61:'s second line; de Volksbank: as the customer reference.
    second_line = re.sub(r"\s", "", transaction.get("extra_details") or "").upper()
    customer_reference = (transaction.get("customer_reference") or "").strip().upper()
    iban = iban or next((c for c in (second_line, customer_reference) if is_iban(c)), "")
    if not (before or iban or account) and _OLD_ACCOUNT.fullmatch(second_line):
        account = second_line  # Rabobank: an account that is not an IBAN
    learnt = details["learnt"] or (iban != details["iban"] and not check_digits_valid(iban))
    name = details["name"]
    if not (before or name or iban or account or _STRUCTURED.match(details["all"])):
        # Rabobank until 2014: `N070` and the account as the customer reference, the
        # name after it (`:61:121001D…,00N0701313131319      J. DOE`).
        extra = (transaction.get("extra_details") or "").strip()
        number = (transaction.get("customer_reference") or "").strip().upper()
        if (
            _RABO_OLD_CODE.fullmatch(kind_code)
            and _RABO_OLD_ACCOUNT.fullmatch(number)
            and number.strip("P0")
            and extra
            and not (_iban_shaped(re.sub(r"\s", "", extra)) or extra.isdigit())
        ):
            account, name, learnt = number, extra, True
    return {
        **details,
        "name": name,
        "kind": kind,
        "counterparty_iban": iban,
        "counterparty_account": account,
        "learnt": learnt,
    }


def _iban_shaped(value: str) -> bool:
    """Return whether `value` is an IBAN, or would be with other check digits.

    Where a bank's layout puts the counterparty's account, an account of an IBAN's country,
    length and structure is taken as one: anonymised statements keep an account's shape but
    seldom its check digits (a bank's own file always has them right).
    """
    if _DUTCH_IBAN.fullmatch(value):
        return True  # (the cheap answer for most: the Dutch structure)
    if not _IBAN_SHAPE.fullmatch(value):
        return False
    body = value[4:]
    return iban_number.is_valid(value[:2] + mod_97_10.calc_check_digits(body + value[:2]) + body)


def structured_details(text: str) -> dict | None:
    """Return `read_details(text)` when `text` is laid out as a structured :86: field
    ("/TRTP/…/IBAN/…/NAME/…/REMI/…"), else None. ABN AMRO writes a CAMT.053 entry's
    additional information so, and some entries have nothing else."""
    return read_details(text) if _STRUCTURED.match(text) else None


def read_details(text: str, *, before: bool = False) -> dict:
    """Return what a :86: field says: the counterparty, references, free text, return.

    Keys: name, iban, account (the counterparty's account when it is not an IBAN), reference
    (a structured creditor reference), end_to_end_id, remittance (the free text: of a
    structured field, its lines run together; of free text, the bank's lines joined by
    spaces), remittance_joined (the other reading, when it differs: a code cut at a line's
    end is whole in one of them), return_reason, returned, all (the field run together),
    learnt (whether anything was read that this reader did not read before: the layouts of
    `_LAYOUTS`, the codes of `_CODES_SINCE`, ABN AMRO's structured reference, ING's /ORDP/
    and /BENM/ with an account, /REMI/SCOR/, Rabobank's second /REMI/, an account that is
    not an IBAN, an IBAN with other check digits, ING's older layout).

    With `before`, read as this reader did before it learnt those: what the fingerprint of
    a line holds, so that a line imported before is the same line after.
    """
    pieces = [piece.strip("\r") for piece in text.split("\n")]
    joined = "".join(pieces)
    found = {
        "name": "",
        "iban": "",
        "account": "",
        "reference": "",
        "end_to_end_id": "",
        "remittance": "",
        "remittance_joined": "",
        "return_reason": "",
        "returned": False,
        "all": joined,
        "learnt": False,
    }
    structured = bool((_STRUCTURED_BEFORE if before else _STRUCTURED).match(joined))
    if structured:
        fields, found["learnt"] = _fields(joined, before=before)
        span = _structured(fields, found, before=before)
        found["learnt"] = found["learnt"] or not _STRUCTURED_BEFORE.match(joined)
    elif not before and any(layout(pieces, found) for layout in _LAYOUTS):
        found["learnt"] = True
        return found
    else:
        span = _free_text(pieces, found, before=before)
    # Where the bank's lines meet in `joined`, to put the spaces back into a value.
    breaks, position = [], 0
    for piece in pieces[:-1]:
        position += len(piece)
        breaks.append(position)
    start, end = span
    cuts = [start, *(cut for cut in breaks if start < cut < end), end]
    spaced = " ".join(joined[a:b] for a, b in zip(cuts, cuts[1:], strict=False))
    spaced = re.sub(r"\s+", " ", spaced).strip()
    run_together = re.sub(r"\s+", " ", joined[start:end]).strip()
    # A structured field is cut at 65 characters wherever that falls, mostly inside a word:
    # run together, it reads as the payer wrote it. Free text comes in the bank's lines.
    found["remittance"] = run_together if structured else spaced
    other = spaced if structured else run_together
    if other != found["remittance"]:
        found["remittance_joined"] = other
    return found


def _free_text(pieces: list[str], found: dict, *, before: bool) -> tuple[int, int]:
    """Fill `found` from a :86: of free text; return the span of its description."""
    joined = found["all"]
    start = _IBAN_AT_START.match(pieces[0])
    if not (start and (iban_number.is_valid if before else _iban_shaped)(start.group(1))):
        return 0, len(joined)
    # De Volksbank: "NL20INGB0001234567 P. de Boer" on the first line, the description on
    # the next ones.
    found["iban"] = start.group(1)
    found["learnt"] = not (before or check_digits_valid(found["iban"]))
    rest = (start.group(2) or "").strip()
    if not before and _bic_of(found["iban"], rest):
        # ING's older layout: the IBAN, the BIC, then the name and the description with
        # nothing between them.
        found["learnt"] = True
        return 0, len(joined)
    if len(pieces) > 1:
        found["name"] = rest
        return len(pieces[0]), len(joined)
    return 0, len(joined)


def _bic_of(iban: str, text: str) -> str:
    """Return the BIC at the start of `text` when it is one of the bank or country of
    `iban` (ING's older layout: `NL20INGB0001234567 INGBNL2A …`, `DE89… COBADEFFXXX …`)."""
    bic = _BIC_AT_START.match(text)
    if bic and (bic.group(1)[:4] == iban[4:8] or bic.group(1)[4:6] == iban[:2]):
        return bic.group(1)
    return ""


def _triodos(pieces: list[str], found: dict) -> bool:
    """Fill `found` from Triodos's layout and return True, or return False for another.

    `000>10` and the counterparty's account number from before the IBAN (zeros for none);
    `>20` … `>27` the name and description run together and cut into pieces of 27
    characters anywhere, after the BIC in `>20` and the IBAN in `>21` when there are; `>31`
    the own account. Where the name ends is not marked: it stays part of the description.
    """
    if not _TRIODOS.match(pieces[0].lstrip()):
        return False
    parts: list[list] = []  # [code, value, whether a line of the file ends with it]
    for line in pieces:
        chunks = _SUBFIELD.split(line)
        if parts and chunks[0]:
            parts[-1][1] += chunks[0]  # a line cut inside a piece
        parts += [
            [code, value, False] for code, value in zip(chunks[1::2], chunks[2::2], strict=True)
        ]
        if parts:
            parts[-1][2] = True
    values = {code: value for code, value, _ends in parts}
    texts = [part for part in parts if part[0].startswith("2")]
    iban = normalise_iban(values.get("21", ""))
    # The BIC and the account each on a line of its own, as Triodos writes them: the
    # account also when it is not an IBAN (a bank outside SEPA) or its check digits or
    # country were changed (the bank's own example: `>20BBBBAA2U`, `>21AA99BBBB0555555555`).
    ends = {code: ends_line for code, _value, ends_line in parts}
    own_lines = ends.get("20") and ends.get("21") and bool(_BIC_ALONE.fullmatch(values["20"]))
    if _iban_shaped(iban) or (own_lines and _TRIODOS_ACCOUNT.fullmatch(iban)):
        _counterparty_account(found, iban)
        texts = [part for part in texts if part[0] not in ("20", "21")]
    account = values.get("10", "").strip()
    if account.strip("0"):
        found["account"] = found["account"] or account
    run = []
    for index, (_code, value, ends_line) in enumerate(texts):
        if ends_line and index < len(texts) - 1 and len(value) < _TRIODOS_PIECE:
            value += " "  # a piece whose spaces at the line's end were taken away
        run.append(value)
    text, other = "".join(run), " ".join(value for _code, value, _ends in texts)
    card = _CARD_TERMINAL.fullmatch(re.sub(r"\s+", " ", text).strip())
    if card and not (found["iban"] or found["account"]):
        # A card payment: the shop's name before ` - TERMINAL`, which nothing else has.
        found["name"] = card.group("name")
        text = card.group("rest")
        cut = _CARD_TERMINAL.fullmatch(re.sub(r"\s+", " ", other).strip())
        other = cut.group("rest") if cut else other
    _description(found, text, other)
    return True


def _reason_first(pieces: list[str], found: dict) -> bool:
    """Fill `found` from ING's unstructured :86: of a return and return True, or return
    False for another.

    `AC04 NL20INGB0001234567 INGBNL2A P. de Boer description`: the reason code first, then
    the counterparty as in ING's older layout, whose name's end is not marked (not read).
    Nothing else marks the line as a return (`:61:` has `NOV`): read as a payment, a refund
    the payee's bank sent back would be booked as the registration's payment again.
    """
    joined = "".join(pieces)
    start = _REASON_FIRST.match(joined)
    if not (start and _iban_shaped(start.group("iban"))):
        return False
    found["returned"], found["return_reason"] = True, start.group("reason")
    found["iban"] = start.group("iban")
    rest = [pieces[0][start.end() :], *pieces[1:]] if start.end() <= len(pieces[0]) else None
    spaced = " ".join(rest) if rest is not None else joined[start.end() :]
    _description(found, spaced, joined[start.end() :])
    return True


def _knab(pieces: list[str], found: dict) -> bool:
    """Fill `found` from Knab's older layout (the description, then a line
    `REK: NL20INGB0001234567/NAAM: P. de Boer`, or `NAAM: …` alone for a card payment) and
    return True, or return False."""
    lines = [piece for piece in pieces if piece.strip()]
    last = _KNAB_ACCOUNT.fullmatch(lines[-1].strip()) if lines else None
    if last is None:
        return False
    _counterparty_account(found, last.group(1) or "")
    found["name"] = last.group(2).strip()
    _description(found, " ".join(lines[:-1]), "".join(lines[:-1]))
    return True


def _abn_amro(pieces: list[str], found: dict) -> bool:
    """Fill `found` from ABN AMRO's layout of labels and return True, or return False.

    `SEPA OVERBOEKING  IBAN: …  BIC: …  NAAM: …  OMSCHRIJVING: …  KENMERK: …`: rows of 32
    characters, one or two to a line (with a space between), a label at the start of a row
    and a long value cut into the next rows wherever the 32 characters end.
    """
    rows = []
    for line in pieces:
        cut = len(line) > _ABN_ROW + 1 and line[_ABN_ROW] == " "
        rows += [line[:_ABN_ROW], line[_ABN_ROW + 1 :]] if cut else [line]
    labelled = [bool(_ABN_LABEL.match(row)) for row in rows]
    if not rows[0].upper().startswith("SEPA ") or not any(
        _ABN_LABEL.match(row) and row[:4].upper() in ("IBAN", "NAAM") for row in rows
    ):
        return False
    run = rows[0]
    for index in range(1, len(rows)):
        full = len(rows[index - 1]) == _ABN_ROW
        run += rows[index] if full and not labelled[index] else "  " + rows[index]
    values = _labels(run)
    _counterparty_account(found, values.get("IBAN", ""))
    found["name"] = values.get("NAAM", "")
    kenmerk = values.get("KENMERK", "")
    found["end_to_end_id"] = "" if kenmerk.upper() == "NOTPROVIDED" else kenmerk
    found["reference"] = _creditor_reference(
        values.get("BETALINGSKENM.", "").replace(" ", ""), found["end_to_end_id"]
    )
    other = _labels("  ".join(rows)).get("OMSCHRIJVING", "")
    _description(found, values.get("OMSCHRIJVING", ""), other)
    return True


def _old_account(pieces: list[str], found: dict) -> bool:
    """Fill `found` from a :86: that starts with an account number from before the IBAN and
    return True, or return False for another.

    ABN AMRO (until 2014): `GIRO   428428 KPN BV             BETALINGSKENM.  …` or
    `64.45.12.113 G.B. ROTTERDAM     …`, rows of 32 characters: the name in the rest of
    the first row, or in the second when the account fills the first. ING and de Volksbank:
    `0111111111 P. DE BOER` on the first line and the description on the next lines (with
    nothing after it, where the name ends is not known: no name). The other reading of the
    description (`remittance_joined`, which matching reads too) starts with the name: a
    payer who typed a code where the name is read is still found.
    """
    first = pieces[0]
    abn = _ABN_OLD_ACCOUNT.match(first)
    if abn:
        giro, bank = abn.group("giro", "bank")
        found["account"] = f"P{giro}" if giro else bank.replace(".", "")
        if len(first) > _ABN_ROW and " " not in (first[_ABN_ROW - 1], first[_ABN_ROW]):
            # Not in rows of 32 (a line written otherwise): the account, and no name.
            rest = [first[abn.end() :], *pieces[1:]]
        else:
            rows = []
            for line in pieces:
                rows += [line[:_ABN_ROW], line[_ABN_ROW:].removeprefix(" ")]
            rows = [row for row in rows if row.strip()]
            found["name"], rest = rows[0][abn.end() :].strip(), rows[1:]
            if not found["name"] and rest and len(first) > _ABN_ROW:
                found["name"], rest = rest[0].strip(), rest[1:]
        _description(found, " ".join(rest), f"{found['name']} {''.join(rest)}")
        return True
    ten = _TEN_DIGITS_FIRST.fullmatch(first)
    rest = [piece for piece in pieces[1:] if piece.strip()]
    if not (ten and rest):
        return False
    if ten.group("account").strip("0"):
        found["account"] = ten.group("account")
    found["name"] = ten.group("name")
    iban = _IBAN_AT_START.match(found["name"])
    typed = _TYPE_IBAN_BIC.fullmatch(found["name"])
    if iban and _iban_shaped(iban.group(1)):
        # ING in 2012 and 2013: the account number, then the IBAN and BIC before the name.
        found["iban"], name = iban.group(1), (iban.group(2) or "").strip()
        found["name"] = name[len(_bic_of(found["iban"], name)) :].strip()
    elif typed and _iban_shaped(typed.group("iban")) and _bic_of(*typed.group("iban", "bic")):
        # ... or the kind of payment, the IBAN and BIC, and the name at the next line's
        # start (`Europese Incasso doorlopend NL69INGB0123456789 INGBNL2A`): not read.
        found["iban"], found["name"] = typed.group("iban"), ""
        rest = [typed.group("text"), *rest]
    _description(found, " ".join(rest), f"{found['name']} {''.join(rest)}")
    return True


def _labels(text: str) -> dict[str, str]:
    """Return the values of ABN AMRO's labels in `text`, by label in capitals."""
    matches = list(_ABN_LABEL.finditer(text))
    values: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = re.sub(r"\s+", " ", text[match.end() : end]).strip()
        values.setdefault(match.group(1).upper(), value)
    return values


def _counterparty_account(found: dict, account: str) -> None:
    """Put `account` in `found` as the counterparty's IBAN, or as its account when it is
    not an IBAN."""
    account = normalise_iban(account)
    found["iban" if _iban_shaped(account) else "account"] = account


def _description(found: dict, text: str, other: str) -> None:
    """Put the description `text` in `found`, and `other` (its other reading) when it differs."""
    found["remittance"] = re.sub(r"\s+", " ", text).strip()
    other = re.sub(r"\s+", " ", other).strip()
    found["remittance_joined"] = other if other != found["remittance"] else ""


def _creditor_reference(reference: str, end_to_end_id: str) -> str:
    """Return `reference`, else an RF reference given as the end-to-end id (as accounting
    software sends it), else ""."""
    if not reference and iso11649.is_valid(end_to_end_id):
        return iso11649.compact(end_to_end_id)
    return reference


# The layouts of free text that `read_details` knows, besides the IBAN and name first.
_LAYOUTS = (_reason_first, _triodos, _knab, _abn_amro, _old_account)


def _fields(joined: str, *, before: bool = False) -> tuple[dict[str, tuple[int, int]], bool]:
    """Return each field code's value span in `joined`: the first of a code that repeats
    (the first that is not empty, as Rabobank writes `/REMI//REMI/text`); and whether a
    code or value was read that was not read before (`read_details`)."""
    matches = list((_FIELD_BEFORE if before else _FIELD).finditer(joined))
    fields: dict[str, tuple[int, int]] = {}
    learnt = False
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(joined)
        code = match.group(1)
        empty = code in fields and not joined[slice(*fields[code])].strip("/ ")
        if code not in fields or (empty and not before):
            learnt = learnt or code in fields or code in _CODES_SINCE
            fields[code] = (match.end(), end)
    return fields, learnt


def _structured(
    fields: dict[str, tuple[int, int]], found: dict, *, before: bool
) -> tuple[int, int]:
    """Fill `found` from the fields of a structured :86:; return the free text's span."""
    text = found["all"]

    def value(code: str) -> str:
        start, end = fields.get(code, (0, 0))
        return text[start:end].strip().strip("/").strip()

    end_to_end = value("EREF")
    if end_to_end.upper() != "NOTPROVIDED":
        found["end_to_end_id"] = end_to_end
    if "RTRN" in fields:
        found["returned"] = True
        found["return_reason"] = value("RTRN")
    found["name"] = value("NAME")
    found["iban"] = normalise_iban(value("IBAN"))
    counterparty = "CNTP" if "CNTP" in fields else ""
    if not (before or counterparty):
        # ING's InsideBusiness Payments until 2014: /BENM/ (money out) or /ORDP/ (in) as
        # /CNTP/, where Rabobank has /BENM//NAME/…
        spans = {code: fields.get(code, (0, 0)) for code in ("BENM", "ORDP")}
        counterparty = next(
            (c for c, at in spans.items() if _ACCOUNT_BIC.match(text[slice(*at)])), ""
        )
        found["learnt"] = found["learnt"] or bool(counterparty)
    if counterparty:
        # ING: /CNTP/account/BIC/name/city/
        start, end = fields[counterparty]
        parts = text[start:end].removesuffix("/").split("/")
        found["iban"] = found["iban"] or normalise_iban(parts[0])
        found["name"] = found["name"] or "/".join(parts[2:-1] if len(parts) > 3 else parts[2:3])
    found["name"] = found["name"].strip()
    if not before:
        if found["iban"] and not _iban_shaped(found["iban"]):
            # An account that is not an IBAN (ING's /CNTP/0001234567, the customer's own
            # savings account): kept as the counterparty's account.
            found["iban"], found["account"], found["learnt"] = "", found["iban"], True
        found["account"] = found["account"] or normalise_iban(value("BBAN"))  # Knab
        if not (found["iban"] or found["account"]) and "ACCW" in fields:
            # Rabobank until 2014: /ACCW/NL54INGB0006752576,INGBNL2A/ (the BIC after a comma)
            _counterparty_account(found, value("ACCW").split(",")[0])
    reference = value("CDTRREF")
    remittance_span = fields.get("REMI", (0, 0))
    if "REMI" in fields:
        start, end = fields["REMI"]
        remittance = text[start:end]
        if remittance.startswith("USTD/"):
            remittance_span = (start + 5, end)  # ING: /REMI/USTD//text/
        elif remittance.startswith("STRD/") or (not before and remittance.startswith("SCOR/")):
            # ING: /REMI/STRD/CUR/reference/ (the issuer, then the reference); until 2014
            # InsideBusiness Payments wrote SCOR for STRD.
            found["learnt"] = found["learnt"] or remittance.startswith("SCOR/")
            parts = remittance[5:].strip("/").split("/")
            reference = reference or (parts[1] if len(parts) > 1 else parts[0]).strip()
            remittance_span = (end, end)
        elif not before and (issued := _ISSUER_REF.fullmatch(re.sub(r"\s+", " ", remittance))):
            # ABN AMRO: a structured reference as "/REMI/Issuer: CUR Ref: 1234…/"
            reference, found["learnt"] = reference or issued.group(1), True
    found["reference"] = _creditor_reference(reference, found["end_to_end_id"]).replace(" ", "")
    start, end = remittance_span
    # The free text ends with the field's closing slash in ING's layout.
    while end > start and text[end - 1] in "/ ":
        end -= 1
    while start < end and text[start] in "/ ":
        start += 1
    card = None
    if not (before or found["name"] or found["iban"] or found["account"]):
        card = _CARD_TERMINAL.fullmatch(text, start, end)
    if card:
        # Triodos's card payment: `/REMI/USTD//Shop - Town - Terminal 0568 - …/`.
        found["name"] = re.sub(r"\s+", " ", card.group("name"))
        found["learnt"], start = True, card.start("rest")
    return start, end
