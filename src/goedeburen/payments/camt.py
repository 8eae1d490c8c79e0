"""Read a CAMT.053 bank statement (ISO 20022, versions 001.02 to 001.08) into plain lines.

Pure Python, no Django. The file is parsed with defusedxml, which refuses a DTD (and with it
entity tricks such as XXE and "billion laughs"). Only booked credit lines are returned; a
batch entry with several transaction details becomes one line per transaction.
"""

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError  # noqa: S405 (types only; parsing is defusedxml)

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

_NAMESPACE = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0([2-8])\}Document$")
# A statement of a bank's day is a few MB; anything far bigger is not what we expect.
MAX_BYTES = 50 * 1024 * 1024


class CamtError(ValueError):
    """The data is not a CAMT.053 statement we can read; `reason` says why, in English."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, kw_only=True)
class StatementLine:
    key: str
    amount: Decimal
    booking_date: str  # ISO date
    debtor_name: str
    debtor_iban: str
    reference: str
    remittance: str


@dataclass(frozen=True, kw_only=True)
class Statement:
    version: str
    message_id: str
    iban: str
    lines: list[StatementLine]
    debit_lines: int


def parse_statement(data: bytes) -> Statement:
    """Return the booked credit lines of a CAMT.053 file, or raise `CamtError`."""
    if len(data) > MAX_BYTES:
        raise CamtError("the file is larger than 50 MB")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as refused:
        raise CamtError("the file declares a DTD or entities, as bank files never do") from (
            refused
        )
    except (ParseError, ValueError) as broken:
        raise CamtError(f"not well-formed XML ({broken})") from broken
    match = _NAMESPACE.match(root.tag)
    if not match:
        raise CamtError("not a camt.053.001.02 to .08 document")
    ns = {"c": root.tag[1:].split("}")[0]}
    statements = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if not statements:
        raise CamtError("the document holds no statement")
    message_id = _text(root, "c:BkToCstmrStmt/c:GrpHdr/c:MsgId", ns)
    lines: list[StatementLine] = []
    debits = 0
    iban = ""
    for statement in statements:
        iban = iban or _text(statement, "c:Acct/c:Id/c:IBAN", ns)
        for entry in statement.findall("c:Ntry", ns):
            indicator = _text(entry, "c:CdtDbtInd", ns)
            if indicator not in ("CRDT", "DBIT"):
                raise CamtError("an entry has no credit/debit indicator")
            if indicator == "DBIT":
                debits += 1
                continue
            status = _text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns)
            if status and status != "BOOK":
                continue  # pending or informational: booked in a later statement
            lines += _entry_lines(entry, ns)
    return Statement(
        version=f"camt.053.001.0{match.group(1)}",
        message_id=message_id,
        iban=iban,
        lines=lines,
        debit_lines=debits,
    )


def _entry_lines(entry: Element, ns: dict) -> list[StatementLine]:
    amount = _amount(entry.find("c:Amt", ns))
    booking_date = (
        _text(entry, "c:BookgDt/c:Dt", ns)
        or _text(entry, "c:BookgDt/c:DtTm", ns)[:10]
        or _text(entry, "c:ValDt/c:Dt", ns)
    )
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", booking_date):
        raise CamtError("an entry has no booking date")
    entry_ref = _text(entry, "c:AcctSvcrRef", ns) or _text(entry, "c:NtryRef", ns)
    details = entry.findall("c:NtryDtls/c:TxDtls", ns)
    if not details:
        return [
            _line(entry, None, ns, amount=amount, booking_date=booking_date, ref=entry_ref, n=0)
        ]
    lines = []
    for n, tx in enumerate(details):
        tx_amount = tx.find("c:AmtDtls/c:TxAmt/c:Amt", ns)
        if tx_amount is None:
            tx_amount = tx.find("c:Amt", ns)
        value = amount if tx_amount is None or len(details) == 1 else _amount(tx_amount)
        tx_ref = _text(tx, "c:Refs/c:AcctSvcrRef", ns)
        ref = tx_ref or (f"{entry_ref}/{n}" if entry_ref and len(details) > 1 else entry_ref)
        lines.append(_line(entry, tx, ns, amount=value, booking_date=booking_date, ref=ref, n=n))
    return lines


def _line(entry, tx, ns, *, amount, booking_date, ref, n) -> StatementLine:
    source = tx if tx is not None else entry
    debtor_name = (
        _text(source, "c:RltdPties/c:Dbtr/c:Pty/c:Nm", ns)  # .08
        or _text(source, "c:RltdPties/c:Dbtr/c:Nm", ns)
    )
    debtor_iban = _text(source, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN", ns)
    reference = _text(source, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)
    remittance = " ".join(
        (element.text or "").strip() for element in source.findall("c:RmtInf/c:Ustrd", ns)
    ).strip()
    if not ref:
        # No reference from the bank: the line's own facts identify it in any file.
        facts = "|".join(
            [booking_date, str(amount), debtor_iban, debtor_name, reference, remittance, str(n)]
        )
        ref = "sha256:" + hashlib.sha256(facts.encode()).hexdigest()[:40]
    return StatementLine(
        key=ref[:100],
        amount=amount,
        booking_date=booking_date,
        debtor_name=debtor_name[:200],
        debtor_iban=debtor_iban[:34],
        reference=reference[:35],
        remittance=remittance,
    )


def _amount(element: Element | None) -> Decimal:
    if element is None or not element.text:
        raise CamtError("an entry has no amount")
    if element.get("Ccy", "EUR") != "EUR":
        raise CamtError(f"an amount is in {element.get('Ccy')}, not euros")
    try:
        value = Decimal(element.text.strip())
    except InvalidOperation as bad:
        raise CamtError(f"the amount “{element.text.strip()}” is not a number") from bad
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise CamtError(f"the amount {value} is not a positive amount in cents")
    return value.quantize(Decimal("0.01"))


def _text(element: Element, path: str, ns: dict) -> str:
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None else ""
