"""Book a CAMT.053 bank statement: match credit lines to registrations, once each.

A line matches a registration of the organiser when its structured reference is the
registration's RF reference (check digits valid: any amount is booked, so partial and
overpayments show), or when its free text names the registration's code or RF reference
and the amount is exactly what the registration still owes (free text is typed by
people, so the amount must confirm it). Everything else waits on the unmatched screen.

A file is recognised by its hash and a line by the bank's entry reference (or a hash of
its facts): importing the same file, or an overlapping one, books nothing twice.
Importing books the lines and their payments in one transaction; confirming the
registrations, invoices and mails follow in the background (`tasks.settle_payments`).
"""

import hashlib
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import formats, timezone

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event
from goedeburen.registration.models import Registration

from .. import camt, exceptions, queries, tasks
from ..enums import PaymentState, ProviderName, TransactionState
from ..exceptions import PaymentError
from ..models import BankStatement, BankTransaction, Payment
from ..reference import code_from_reference, codes_in_text
from .payments import settle_registration

ZERO = Decimal("0.00")


def import_statement(event: Event, *, filename: str, data: bytes, by=None) -> BankStatement:
    """Import a CAMT.053 file for the event's organiser, or raise `PaymentError`.

    Codes: "camt_invalid" (not a statement we can read: nothing is written),
    "camt_duplicate" (this very file was imported before: nothing is booked again).

    Side effects: the statement and its new credit lines stored; a paid bank-transfer
    payment per matched line; log entry; a `settle_payments` task enqueued.
    """
    try:
        statement_data = camt.parse_statement(data)
    except camt.CamtError as unreadable:
        raise PaymentError(
            exceptions.CAMT_INVALID % {"reason": unreadable.reason}, code="camt_invalid"
        ) from unreadable
    organiser = event.organiser
    file_hash = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():
            return _book(event, statement_data, filename=filename, file_hash=file_hash, by=by)
    except IntegrityError as clash:
        # The same file or line imported at the same moment by someone else: theirs counts.
        previous = BankStatement.objects.filter(organiser=organiser, file_hash=file_hash).first()
        if previous is None:
            raise PaymentError(
                exceptions.CAMT_INVALID % {"reason": "imported at the same time elsewhere"},
                code="camt_duplicate",
            ) from clash
        raise _duplicate(previous) from clash


def _duplicate(previous: BankStatement) -> PaymentError:
    when = formats.date_format(timezone.localtime(previous.created), "j F Y, H:i")
    return PaymentError(exceptions.CAMT_DUPLICATE % {"when": when}, code="camt_duplicate")


def _book(event, parsed: camt.Statement, *, filename, file_hash, by) -> BankStatement:
    organiser = event.organiser
    previous = BankStatement.objects.filter(organiser=organiser, file_hash=file_hash).first()
    if previous is not None:
        raise _duplicate(previous)
    statement = BankStatement.objects.create(
        organiser=organiser,
        event=event,
        filename=filename[:255],
        file_hash=file_hash,
        message_id=parsed.message_id[:100],
        iban=parsed.iban[:34],
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    keys = [line.key for line in parsed.lines]
    known = set(
        BankTransaction.objects.filter(organiser=organiser, entry_key__in=keys).values_list(
            "entry_key", flat=True
        )
    )
    new_lines, seen = [], set(known)
    for line in parsed.lines:
        if line.key not in seen:
            seen.add(line.key)
            new_lines.append(line)

    candidates = {line.key: _candidates(line) for line in new_lines}
    codes = {code for strong, weak in candidates.values() for code in (*strong, *weak)}
    registrations = Registration.objects.filter(event__organiser=organiser, code__in=codes).in_bulk(
        field_name="code"
    )
    owed = open_amounts([r.pk for r in registrations.values()])

    now = timezone.now()
    rows, payments = [], []
    for line in new_lines:
        registration = _match(line, candidates[line.key], registrations, owed)
        row = BankTransaction(
            statement=statement,
            organiser=organiser,
            entry_key=line.key,
            amount=line.amount,
            booking_date=line.booking_date,
            debtor_name=line.debtor_name,
            debtor_iban=line.debtor_iban,
            reference=line.reference,
            remittance=line.remittance,
            state=TransactionState.MATCHED if registration else TransactionState.UNMATCHED,
            registration=registration,
        )
        rows.append(row)
        if registration is not None:
            owed[registration.pk] = owed.get(registration.pk, ZERO) - line.amount
            payments.append(
                Payment(
                    registration=registration,
                    provider=ProviderName.BANK_TRANSFER,
                    amount=line.amount,
                    state=PaymentState.PAID,
                    provider_reference=line.key,
                    confirmed=now,
                    settled=False,
                )
            )
    Payment.objects.bulk_create(payments)
    by_key = {payment.provider_reference: payment for payment in payments}
    for row in rows:
        row.payment = by_key.get(row.entry_key)
    BankTransaction.objects.bulk_create(rows)

    statement.lines_new = len(rows)
    statement.lines_known = len(parsed.lines) - len(rows)
    statement.lines_matched = len(payments)
    statement.save(update_fields=["lines_new", "lines_known", "lines_matched"])
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
            "debit_lines_skipped": parsed.debit_lines,
        },
    )
    if payments:
        ids = [payment.pk for payment in payments]
        # In chunks: one task per 200 payments keeps each task short.
        for start in range(0, len(ids), 200):
            enqueue_on_commit(tasks.settle_payments, ids[start : start + 200])
    return statement


def _candidates(line: camt.StatementLine) -> tuple[list[str], list[str]]:
    """Return (codes from the structured reference, codes named in the free text)."""
    strong = []
    code = code_from_reference(line.reference)
    if code:
        strong.append(code)
    weak = codes_in_text(" ".join([line.remittance, line.reference]))
    return strong, [c for c in weak if c not in strong]


def _match(line, candidates, registrations, owed) -> Registration | None:
    strong, weak = candidates
    for code in strong:
        if code in registrations:
            return registrations[code]
    for code in weak:
        registration = registrations.get(code)
        if registration is not None and owed.get(registration.pk) == line.amount:
            return registration
    return None


def open_amounts(registration_ids: list[int]) -> dict[int, Decimal]:
    """Return, per registration id, what it still owes (see `queries.Balance`), in 4 queries."""
    if not registration_ids:
        return {}
    return {pk: found.open for pk, found in queries.balances(registration_ids).items()}


def settle_payments(payment_ids: list[int]) -> int:
    """Settle the registrations of booked bank payments, once each; return how many.

    Each payment in its own transaction, locked and skipped when already settled, so a
    task that runs twice (or the cron sweep beside it) settles nothing twice.
    Side effects per payment: log entry; those of `settle_registration`.
    """
    done = 0
    for pk in sorted(payment_ids):
        with transaction.atomic():
            payment = (
                Payment.objects.select_for_update()
                .select_related("registration")
                .filter(pk=pk, settled=False)
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


def assign_transaction(transaction_row: BankTransaction, *, code: str, by) -> Payment:
    """Book an unmatched bank line for the registration with `code`, or raise `PaymentError`.

    Side effects: a paid bank-transfer payment; the line matched; log entries; the
    registration settled (`settle_registration`).
    """
    code = (code or "").strip().upper()
    with transaction.atomic():
        row = BankTransaction.objects.select_for_update().get(pk=transaction_row.pk)
        if row.state != TransactionState.UNMATCHED:
            raise PaymentError(exceptions.WRONG_STATE, code="wrong_state")
        registration = Registration.objects.filter(
            event__organiser_id=row.organiser_id, code=code
        ).first()
        if registration is None:
            raise PaymentError(exceptions.NOT_FOUND % {"code": code}, code="not_found")
        payment = Payment.objects.create(
            registration=registration,
            provider=ProviderName.BANK_TRANSFER,
            amount=row.amount,
            state=PaymentState.PAID,
            provider_reference=row.entry_key,
            confirmed=timezone.now(),
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        row.state = TransactionState.MATCHED
        row.registration = registration
        row.payment = payment
        row.save(update_fields=["state", "registration", "payment"])
        log_action(row, action="bank_transaction.assigned", by=by, data={"code": code})
        log_action(
            registration,
            action="payment.paid",
            by=by,
            data={
                "payment": payment.pk,
                "provider": ProviderName.BANK_TRANSFER,
                "amount": str(row.amount),
                "note": row.remittance[:200],
            },
        )
        settle_registration(registration, payment=payment, by=by)
    return payment


def dismiss_transaction(transaction_row: BankTransaction, *, note: str, by) -> BankTransaction:
    """Mark an unmatched bank line as not a registration's payment (with why), or refuse.

    Side effects: the line dismissed; log entry.
    """
    with transaction.atomic():
        row = BankTransaction.objects.select_for_update().get(pk=transaction_row.pk)
        if row.state != TransactionState.UNMATCHED:
            raise PaymentError(exceptions.WRONG_STATE, code="wrong_state")
        row.state = TransactionState.DISMISSED
        row.note = note[:500]
        row.save(update_fields=["state", "note"])
        log_action(row, action="bank_transaction.dismissed", by=by, data={"note": row.note})
    return row
