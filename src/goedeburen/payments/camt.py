"""Read a CAMT.053 bank statement (ISO 20022, versions 001.02 to 001.08) into plain lines.

Pure Python, no Django. The file is parsed with defusedxml, which refuses a DTD (and with it
entity tricks such as XXE and "billion laughs").

Every entry becomes at least one line, and a batched entry (`NtryDtls` with several
`TxDtls`, such as ABN AMRO's acceptgiro batches) one line per transaction. Nothing here
decides what a line is worth: each line says what it is (`kind`: a credit, a debit, the
return or reversal of an earlier credit, or the reversal of a debit) and, when the import
cannot book it, why (`skip`: zero, foreign currency, more than two decimals, pending).

A line carries a `fingerprint`, a hash of all its own facts (account, dates, direction,
amount, the bank's references, counterparty, descriptions), and an `occurrence`: the
how-manieth line with that fingerprint in the file. Two identical transfers on one day are
two lines (occurrences 1 and 2); the same line in an overlapping statement has the same
fingerprint and occurrence. A bank reference alone never identifies a line: banks repeat
it within a batch, reuse it for a return, restart it every day, or give none at all.
"""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError  # noqa: S405 (types only; parsing is defusedxml)

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

_NAMESPACE = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0([2-8])\}Document$")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A statement of a bank's day is a few MB; anything far bigger is not what we expect.
MAX_BYTES = 50 * 1024 * 1024

CREDIT, DEBIT = "CRDT", "DBIT"
# What a line is (`StatementLine.kind`).
KIND_CREDIT = "credit"  # money in: a payment, perhaps
KIND_DEBIT = "debit"  # money out: the organiser's own spending
KIND_RETURN = "return"  # money out that sends an earlier credit back (return or reversal)
KIND_DEBIT_REVERSAL = "debit_reversal"  # money in that undoes an earlier debit
# Why the import cannot book a line (`StatementLine.skip`); "" when it can.
SKIP_ZERO = "zero"
SKIP_CURRENCY = "currency"
SKIP_DECIMALS = "decimals"
SKIP_PENDING = "pending"
# ISO 20022 bank transaction sub-family codes of returns and reversals.
_RETURN_CODES = {"RRTN", "RPCR", "ARET", "RVSL"}


class CamtError(ValueError):
    """The data is not a CAMT.053 statement we can read; `reason` says why, in English."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
    reference: str  # structured creditor reference (RF…)
    remittance: str  # the free text: Ustrd, else AddtlTxInf, else AddtlNtryInf
    return_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Statement:
    version: str
    message_id: str
    iban: str
    accounts: list[str]
    identity: str  # accounts, statement ids, sequence numbers and creation times
    statement_id: str
    sequence: str
    created: str
    period_start: str
    period_end: str
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def debit_lines(self) -> int:
        return sum(1 for line in self.lines if line.kind == KIND_DEBIT)


def normalise_iban(value: str) -> str:
    """Return `value` without spaces, in capitals, as IBANs are compared."""
    return re.sub(r"\s+", "", value or "").upper()


def parse_statement(data: bytes) -> Statement:
    """Return the lines of a CAMT.053 file, or raise `CamtError` for a file we cannot read."""
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
    facts: list[tuple[str, dict]] = []
    identities, accounts = [], []
    for statement in statements:
        account = normalise_iban(_text(statement, "c:Acct/c:Id/c:IBAN", ns))
        if not account:
            other = _text(statement, "c:Acct/c:Id/c:Othr/c:Id", ns)
            account = normalise_iban(other)
        if not account:
            raise CamtError("a statement names no account")
        if account not in accounts:
            accounts.append(account)
        statement_id = _text(statement, "c:Id", ns)
        sequence = _text(statement, "c:ElctrncSeqNb", ns) or _text(statement, "c:LglSeqNb", ns)
        created = _text(statement, "c:CreDtTm", ns)
        if statement_id:
            identities.append("|".join([account, statement_id, sequence, created]))
        for entry in statement.findall("c:Ntry", ns):
            for line in _entry_lines(entry, ns, account=account):
                facts.append((_fingerprint(line), line))
    first = statements[0]
    seen: Counter = Counter()
    lines = []
    for fingerprint, line in facts:
        seen[fingerprint] += 1
        lines.append(StatementLine(fingerprint=fingerprint, occurrence=seen[fingerprint], **line))
    return Statement(
        version=f"camt.053.001.0{match.group(1)}",
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
        period_start=_text(first, "c:FrToDt/c:FrDtTm", ns)[:10],
        period_end=_text(first, "c:FrToDt/c:ToDtTm", ns)[:10],
        lines=lines,
    )


def _fingerprint(line: dict) -> str:
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
    facts = "\x1f".join([str(line[key]) for key in keys] + [line.pop("_extra")])
    return hashlib.sha256(facts.encode()).hexdigest()


def _entry_lines(entry: Element, ns: dict, *, account: str) -> list[dict]:
    node = _Node(entry, ns["c"], stop="c:NtryDtls")
    indicator = node.text("c:CdtDbtInd")
    if indicator not in (CREDIT, DEBIT):
        raise CamtError("an entry has no credit/debit indicator")
    booking_date = (
        node.text("c:BookgDt/c:Dt")
        or node.text("c:BookgDt/c:DtTm")[:10]
        or node.text("c:ValDt/c:Dt")
        or node.text("c:ValDt/c:DtTm")[:10]
    )
    if not _DATE.fullmatch(booking_date):
        raise CamtError("an entry has no booking date")
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
    }
    if not details:
        return [_line(node, ns, amount=entry_amount, ref=entry_ref, **common)]
    lines = []
    for tx in details:
        tx_node = _Node(tx, ns["c"])
        tx_amount = tx_node.find("c:AmtDtls/c:TxAmt/c:Amt")
        if tx_amount is None:
            tx_amount = tx_node.find("c:Amt")
        if tx_amount is None or len(details) == 1:
            tx_amount = entry_amount if tx_amount is None else tx_amount
        ref = tx_node.text("c:Refs/c:AcctSvcrRef") or entry_ref
        tx_common = dict(common)
        tx_indicator = tx_node.text("c:CdtDbtInd")
        if tx_indicator in (CREDIT, DEBIT):
            tx_common["indicator"] = tx_indicator
        tx_family = tx_node.text("c:BkTxCd/c:Domn/c:Fmly/c:SubFmlyCd")
        tx_common["family"] = tx_family or family
        lines.append(_line(tx_node, ns, amount=tx_amount, ref=ref, **tx_common))
    return lines


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
) -> dict:
    value, currency, amount_text, skip = _amount(amount)
    return_info = source.find("c:RtrInf")
    return_reason = ""
    if return_info is not None:
        return_reason = _text(return_info, "c:Rsn/c:Cd", ns) or _text(return_info, "c:AddtlInf", ns)
    is_return = reversal or return_info is not None or family in _RETURN_CODES
    if indicator == CREDIT:
        kind = KIND_DEBIT_REVERSAL if reversal else KIND_CREDIT
        party = "Dbtr"
    else:
        kind = KIND_RETURN if is_return else KIND_DEBIT
        party = "Cdtr"
    # A return's counterparty is whom the money goes back to: the original payer (the
    # debtor of the original credit), whom banks put under either name.
    names = [party, "Dbtr", "Cdtr"] if kind == KIND_RETURN else [party]
    counterparty_name = counterparty_iban = ""
    for name in names:
        counterparty_name = counterparty_name or (
            source.text(f"c:RltdPties/c:{name}/c:Pty/c:Nm")  # .08
            or source.text(f"c:RltdPties/c:{name}/c:Nm")
        )
        counterparty_iban = counterparty_iban or normalise_iban(
            source.text(f"c:RltdPties/c:{name}Acct/c:Id/c:IBAN")
        )
    remittance = " ".join(
        (element.text or "").strip() for element in source.findall("c:RmtInf/c:Ustrd")
    ).strip()
    # Some banks put the description only in the additional information.
    remittance = remittance or source.text("c:AddtlTxInf") or entry_info
    if not skip and status and status != "BOOK":
        skip = SKIP_PENDING  # pending or informational: booked in a later statement
    end_to_end = source.text("c:Refs/c:EndToEndId")
    if end_to_end.upper() == "NOTPROVIDED":
        end_to_end = ""
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
        "reference": source.text("c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref")[:35],
        "remittance": remittance,
        "return_reason": return_reason[:100],
        "_extra": extra,
    }


def _amount(element: Element | None) -> tuple[Decimal, str, str, str]:
    """Return (amount in cents, currency, text as written, skip reason) of an amount."""
    if element is None or not (element.text or "").strip():
        raise CamtError("an entry has no amount")
    text = element.text.strip()
    currency = (element.get("Ccy") or "EUR").strip().upper()
    try:
        value = Decimal(text)
    except InvalidOperation as bad:
        raise CamtError(f"the amount “{text}” is not a number") from bad
    if not value.is_finite() or value < 0 or value >= Decimal("1e8"):
        raise CamtError(f"the amount “{text}” is not an amount")
    skip = ""
    if currency != "EUR":
        skip = SKIP_CURRENCY
    elif value == 0:
        skip = SKIP_ZERO
    elif value != value.quantize(Decimal("0.01")):
        skip = SKIP_DECIMALS
    return value.quantize(Decimal("0.01")), currency[:3], text[:40], skip


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
        brace = f"{{{namespace}}}"
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
