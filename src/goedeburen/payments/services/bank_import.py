"""Book a CAMT.053 or MT940 bank statement: every real payment once, never two as one.

What file: a CAMT.053 or MT940 file as `bank_files.read_statement` reads it
(`camt.parse_statement`, `mt940_statements.parse_statement`), or a ZIP archive of them
(`bank_files.statement_files`), booked all or nothing. Anything else is refused with a
message that says what it is (a CSV export, a camt.052 or camt.054 file, an MT942 …).

Which file: a file is the same file as one imported before when its hash is, or when its
statements' identity is (accounts, statement ids, sequence numbers, creation times, periods:
a bank that exports the same statement again). Importing it again books nothing and says so.

Which line: a line is the same as one imported before only when all its facts and its
occurrence among identical lines are (`camt.StatementLine.fingerprint`, `occurrence`), for
the same organiser and account. A bank reference decides nothing: ABN AMRO repeats one on
every payment of a batch, ING reuses a payment's for its return and restarts them daily,
Rabobank gives none. Uniqueness is per organiser and account, never platform-wide.

What a credit line matches: the registrations it names, by its structured reference (an RF
reference with valid check digits), by codes or RF references in its free text, or by the
numbers of their invoices in its free text (`reference.invoice_numbers_in_text`: this
organiser's invoices only; a credit note's number names nothing, it never pays). Then:

- one registration, named by the structured reference: booked whatever the amount, so
  partial and overpayments show (one that had nothing left to pay gets it as an
  overpayment to resolve);
- one registration, named only in the free text: booked when the amount is exactly what it
  still owes (free text is typed by people, so the amount must confirm it);
- several registrations (an accounts-payable system paying two invoices at once): booked
  as one payment each of what each still owes, all from this line, when each owes
  something and together they owe exactly the amount. Never the whole line to one of them:
  the other would stay unpaid and its follow-up might cancel someone who paid.

Everything else waits on the unmatched screen, with suggestions, where a person can book
it for one registration or split it over several (`assign_transaction`,
`split_transaction`).

What is skipped and listed, never a reason to refuse the file: zero amounts, other
currencies, amounts with more than two decimals, pending entries, money going out, and
reversals of money going out. A return or reversal of an earlier credit undoes its payments
(each becomes "returned", each registration is flagged for the organiser); a return of one
share of a split line undoes that share's payment when exactly one has its amount, and
otherwise waits on the unmatched screen, where it can only be dismissed. Money in that
undoes one of those returns (the bank reversing its own return) waits there too, for a
person to book or dismiss; other reversals of money going out are skipped.

The statement's account must be the organiser's IBAN; another account is refused and
nothing is stored. Importing books the lines and their payments in one transaction;
confirming the registrations, invoices and mails follows in the background
(`tasks.settle_payments`).
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext
from stdnum import iban as iban_number

from goedeburen.common import money
from goedeburen.common.audit import log_action
from goedeburen.common.collector import collector_paused
from goedeburen.common.tasks import enqueue_each_on_commit
from goedeburen.events.models import Event, Organiser
from goedeburen.registration.models import Registration

from .. import bank_files, camt, exceptions, queries, tasks
from ..enums import (
    InvoiceKind,
    PaymentState,
    ProviderName,
    SkipReason,
    StatementFormat,
    TransactionKind,
    TransactionState,
)
from ..exceptions import PaymentError
from ..models import BankStatement, BankTransaction, Invoice, Payment
from ..reference import code_from_reference, codes_in_text, invoice_numbers_in_text
from .payments import settle_registration

ZERO = Decimal("0.00")
_SKIP = {
    camt.SKIP_ZERO: SkipReason.ZERO,
    camt.SKIP_CURRENCY: SkipReason.CURRENCY,
    camt.SKIP_DECIMALS: SkipReason.DECIMALS,
    camt.SKIP_PENDING: SkipReason.PENDING,
    camt.SKIP_TOO_LARGE: SkipReason.TOO_LARGE,
}


def _by(by):
    return by if getattr(by, "is_authenticated", False) else None


@dataclass(frozen=True, kw_only=True)
class StatementImport:
    """What one upload booked: its new statements, in the upload's order."""

    statements: list[BankStatement]
    # Files of a ZIP archive that were imported before: nothing was booked from them again.
    known_files: list[str] = field(default_factory=list)
    # Accounts of statements in the files that are not the organiser's: left out.
    other_accounts: list[str] = field(default_factory=list)

    def line_counts(self) -> dict[str, int]:
        """Return the lines of all its statements: new, matched (booked), unmatched,
        skipped, returned and known (imported before)."""
        kinds = ("new", "matched", "unmatched", "skipped", "returned", "known")
        return {
            kind: sum(getattr(statement, f"lines_{kind}") for statement in self.statements)
            for kind in kinds
        }


def import_statements(event: Event, *, filename: str, data: bytes, by=None) -> StatementImport:
    """Import a CAMT.053 or MT940 file, or a ZIP archive of them, for the event's organiser.

    All or nothing: every file of an archive is read and checked before anything is booked,
    and all are booked in one transaction. Files of an archive that were imported before are
    passed over and named; when every file was, the upload is refused as a duplicate. A file
    that holds statements of several accounts is imported for the organiser's account; the
    others are named and left out.

    Raise `PaymentError` with code "camt_invalid" (not a statement we can read; the message
    names the format of a wrong file and the file in the archive it is about),
    "camt_account" (no statement is for the organiser's account, or the organiser has no
    IBAN) or "camt_duplicate" (imported before). After a refusal nothing is stored.

    Side effects: per file, the statement and every line stored with its outcome; a paid
    bank-transfer payment per registration a matched line pays for; returned payments marked;
    log entries; `settle_payments` tasks enqueued.
    """
    with collector_paused():  # a statement makes many objects and few cycles
        return _import(event, filename=filename, data=data, by=by)


def import_statement(event: Event, *, filename: str, data: bytes, by=None) -> BankStatement:
    """Import one CAMT.053 or MT940 file for the event's organiser, or raise `PaymentError`.

    As `import_statements` (codes, side effects), for an upload that is one statement file;
    return its statement.
    """
    return import_statements(event, filename=filename, data=data, by=by).statements[0]


def _unreadable(error: camt.CamtError) -> PaymentError:
    """Return the refusal of an unreadable file, in the user's language."""
    reason = gettext(camt.REASONS[error.code])
    if error.params:
        reason %= error.params
    if error.member:
        reason = exceptions.CAMT_IN_ARCHIVE % {"file": error.member, "reason": reason}
    return PaymentError(exceptions.CAMT_INVALID % {"reason": reason}, code="camt_invalid")


def _import(event: Event, *, filename: str, data: bytes, by) -> StatementImport:
    organiser = event.organiser
    billing = queries.organiser_billing(organiser)
    own = camt.normalise_iban(billing.iban if billing else "")
    try:
        files = bank_files.statement_files(data)
    except camt.CamtError as unreadable:
        raise _unreadable(unreadable) from unreadable
    archive = bank_files.is_archive(data)
    parsed: list[tuple[str, bytes, camt.Statement]] = []
    for member, content in files:
        try:
            parsed.append((member, content, bank_files.read_statement(content, account=own)))
        except camt.CamtError as unreadable:
            unreadable.member = member
            raise _unreadable(unreadable) from unreadable
    if not own:
        raise PaymentError(exceptions.CAMT_NO_ACCOUNT, code="camt_account")
    for _member, _content, statement in parsed:
        foreign = [account for account in statement.accounts if account != own]
        if foreign:
            raise PaymentError(
                exceptions.CAMT_ACCOUNT % {"statement": _show(foreign[0]), "organiser": _show(own)},
                code="camt_account",
            )
    hashes = [hashlib.sha256(content).hexdigest() for _member, content, _statement in parsed]
    try:
        with transaction.atomic():
            _lock_imports(organiser)
            booked, known, first_known = [], [], None
            for (member, _content, statement), file_hash in zip(parsed, hashes, strict=True):
                name = f"{filename}/{member}" if archive else filename
                previous = _previous(organiser, file_hash, statement.identity)
                if previous is not None:
                    known.append(member or filename)
                    first_known = first_known or previous
                    continue
                _refuse_other_format(organiser, statement)
                booked.append(_book(event, statement, filename=name, file_hash=file_hash, by=by))
            if not booked:
                raise _duplicate(first_known)
    except IntegrityError as clash:
        # The same file or lines imported at the same moment by someone else: theirs counts.
        for (_member, _content, statement), file_hash in zip(parsed, hashes, strict=True):
            previous = _previous(organiser, file_hash, statement.identity)
            if previous is not None:
                raise _duplicate(previous) from clash
        raise PaymentError(exceptions.CAMT_CONCURRENT, code="camt_duplicate") from clash
    other_accounts = [
        account for _m, _c, statement in parsed for account in statement.other_accounts
    ]
    return StatementImport(
        statements=booked,
        known_files=known,
        other_accounts=list(dict.fromkeys(other_accounts)),
    )


def _lock_imports(organiser) -> None:
    """Hold the organiser's other imports until this one commits, so that each sees what
    the one before it booked (`_refuse_other_format`).

    NO KEY UPDATE: rows written meanwhile that point at the organiser (invoices, log
    entries) take only a key-share lock on it, and do not wait for the import.
    """
    Organiser.objects.select_for_update(no_key=True).filter(pk=organiser.pk).values_list(
        "pk"
    ).first()


def _refuse_other_format(organiser, statement: camt.Statement) -> None:
    """Refuse `statement` when a day of its lines was read from the account's statements in
    the other format before.

    The same payment in a CAMT.053 and an MT940 statement has different facts (fingerprint),
    so importing both would book it twice. Days, not periods: a bank's MT940 period starts
    at the previous day's closing balance, and the format may change from one day to the next.
    """
    days = {line.booking_date for line in statement.lines if line.booking_date}
    if not days:
        return
    clash = (
        BankTransaction.objects.filter(
            organiser=organiser, account__in=statement.accounts, booking_date__in=days
        )
        .exclude(statement__file_format=statement.file_format)
        .select_related("statement")
        .order_by("booking_date", "pk")
        .first()
    )
    if clash is not None:
        raise PaymentError(
            exceptions.CAMT_OTHER_FORMAT
            % {
                "format": StatementFormat(statement.file_format).label,
                "date": formats.date_format(clash.booking_date, "j F Y"),
                "other": StatementFormat(clash.statement.file_format).label,
                "file": clash.statement.filename,
            },
            code="camt_format",
        )


def _show(account: str) -> str:
    return iban_number.format(account) if account else "—"


def _previous(organiser, file_hash: str, identity: str) -> BankStatement | None:
    same = Q(file_hash=file_hash)
    if identity:
        same |= Q(identity=identity)
    return BankStatement.objects.filter(same, organiser=organiser).first()


def _duplicate(previous: BankStatement) -> PaymentError:
    when = formats.date_format(timezone.localtime(previous.created), "j F Y, H:i")
    return PaymentError(
        exceptions.CAMT_DUPLICATE % {"when": when, "file": previous.filename},
        code="camt_duplicate",
    )


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _book(event, parsed: camt.Statement, *, filename, file_hash, by) -> BankStatement:
    organiser = event.organiser
    statement = BankStatement.objects.create(
        organiser=organiser,
        event=event,
        filename=filename[:255],
        file_hash=file_hash,
        identity=parsed.identity,
        message_id=parsed.message_id[:100],
        iban=parsed.iban[:34],
        statement_id=parsed.statement_id[:100],
        sequence=parsed.sequence[:20],
        bank_created=parsed.created[:40],
        period_start=_date(parsed.period_start),
        period_end=_date(parsed.period_end),
        file_format=parsed.file_format,
        uploaded_by=_by(by),
    )
    # The lines imported before, in one query: same organiser, account, facts, occurrence.
    known = {
        (account, fingerprint, occurrence): pk
        for pk, account, fingerprint, occurrence in BankTransaction.objects.filter(
            organiser=organiser,
            account__in=parsed.accounts,
            fingerprint__in={line.fingerprint for line in parsed.lines},
        )
        .exclude(state=TransactionState.KNOWN)
        .values_list("pk", "account", "fingerprint", "occurrence")
    }
    credits = [
        line
        for line in parsed.lines
        if (line.account, line.fingerprint, line.occurrence) not in known
        and line.kind == camt.KIND_CREDIT
        and not line.skip
    ]
    candidates = {id(line): _candidates(line) for line in credits}
    numbers = {number for _s, _w, found in candidates.values() for number in found}
    # An invoice number names its registration: this organiser's invoices (credited or
    # not), never a credit note's. One query, and none for a statement that names none.
    invoiced = (
        dict(
            Invoice.objects.filter(
                organiser=organiser, kind=InvoiceKind.INVOICE, number__in=numbers
            ).values_list("number", "registration__code")
        )
        if numbers
        else {}
    )
    codes = {code for strong, weak, _n in candidates.values() for code in (*strong, *weak)}
    codes.update(invoiced.values())
    # Only what matching and booking need: a statement names thousands of registrations.
    registrations = (
        Registration.objects.filter(event__organiser=organiser, code__in=codes)
        .only("pk", "code")
        .in_bulk(field_name="code")
    )
    owed = open_amounts([r.pk for r in registrations.values()])

    now = timezone.now()
    rows, returns, reversals = [], [], []
    booked: list[tuple[BankTransaction, list[Payment]]] = []
    for position, line in enumerate(parsed.lines):
        row = _row(statement, organiser, line, position)
        rows.append(row)
        first = known.get((line.account, line.fingerprint, line.occurrence))
        if first is not None:
            row.state, row.duplicate_of_id = TransactionState.KNOWN, first
        elif line.skip:
            row.state, row.skip_reason = TransactionState.SKIPPED, _SKIP[line.skip]
        elif line.kind == camt.KIND_DEBIT:
            row.state, row.skip_reason = TransactionState.SKIPPED, SkipReason.DEBIT
        elif line.kind == camt.KIND_DEBIT_REVERSAL:
            row.state, row.skip_reason = TransactionState.SKIPPED, SkipReason.DEBIT_REVERSAL
            reversals.append(row)  # unless it undoes a return: looked for below
        elif line.kind == camt.KIND_RETURN:
            row.state = TransactionState.RETURNED  # settled below, once the credits exist
            returns.append(row)
        else:
            strong, weak, found = candidates[id(line)]
            named = (strong, [*weak, *(invoiced[n] for n in found if n in invoiced)])
            shares, overpaid = _match(line, named, registrations, owed)
            if not shares:
                row.state = TransactionState.UNMATCHED
                continue
            row.state, row.overpaid = TransactionState.MATCHED, overpaid
            line_payments = []
            for registration, amount in shares:
                owed[registration.pk] = owed.get(registration.pk, ZERO) - amount
                line_payments.append(
                    Payment(
                        registration_id=registration.pk,
                        provider=ProviderName.BANK_TRANSFER,
                        amount=amount,
                        state=PaymentState.PAID,
                        payer_name=line.counterparty_name,
                        payer_iban=line.counterparty_iban,
                        confirmed=now,
                        settled=False,
                    )
                )
            booked.append((row, line_payments))
    BankTransaction.objects.bulk_create(rows, batch_size=1000)
    payments = []
    for row, line_payments in booked:
        for payment in line_payments:
            payment.bank_transaction_id = row.pk
            payments.append(payment)
    Payment.objects.bulk_create(payments, batch_size=1000)
    returned = [row for row in returns if _return(row, by=by)]
    for row in reversals:
        _reversed_return(row)

    counts = {state: 0 for state in TransactionState.values}
    for row in rows:
        counts[row.state] += 1
    statement.lines_known = counts[TransactionState.KNOWN]
    statement.lines_new = len(rows) - statement.lines_known
    statement.lines_matched = counts[TransactionState.MATCHED]
    statement.lines_unmatched = counts[TransactionState.UNMATCHED]
    statement.lines_skipped = counts[TransactionState.SKIPPED]
    statement.lines_returned = len(returned)
    statement.save(
        update_fields=[
            "lines_new",
            "lines_known",
            "lines_matched",
            "lines_unmatched",
            "lines_skipped",
            "lines_returned",
        ]
    )
    log_action(
        statement,
        action="bank_statement.imported",
        by=by,
        data={
            "file": statement.filename,
            "version": parsed.version,
            "new": statement.lines_new,
            "known": statement.lines_known,
            "matched": statement.lines_matched,
            "skipped": statement.lines_skipped,
            "returned": statement.lines_returned,
        },
    )
    if payments:
        ids = [payment.pk for payment in payments]
        # In chunks: one task per 200 payments keeps each task short (their rows written
        # in one statement).
        enqueue_each_on_commit(
            tasks.settle_payments,
            [(ids[start : start + 200],) for start in range(0, len(ids), 200)],
        )
    return statement


def _row(statement, organiser, line: camt.StatementLine, position: int) -> BankTransaction:
    return BankTransaction(
        # Keys, not objects: each related object set costs a descriptor's work, per line.
        statement_id=statement.pk,
        organiser_id=organiser.pk,
        account=line.account,
        fingerprint=line.fingerprint,
        occurrence=line.occurrence,
        position=position,
        entry_key=line.bank_reference,
        end_to_end_id=line.end_to_end_id,
        kind=line.kind,
        amount=line.amount,
        currency=line.currency,
        amount_text=line.amount_text,
        booking_date=line.booking_date,
        debtor_name=line.counterparty_name,
        debtor_iban=line.counterparty_iban,
        debtor_account=line.counterparty_account,
        reference=line.reference,
        remittance=line.remittance,
        return_reason=line.return_reason,
    )


def _candidates(line: camt.StatementLine) -> tuple[list[str], list[str], list[str]]:
    """Return (codes from the structured reference, codes named in the free text, invoice
    numbers named in the free text)."""
    strong = []
    code = code_from_reference(line.reference)
    if code:
        strong.append(code)
    text = " ".join([line.remittance, line.reference, line.remittance_joined])
    weak = codes_in_text(text)
    return strong, [c for c in weak if c not in strong], invoice_numbers_in_text(text)


def _match(line, named, registrations, owed) -> tuple[list[tuple[Registration, Decimal]], bool]:
    """Return what the line pays for, as (registration, amount) pairs, and whether its one
    registration had nothing left to pay; no pairs when it waits for a person.

    `named` is (codes from the structured reference, codes from the free text and invoice
    numbers); the rules are in the module's docstring.
    """
    strong, weak = named
    by_structure = [registrations[code] for code in strong if code in registrations]
    found = list(
        dict.fromkeys(by_structure + [registrations[c] for c in weak if c in registrations])
    )
    if len(found) == 1:
        registration = found[0]
        still = owed.get(registration.pk, ZERO)
        if by_structure:
            return [(registration, line.amount)], still <= ZERO
        return ([(registration, line.amount)] if still == line.amount else []), False
    opens = [owed.get(registration.pk, ZERO) for registration in found]
    if len(found) > 1 and all(o > ZERO for o in opens) and sum(opens) == line.amount:
        return list(zip(found, opens, strict=True)), False
    return [], False


def _return(row: BankTransaction, *, by) -> bool:
    """Undo the credit that the return or reversal `row` sends back; return whether found.

    The credit is the latest earlier line of the same organiser and account with the same
    amount that is not returned yet and names the same bank reference, end-to-end id or
    payer's account (ING reuses the payment's reference for its return). Failing that, one
    share of such a line booked for several registrations: the one payment of exactly the
    returned amount, undone alone. When such lines exist but not exactly one payment fits
    (two shares of that amount, or none), the return waits on the unmatched screen for a
    person, who knows which registration it concerns; nothing is undone.
    """
    same = _facts_in_common(row)
    original = share = None
    if same:
        earlier = BankTransaction.objects.select_for_update().filter(
            same,
            organiser_id=row.organiser_id,
            account=row.account,
            kind=TransactionKind.CREDIT,
            state__in=[TransactionState.MATCHED, TransactionState.UNMATCHED],
            booking_date__lte=row.booking_date,
            pk__lt=row.pk,
        )
        found = (
            earlier.filter(amount=row.amount)
            .exclude(returned_by__isnull=False)
            .order_by("-booking_date", "-pk")[:50]
        )

        def agreement(line):  # how many of the return's own facts the line shares
            return sum(
                [
                    bool(row.entry_key) and line.entry_key == row.entry_key,
                    bool(row.end_to_end_id) and line.end_to_end_id == row.end_to_end_id,
                    bool(row.debtor_iban) and line.debtor_iban == row.debtor_iban,
                ]
            )

        # The line that shares most facts; of those, the latest (the list is latest first).
        original = max(found, key=agreement, default=None)
        if original is None:
            larger = list(
                earlier.filter(state=TransactionState.MATCHED, amount__gt=row.amount).order_by(
                    "-booking_date", "-pk"
                )[:50]
            )
            if larger:
                best = max(agreement(line) for line in larger)
                closest = {line.pk: line for line in larger if agreement(line) == best}
                fits = list(
                    Payment.objects.select_for_update(of=("self",))
                    .select_related("registration")
                    .filter(
                        bank_transaction_id__in=closest,
                        state=PaymentState.PAID,
                        amount=row.amount,
                    )[:2]
                )
                if len(fits) != 1:
                    row.state = TransactionState.UNMATCHED  # for a person: see the docstring
                    row.save(update_fields=["state"])
                    return False
                share = fits[0]
                original = closest[share.bank_transaction_id]
    if original is None:
        row.state, row.skip_reason = TransactionState.SKIPPED, SkipReason.RETURN_UNKNOWN
        row.save(update_fields=["state", "skip_reason"])
        return False
    row.reverses = original
    row.save(update_fields=["reverses"])
    if original.state == TransactionState.UNMATCHED:
        # Never booked: the line leaves the unmatched list, there is nothing to undo.
        original.state = TransactionState.DISMISSED
        original.save(update_fields=["state"])
        return True
    # Every payment booked from the line (a split line paid for several registrations), or
    # the one share sent back.
    undone = (
        [share]
        if share
        else Payment.objects.select_for_update(of=("self",))
        .select_related("registration")
        .filter(bank_transaction=original, state=PaymentState.PAID)
        .order_by("pk")
    )
    for payment in undone:
        payment.state = PaymentState.RETURNED
        payment.returned_by_line = row
        # A return in the same file as its payment: nothing to settle any more.
        payment.settled = True
        payment.save(update_fields=["state", "returned_by_line", "settled"])
        log_action(
            payment.registration,
            action="payment.returned",
            by=by,
            data={
                "payment": payment.pk,
                "provider": payment.provider,
                "amount": str(payment.amount),
                "reason": row.return_reason,
            },
        )
    return True


def _facts_in_common(row: BankTransaction) -> Q:
    """Return the condition for lines that share a bank reference, end-to-end id or the
    payer's account with `row` (empty when it has none)."""
    same = Q()
    if row.entry_key:
        same |= Q(entry_key=row.entry_key)
    if row.end_to_end_id:
        same |= Q(end_to_end_id=row.end_to_end_id)
    if row.debtor_iban:
        same |= Q(debtor_iban=row.debtor_iban)
    return same


def _reversed_return(row: BankTransaction) -> None:
    """Put money in that undoes one of the bank's returns on the unmatched screen.

    A bank may reverse its own return (the money it sent back comes in again), or the
    payer's bank may refuse the return. Such a line is money for the registration whose
    payment was returned, but whether it is due again (the registration may be cancelled
    or paid otherwise meanwhile) is for a person: it waits, pointing at the return
    (`reverses`), and nothing is booked. Recognised by an earlier return of the same
    organiser and account, of the same amount, not reversed yet, with a bank reference,
    end-to-end id or account in common; anything else stays skipped as the reversal of
    money out (such as a refund sent back).
    """
    same = _facts_in_common(row)
    if not same:
        return
    earlier = (
        BankTransaction.objects.filter(
            same,
            organiser_id=row.organiser_id,
            account=row.account,
            kind=TransactionKind.RETURN,
            state=TransactionState.RETURNED,
            amount=row.amount,
            booking_date__lte=row.booking_date,
            pk__lt=row.pk,
        )
        .exclude(returned_by__isnull=False)
        .order_by("-booking_date", "-pk")
        .first()
    )
    if earlier is None:
        return
    row.state, row.skip_reason, row.reverses = TransactionState.UNMATCHED, "", earlier
    row.save(update_fields=["state", "skip_reason", "reverses"])


def open_amounts(registration_ids: list[int]) -> dict[int, Decimal]:
    """Return, per registration id, what it still owes (see `queries.Balance`), in 4 queries."""
    if not registration_ids:
        return {}
    return {pk: found.open for pk, found in queries.balances(registration_ids).items()}


def settle_payments(payment_ids: list[int]) -> int:
    """Settle the registrations of booked bank payments, once each; return how many.

    Each payment in its own transaction, locked and skipped when already settled (or
    returned by the bank meanwhile), so a task that runs twice (or the cron sweep beside it)
    settles nothing twice. Side effects per payment: log entry; those of `settle_registration`.
    """
    done = 0
    for pk in sorted(payment_ids):
        with transaction.atomic():
            payment = (
                # The payment and its registration locked, as before; the event and organiser
                # read with them (not locked): the log entry names them.
                Payment.objects.select_for_update(of=("self", "registration"))
                .select_related("registration__event__organiser")
                .filter(pk=pk, settled=False, state=PaymentState.PAID)
                .first()
            )
            if payment is None:
                continue
            payment.settled = True
            payment.save(update_fields=["settled"])
            log_action(
                payment.registration,
                action="payment.paid",
                data={
                    "payment": payment.pk,
                    "provider": payment.provider,
                    "amount": str(payment.amount),
                },
            )
            settle_registration(payment.registration, payment=payment)
        done += 1
    return done


def _lock_line(pk: int) -> BankTransaction:
    """Return the bank line `pk`, locked until the transaction ends (a seam for race tests)."""
    return BankTransaction.objects.select_for_update().get(pk=pk)


def assign_transaction(transaction_row: BankTransaction, *, code: str, by) -> Payment:
    """Book an unmatched bank line for the registration with `code`, or raise `PaymentError`.

    Two people assigning the same line at once: the line is locked, the second finds it
    handled and gets "wrong_state"; any other conflict is "conflict", never a crash.

    Side effects: as `split_transaction`, for one registration and the whole amount.
    """
    code = (code or "").strip().upper()
    return _book_by_hand(transaction_row, shares=[(code, None)], by=by)[0]


def split_transaction(
    transaction_row: BankTransaction, *, shares: list[tuple[str, Decimal]], by
) -> list[Payment]:
    """Book an unmatched bank line for several registrations, each `(code, amount)` of
    `shares`, or raise `PaymentError` and change nothing.

    Refused: a code twice ("split_twice"), an amount of €0.00 or less ("amount_invalid"),
    amounts that do not add up to exactly the line's ("split_sum"), an unknown code
    ("not_found"), a line handled meanwhile ("wrong_state", as `assign_transaction`).

    Side effects: per share a paid bank-transfer payment from the line with the payer's name
    and IBAN; the line matched; log entries (the line's, and each registration's); each
    registration settled (`settle_registration`).
    """
    shares = [((code or "").strip().upper(), amount) for code, amount in shares]
    codes = [code for code, _amount in shares]
    if len(set(codes)) != len(codes):
        raise PaymentError(exceptions.SPLIT_TWICE, code="split_twice")
    if any(amount is None or amount <= ZERO for _code, amount in shares):
        raise PaymentError(exceptions.AMOUNT_INVALID, code="amount_invalid")
    return _book_by_hand(transaction_row, shares=shares, by=by)


def _book_by_hand(row: BankTransaction, *, shares, by) -> list[Payment]:
    try:
        with transaction.atomic():
            return _assign(row.pk, shares=shares, by=by)
    except IntegrityError as clash:
        raise PaymentError(exceptions.CONFLICT, code="conflict") from clash


def _assign(pk: int, *, shares: list[tuple[str, Decimal | None]], by) -> list[Payment]:
    row = _lock_line(pk)
    if row.state != TransactionState.UNMATCHED:
        raise PaymentError(exceptions.WRONG_STATE, code="wrong_state")
    if row.kind not in (TransactionKind.CREDIT, TransactionKind.DEBIT_REVERSAL):
        # A return that waits for a person: money out, never a registration's payment.
        # (Money in that undoes a return may be booked again.)
        raise PaymentError(exceptions.NOT_A_PAYMENT, code="not_a_payment")
    # (code, None): the whole line.
    shares = [(code, row.amount if amount is None else amount) for code, amount in shares]
    total = sum((amount for _code, amount in shares), ZERO)
    if total != row.amount:
        raise PaymentError(
            exceptions.SPLIT_SUM % {"total": money.euro(total), "amount": money.euro(row.amount)},
            code="split_sum",
        )
    found = Registration.objects.filter(
        event__organiser_id=row.organiser_id, code__in=[code for code, _amount in shares]
    ).in_bulk(field_name="code")
    for code, _amount in shares:
        if code not in found:
            raise PaymentError(exceptions.NOT_FOUND % {"code": code}, code="not_found")
    now = timezone.now()
    payments = [
        Payment.objects.create(
            registration=found[code],
            bank_transaction=row,
            provider=ProviderName.BANK_TRANSFER,
            amount=amount,
            state=PaymentState.PAID,
            payer_name=row.debtor_name,
            payer_iban=row.debtor_iban,
            confirmed=now,
            created_by=_by(by),
        )
        for code, amount in shares
    ]
    row.state = TransactionState.MATCHED
    row.save(update_fields=["state"])
    if len(shares) == 1:
        log_action(row, action="bank_transaction.assigned", by=by, data={"code": shares[0][0]})
    else:
        log_action(
            row,
            action="bank_transaction.split",
            by=by,
            data={"shares": ", ".join(f"{code} {amount}" for code, amount in shares)},
        )
    for payment in payments:
        log_action(
            payment.registration,
            action="payment.paid",
            by=by,
            data={
                "payment": payment.pk,
                "provider": ProviderName.BANK_TRANSFER,
                "amount": str(payment.amount),
                "note": row.remittance[:200],
            },
        )
    # Registrations in one order (their keys), as every other settler locks them.
    for payment in sorted(payments, key=lambda payment: payment.registration_id):
        settle_registration(payment.registration, payment=payment, by=by)
    return payments


def dismiss_transaction(transaction_row: BankTransaction, *, note: str, by) -> BankTransaction:
    """Mark an unmatched bank line as not a registration's payment (with why), or refuse.

    Side effects: the line dismissed; log entry.
    """
    with transaction.atomic():
        row = _lock_line(transaction_row.pk)
        if row.state != TransactionState.UNMATCHED:
            raise PaymentError(exceptions.WRONG_STATE, code="wrong_state")
        row.state = TransactionState.DISMISSED
        row.note = note[:500]
        row.save(update_fields=["state", "note"])
        log_action(row, action="bank_transaction.dismissed", by=by, data={"note": row.note})
    return row
