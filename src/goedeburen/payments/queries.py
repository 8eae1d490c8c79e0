"""Reads of payment settings, balances, invoices and bank lines that several places share."""

import datetime as dt
import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from goedeburen.common import prepared
from goedeburen.common.prepared import Prepared, fetch_together
from goedeburen.common.versioned import PerVersion
from goedeburen.events.models import Event, Organiser
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Registration

from .enums import InvoiceKind, PaymentState, RefundState, TransactionState
from .models import (
    BankStatement,
    BankTransaction,
    Invoice,
    InvoiceLine,
    OrganiserBilling,
    Payment,
    PaymentSettings,
    Refund,
)

ZERO = Decimal("0.00")


def payment_settings(event: Event) -> PaymentSettings:
    """Return the event's payment settings, or the defaults when it has none."""
    found = PaymentSettings.objects.filter(event=event).first()
    return found or PaymentSettings(event=event)


def organiser_billing(organiser: Organiser) -> OrganiserBilling | None:
    """Return the organiser's invoice details, or None when none are entered."""
    return OrganiserBilling.objects.filter(organiser=organiser).first()


@dataclass(frozen=True, kw_only=True)
class Balance:
    """What a registration owes and what came in, in euros.

    `due` is the net of its invoices and credit notes once it is invoiced, else the total
    of its tickets (nothing for a cancelled one); `paid` its confirmed payments less
    refunds. `open` is what is left to pay; a negative `open` is an overpayment.
    """

    due: Decimal
    paid: Decimal

    @property
    def open(self) -> Decimal:
        return self.due - self.paid

    @property
    def settled(self) -> bool:
        return self.due > ZERO and self.paid >= self.due

    @property
    def overpaid(self) -> Decimal:
        return max(self.paid - self.due, ZERO)

    @classmethod
    def of(
        cls,
        *,
        invoiced: Decimal | None,
        cancelled: bool,
        tickets: Decimal,
        paid: Decimal,
        refunded: Decimal,
    ) -> "Balance":
        """Return the balance from the sums: the one place where the rule is written.

        `invoiced` is None for a registration without invoices or credit notes.
        """
        if invoiced is not None:
            due = invoiced
        elif cancelled:
            due = ZERO
        else:
            due = tickets
        # In cents: SQLite sums decimals as floating point and gives them without places.
        return cls(due=due.quantize(ZERO), paid=(paid - refunded).quantize(ZERO))


def balance(registration: Registration) -> Balance:
    """Return the registration's `Balance`, in one query (the sums as subqueries), compiled
    once per process: every payment settled, every payment page and every mail with
    payment details asks this, and building the query cost the ORM several times what
    running it costs."""
    found = _BALANCE.fetch(pk=registration.pk)
    if not found:
        raise Registration.DoesNotExist("Registration matching query does not exist.")
    sums = found[0]
    # Attendees read already (and perhaps not saved yet) count as they are.
    prefetched = "attendees" in getattr(registration, "_prefetched_objects_cache", {})
    return Balance.of(
        invoiced=sums.invoiced if sums.invoiced_any else None,
        cancelled=registration.status == RegistrationStatus.CANCELLED,
        tickets=registration.total if prefetched else sums.tickets,
        paid=sums.paid,
        refunded=sums.refunded,
    )


def _balance_sums(pk: int) -> QuerySet[Registration]:
    """Return the registration `pk` (its key only) with the sums `balance` needs."""

    def summed(queryset, field: str, by: str):
        return Coalesce(
            Subquery(
                queryset.values(by).annotate(total=Sum(field)).values("total"),
                output_field=_MONEY,
            ),
            Value(ZERO),
            output_field=_MONEY,
        )

    payments = Payment.objects.filter(registration=OuterRef("pk"), state=PaymentState.PAID)
    refunds = Refund.objects.filter(
        payment__registration=OuterRef("pk"),
        state__in=[RefundState.PENDING, RefundState.REFUNDED],
    )
    invoices = Invoice.objects.filter(registration=OuterRef("pk"))
    return (
        Registration.objects.filter(pk=pk)
        .only("pk")
        .annotate(
            paid=summed(payments, "amount", "registration"),
            refunded=summed(refunds, "amount", "payment__registration"),
            invoiced=summed(invoices, "total", "registration"),
            invoiced_any=Exists(invoices),
            tickets=summed(
                Attendee.objects.filter(registration=OuterRef("pk")), "price", "registration"
            ),
        )
    )


_MONEY = DecimalField(max_digits=12, decimal_places=2)
_BALANCE = Prepared(_balance_sums, samples={"pk": 1}, others={"pk": 2})


def balances(registration_ids) -> dict[int, Balance]:
    """Return the `Balance` of each registration in `registration_ids`, in four queries.

    The same figures as `balance`, for lists and mailing segments.
    """
    ids = list(registration_ids)

    def sums(queryset, key):
        return {row[key]: row["total"] or ZERO for row in queryset}

    paid = sums(
        Payment.objects.filter(registration_id__in=ids, state=PaymentState.PAID)
        .values("registration_id")
        .annotate(total=Sum("amount")),
        "registration_id",
    )
    refunded = sums(
        Refund.objects.filter(
            payment__registration_id__in=ids,
            state__in=[RefundState.PENDING, RefundState.REFUNDED],
        )
        .values("payment__registration_id")
        .annotate(total=Sum("amount")),
        "payment__registration_id",
    )
    invoiced = sums(
        Invoice.objects.filter(registration_id__in=ids)
        .values("registration_id")
        .annotate(total=Sum("total")),
        "registration_id",
    )
    tickets = {
        row["pk"]: (row["status"], row["total"] or ZERO)
        for row in Registration.objects.filter(pk__in=ids)
        .values("pk", "status")
        .annotate(total=Sum("attendees__price"))
    }
    return {
        pk: Balance.of(
            invoiced=invoiced.get(pk),
            cancelled=status == RegistrationStatus.CANCELLED,
            tickets=ticket_total,
            paid=paid.get(pk, ZERO),
            refunded=refunded.get(pk, ZERO),
        )
        for pk, (status, ticket_total) in tickets.items()
    }


@dataclass(frozen=True, kw_only=True)
class PaymentSetup:
    """How an event is paid for: its settings, the providers it can offer at all and the
    organiser's invoice details (the seller on its invoices; None when none are entered)."""

    settings: PaymentSettings
    providers: list[str]
    seller: OrganiserBilling | None = None


def payment_setup(event: Event) -> PaymentSetup:
    """Return the event's `PaymentSetup`, read once per version of the event (the payment
    settings and the organiser's invoice details move it on: `payments.versioning`)."""
    return _SETUPS.get(event)


def _read_payment_setup(event: Event) -> PaymentSetup:
    from .providers import get_provider

    settings = payment_settings(event)
    return PaymentSetup(
        settings=settings,
        seller=organiser_billing(event.organiser),
        providers=[
            name for name in settings.enabled_providers() if get_provider(name).is_available(event)
        ],
    )


_SETUPS = PerVersion("payments:setup2", _read_payment_setup)  # 2: with the seller


def forget_payment_setups() -> None:
    """Forget what this process keeps of `payment_setup` (for tests that clear the cache)."""
    _SETUPS.forget()


@dataclass(frozen=True, kw_only=True)
class PaymentOverview:
    """What the booker's pages show about paying, computed once."""

    balance: Balance
    invoices: list[Invoice]
    current: Invoice | None
    setup: PaymentSetup


# Written out: the confirmation page that every booker loads runs it (and the booking's POST
# when the way to pay is chosen in the form), and the ORM's version (two correlated
# subqueries, then the invoices with the ones they credit) cost several times more CPU to
# build than to run. One row per invoice (one with no invoice columns when there is none),
# each with the sums (and the tickets' total, for a registration whose attendees were not
# read already); the registration's key is its every parameter but the states.
# tests/payments/test_payment_overview.py checks it against `balance`,
# `current_invoice` and `registration_invoices`.
_OVERVIEW_SQL = """
SELECT s.paid, s.refunded, s.tickets, {invoice_columns}
FROM (
    SELECT
        (SELECT COALESCE(SUM(p.amount), 0) FROM payments_payment p
            WHERE p.registration_id = %s AND p.state = %s) AS paid,
        (SELECT COALESCE(SUM(r.amount), 0) FROM payments_refund r
            JOIN payments_payment p ON p.id = r.payment_id
            WHERE p.registration_id = %s AND r.state IN (%s, %s))
            AS refunded,
        (SELECT COALESCE(SUM(a.price), 0) FROM registration_attendee a
            WHERE a.registration_id = %s) AS tickets
) s
LEFT JOIN payments_invoice i ON i.registration_id = %s
ORDER BY i.year, i.sequence
"""


@functools.cache
def _overview_sql() -> tuple[str, list]:
    """Return the query of `payment_overview` and the converters of the invoice columns
    (as the ORM's compiler finds them: by column number, those that have any)."""
    qn = connection.ops.quote_name
    converters = []
    for index, field in enumerate(Invoice._meta.concrete_fields):
        column = field.get_col(Invoice._meta.db_table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if functions:
            converters.append((index, functions, column))
    columns = ", ".join(f"i.{qn(f.column)}" for f in Invoice._meta.concrete_fields)
    return _OVERVIEW_SQL.format(invoice_columns=columns), converters


def payment_overview(registration: Registration) -> PaymentOverview:
    """Return the registration's balance, invoices, current invoice and payment setup.

    The same figures as `balance`, `current_invoice` and `registration_invoices` (each
    credit note with the invoice it credits), in one query, the setup cached per version
    of the event.
    """
    sql, converters = _overview_sql()
    pk = registration.pk
    with connection.cursor() as cursor:
        # Prepared on the server (planning it cost PostgreSQL more than running it).
        prepared.execute(
            cursor,
            sql,
            [pk, PaymentState.PAID, pk, RefundState.PENDING, RefundState.REFUNDED, pk, pk],
        )
        found = cursor.fetchall()
    paid, refunded, tickets = found[0][:3]
    invoices = []
    for row in found:
        if row[3] is None:  # no invoice: the sums alone
            continue
        values = list(row[3:])
        for index, functions, column in converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        invoices.append(Invoice.from_db(connection.alias, None, values))
    prefetched = "attendees" in getattr(registration, "_prefetched_objects_cache", {})
    by_id = {invoice.pk: invoice for invoice in invoices}
    for invoice in invoices:
        if invoice.credits_id is not None and invoice.credits_id in by_id:
            invoice.credits = by_id[invoice.credits_id]  # credit notes credit their own
    credited = {i.credits_id for i in invoices if i.credits_id is not None}
    current = None
    for invoice in invoices:
        if invoice.kind == InvoiceKind.INVOICE and invoice.pk not in credited:
            current = invoice  # the newest one left, as `current_invoice` takes it
    balance = Balance.of(
        invoiced=sum((i.total for i in invoices), ZERO) if invoices else None,
        cancelled=registration.status == RegistrationStatus.CANCELLED,
        # Attendees read already (and perhaps not saved yet) count as they are.
        tickets=registration.total if prefetched else Decimal(str(tickets)).quantize(ZERO),
        paid=Decimal(str(paid)).quantize(ZERO),
        refunded=Decimal(str(refunded)).quantize(ZERO),
    )
    return PaymentOverview(
        balance=balance,
        invoices=invoices,
        current=current,
        setup=payment_setup(registration.event),
    )


def current_invoice(registration: Registration) -> Invoice | None:
    """Return the registration's invoice that no credit note cancelled, if any (a query
    compiled once: every payment settled asks it)."""
    found = _CURRENT_INVOICE.fetch(registration=registration.pk)
    return found[0] if found else None


def _current_invoice(registration: int) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(registration=registration, kind=InvoiceKind.INVOICE)
        .filter(credit_note__isnull=True)
        .order_by("-year", "-sequence")[:1]
    )


def registration_invoices(registration: Registration) -> list[Invoice]:
    """Return the registration's invoices and credit notes, oldest first."""
    return list(
        Invoice.objects.filter(registration=registration)
        .select_related("credits")
        .order_by("year", "sequence")
    )


def _invoice(pk: int) -> QuerySet[Invoice]:
    return Invoice.objects.select_related("credits", "event", "registration").filter(pk=pk)


def _invoice_lines(invoice: int) -> QuerySet[InvoiceLine]:
    return InvoiceLine.objects.filter(invoice=invoice).order_by("order", "pk")


_CURRENT_INVOICE = Prepared(
    _current_invoice, samples={"registration": 1}, others={"registration": 2}
)
# Every PDF, e-invoice and invoice mail reads an invoice this way: compiled once.
_INVOICE = Prepared(_invoice, samples={"pk": 1}, others={"pk": 2})
_INVOICE_LINES = Prepared(_invoice_lines, samples={"invoice": 1}, others={"invoice": 2})


def invoice_with_lines(invoice_id: int) -> Invoice:
    """Return an invoice with its lines and the invoice it credits.

    As `select_related("credits", "event", "registration")` with the lines prefetched in
    order would (`invoice.lines.all()` asks nothing more): two compiled queries, sent
    together.
    """
    found, lines = fetch_together(
        (_INVOICE, {"pk": invoice_id}), (_INVOICE_LINES, {"invoice": invoice_id})
    )
    if not found:
        raise Invoice.DoesNotExist("Invoice matching query does not exist.")
    invoice = found[0]
    for line in lines:
        line.invoice = invoice
    prefetched = invoice.lines.all()
    prefetched._result_cache = lines
    prefetched._prefetch_done = True
    invoice._prefetched_objects_cache = {"lines": prefetched}
    return invoice


def registration_payments(registration: Registration) -> list[Payment]:
    """Return the registration's payments with their refunds, newest first."""
    return list(
        Payment.objects.filter(registration=registration)
        .select_related("created_by")
        .prefetch_related("refunds")
    )


def event_invoices(
    event: Event, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Invoice]:
    """Return the event's invoices and credit notes (issued from `start` to `end`), in order."""
    found = Invoice.objects.filter(event=event)
    if start:
        found = found.filter(issue_date__gte=start)
    if end:
        found = found.filter(issue_date__lte=end)
    return found.select_related("registration", "credits").order_by("year", "sequence")


def event_payments(
    event: Event, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Payment]:
    """Return the event's payments (made from `start` to `end`), oldest first, with their
    registrations and refunds."""
    found = Payment.objects.filter(registration__event=event)
    if start:
        found = found.filter(created__date__gte=start)
    if end:
        found = found.filter(created__date__lte=end)
    return (
        found.select_related("registration").prefetch_related("refunds").order_by("created", "pk")
    )


def open_invoices(event: Event) -> list[tuple[Invoice, Balance]]:
    """Return the event's invoices not credited whose registration still owes money.

    Five queries whatever the number of invoices: the sums are taken per registration.
    """
    invoices = list(
        Invoice.objects.filter(event=event, kind=InvoiceKind.INVOICE, credit_note__isnull=True)
        .select_related("registration")
        .order_by("due_date", "sequence")
    )
    found = balances({invoice.registration_id for invoice in invoices})
    return [
        (invoice, found[invoice.registration_id])
        for invoice in invoices
        if found[invoice.registration_id].open > ZERO
    ]


def unmatched_transactions(organiser: Organiser) -> QuerySet[BankTransaction]:
    """Return the organiser's bank lines that wait for a person to assign or dismiss them."""
    return (
        BankTransaction.objects.filter(organiser=organiser, state=TransactionState.UNMATCHED)
        .select_related("statement", "reverses__reverses")
        # The reversal of a return: the payments that return undid.
        .prefetch_related(
            "reverses__returned_payments__registration",
            "reverses__reverses__payments__registration",
        )
    )


def flagged_payments(event: Event) -> QuerySet[Payment]:
    """Return the event's payments that came in after the seats were gone."""
    return Payment.objects.filter(registration__event=event, seat_lost=True).select_related(
        "registration"
    )


def stuck_refunds(event: Event) -> QuerySet[Refund]:
    """Return the event's pending refunds whose last try did not go through (an error
    recorded): the sweep tries them again daily, but one Mollie will never make waits for a
    person (`services.payments.cancel_refund`, `refund_paid_by_hand`). Oldest first."""
    return (
        Refund.objects.filter(payment__registration__event=event, state=RefundState.PENDING)
        .exclude(error="")
        .select_related("payment__registration")
        .order_by("created", "pk")
    )


def returned_payments(event: Event) -> QuerySet[Payment]:
    """Return the event's bank payments that the bank sent back (returns, reversals)."""
    return Payment.objects.filter(
        registration__event=event, state=PaymentState.RETURNED
    ).select_related("registration")


def overpaid_lines(event: Event) -> QuerySet[BankTransaction]:
    """Return the event's bank lines booked for a registration that had nothing left to pay."""
    # Only a line with one registration is ever overpaid (a split pays what each owes).
    return BankTransaction.objects.filter(
        payments__registration__event=event, overpaid=True, state=TransactionState.MATCHED
    ).prefetch_related("payments__registration")


def bank_statements(organiser: Organiser) -> QuerySet[BankStatement]:
    """Return the organiser's imported statements, newest first, for lists and exports."""
    return BankStatement.objects.filter(organiser=organiser).select_related("uploaded_by")


def statement_lines(statement: BankStatement) -> QuerySet[BankTransaction]:
    """Return every line of `statement` in file order, with what became of it."""
    return (
        BankTransaction.objects.filter(statement=statement)
        .select_related("duplicate_of__statement", "reverses")
        .prefetch_related(
            "returned_by",
            "payments__registration",
            "reverses__payments__registration",
            "returned_payments__registration",
        )
        .order_by("position", "pk")
    )


def bank_lines(organiser: Organiser) -> QuerySet[BankTransaction]:
    """Return all of the organiser's bank lines with their statements, for exports."""
    return (
        BankTransaction.objects.filter(organiser=organiser)
        .select_related("statement", "reverses")
        .prefetch_related(
            "payments__registration",
            "reverses__payments__registration",
            "returned_payments__registration",
        )
        .order_by("statement__created", "position", "pk")
    )


@dataclass(frozen=True, kw_only=True)
class Suggestion:
    """An open registration an unmatched bank line may pay for, and why it is suggested."""

    registration: Registration
    open: Decimal
    reason: str  # "code" (a code close to its code in the text) or "name"


def suggestions(lines: list[BankTransaction], *, limit: int = 3) -> dict[int, list[Suggestion]]:
    """Return, per unmatched line id, up to `limit` open registrations it may pay for.

    A registration is suggested when it still owes exactly the line's amount and either a
    word of the line's text is its code with one or two characters wrong, or the payer's
    name is close to its booker's name or billing organisation (without a payer's name, as
    Triodos's MT940 gives: the description's first words). Five queries, whatever the
    number of lines.
    """
    if not lines:
        return {}
    organisers = {line.organiser_id for line in lines}
    amounts = {line.amount for line in lines}
    open_ones = list(
        Registration.objects.filter(
            event__organiser_id__in=organisers,
            status__in=[RegistrationStatus.PENDING_PAYMENT, RegistrationStatus.CONFIRMED],
        ).only(
            "pk",
            "code",
            "booker_name",
            "billing_organisation",
            "event_id",
            "status",
        )
    )
    found = balances([registration.pk for registration in open_ones])
    by_amount: dict[Decimal, list[Registration]] = {}
    for registration in open_ones:
        owed = found[registration.pk].open
        if owed > ZERO and owed in amounts:
            by_amount.setdefault(owed, []).append(registration)
    result = {}
    for line in lines:
        words = {word.upper() for word in _WORD.findall(f"{line.remittance} {line.reference}")}
        payer = _simple(line.debtor_name)
        # Triodos's MT940 runs the payer's name into the description without marking its
        # end: for a line without a name, the description's first words are compared.
        opening = [] if payer else _simple(line.remittance).split()
        picked = []
        for registration in by_amount.get(line.amount, []):
            reason = ""
            if any(_close(word, registration.code) for word in words):
                reason = "code"
            elif any(
                _similar(payer, name) if payer else _opens_with(opening, name)
                for name in _names(registration)
            ):
                reason = "name"
            if reason:
                picked.append(
                    Suggestion(registration=registration, open=line.amount, reason=reason)
                )
        picked.sort(key=lambda s: (s.reason != "code", s.registration.code))
        result[line.pk] = picked[:limit]
    return result


_WORD = re.compile(r"[A-Za-z0-9]{6,12}")


def _simple(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", folded.lower()))


def _close(word: str, code: str) -> bool:
    """Return whether `word` is `code` with at most two characters wrong (never exact:
    an exact code would have matched by itself)."""
    if len(word) != len(code) or word == code:
        return False
    return sum(a != b for a, b in zip(word, code, strict=True)) <= 2


def _names(registration: Registration) -> list[str]:
    """Return the booker's name and billing organisation of `registration` as compared."""
    return [
        _simple(name)
        for name in (registration.booker_name, registration.billing_organisation)
        if name
    ]


def _opens_with(words: list[str], name: str) -> bool:
    """Return whether `words` start with `name` (two words or more), give or take a word
    (initials: "j h de vries" for "jan de vries")."""
    size = len(name.split())
    if size < 2:
        return False
    return any(
        _similar(" ".join(words[:count]), name)
        for count in (size - 1, size, size + 1)
        if 2 <= count <= len(words)
    )


def _similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b or set(a.split()) <= set(b.split()) or set(b.split()) <= set(a.split()):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8
