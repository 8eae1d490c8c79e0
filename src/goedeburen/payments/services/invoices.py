"""Issue invoices and credit notes: gap-free numbers from a locked counter, never changed.

A number is taken inside the issuing transaction from the organiser's counter row for the
year, locked with SELECT … FOR UPDATE: two invoices issued at once wait for each other, and
a transaction that rolls back gives its number back with it, so the series has no gaps and
no duplicates (DESIGN.md, invariant 4).
"""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils import formats, timezone, translation

from goedeburen.common.audit import log_action, log_entry, logged
from goedeburen.common.prepared import Prepared, fetch_together
from goedeburen.common.rows import insert_together
from goedeburen.common.tasks import Pending, enqueue_on_commit
from goedeburen.events.models import Event, Organiser
from goedeburen.registration.models import Attendee, Registration

from .. import exceptions, queries, tasks
from ..enums import InvoiceKind
from ..exceptions import PaymentError
from ..mailing import queue_invoice_mail
from ..models import Invoice, InvoiceCounter, InvoiceLine, OrganiserBilling, PaymentSettings
from ..reference import creditor_reference, format_reference
from ..vat import Item, breakdown


def _today() -> dt.date:
    return timezone.localdate()


def _locked(pk: int, today: dt.date):
    """The registration, locked, with what issuing its invoice reads (see `issue_invoice`)."""
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event__organiser__billing")
        .annotate(
            _payment_settings=Subquery(
                PaymentSettings.objects.filter(event=OuterRef("event")).values(
                    json=JSONObject(**{name: name for name in _SETTINGS})
                )
            ),
            _has_invoice=Exists(
                Invoice.objects.filter(
                    registration=OuterRef("pk"),
                    kind=InvoiceKind.INVOICE,
                    credit_note__isnull=True,
                )
            ),
            _invoiced_today=Exists(
                Invoice.objects.filter(
                    event=OuterRef("event"), kind=InvoiceKind.INVOICE, issue_date=today
                )
            ),
        )
        .filter(pk=pk)
        .order_by()
    )


def _attendees(registration: int):
    return (
        Attendee.objects.filter(registration=registration)
        .select_related("ticket_type")
        .order_by("order", "pk")
    )


# Issuing runs these two for every invoice: compiled once (`common.prepared`).
_LOCKED = Prepared(
    _locked,
    samples={"pk": 1, "today": dt.date(2000, 1, 1)},
    others={"pk": 2, "today": dt.date(2001, 2, 2)},
)
_ATTENDEES = Prepared(_attendees, samples={"registration": 1}, others={"registration": 2})


def issue_invoice(
    registration: Registration,
    *,
    by=None,
    due_date: dt.date | None = None,
    today: dt.date | None = None,
) -> Invoice:
    """Issue the invoice for the registration's tickets, or return the one not yet credited.

    One line per attendee with a price (`_lines`) with the amount excluding VAT, the rate
    and the VAT (or the exemption); the buyer's details are the registration's billing
    details as they are now.
    `due_date` defaults to the event's payment term from today. Raise `PaymentError`
    (code "no_billing_data") when the organiser's invoice details are incomplete.

    Side effects: the next number of the organiser's series for the year; log entry on the
    registration; the invoice mail (with its PDF) enqueued; follow-up tasks enqueued.
    """
    today = today or _today()
    with transaction.atomic():
        # One query: the registration, locked (two issuers for one registration make one
        # invoice), with its event, the organiser's invoice details and the event's payment
        # settings, whether it has an invoice no credit note cancelled, and whether the
        # event had an invoice today (the first of the day schedules the follow-up sweep).
        # The payment settings come as one value of a subquery, not as a joined row: a
        # table of a few rows is seldom analysed, and its join made PostgreSQL guess many
        # registrations and scan every invoice for the two checks (4 ms, not 0.2). Its
        # attendees come in the same round trip (read once the lock is held).
        found, attendees = fetch_together(
            (_LOCKED, {"pk": registration.pk, "today": today}),
            (_ATTENDEES, {"registration": registration.pk}),
        )
        if not found:
            raise Registration.DoesNotExist("Registration matching query does not exist.")
        registration = found[0]
        event = registration.event
        _cache_payment_settings(event, registration._payment_settings)
        seller = getattr(event.organiser, "billing", None)
        if seller is None or not seller.complete:
            raise PaymentError(exceptions.NO_BILLING_DATA, code="no_billing_data")
        if registration._has_invoice:
            return queries.current_invoice(registration)
        lines, rounding = _lines(attendees, event=event, language=registration.language)
        invoice = _build(
            registration,
            kind=InvoiceKind.INVOICE,
            seller=seller,
            lines=lines,
            today=today,
            due_date=due_date or today + _payment_settings(event).payment_term,
            payment_reference=format_reference(creditor_reference(registration.code)),
            buyer_name=registration.billing_organisation or registration.booker_name,
            buyer_address=registration.billing_address,
            po_number=registration.po_number,
            buyer_reference=registration.billing_reference,
            buyer_org_id=registration.billing_org_id,
            buyer_peppol_id=registration.billing_peppol_id,
            buyer_vat_number=registration.billing_vat_number,
            einvoice=registration.billing_einvoice,
            rounding=rounding,
        )
        entry = log_entry(
            registration,
            action="invoice.issued",
            by=by,
            data={"number": invoice.number, "total": str(invoice.total)},
        )
        unwritten = [[invoice], lines]
        if invoice.pk is None:
            # No key taken from the sequence beforehand (SQLite): the invoice and its lines
            # are written first, for the mail task to name the invoice.
            insert_together(*unwritten)
            unwritten = []
        pending = Pending()
        _after_issue(invoice, first_of_day=not registration._invoiced_today, pending=pending)
        # The invoice, its lines, the log entry and the tasks in one round trip.
        insert_together(*unwritten, [entry], pending.rows)
        logged(entry, registration)
        pending.enqueued()
    return invoice


def credit_invoice(
    invoice: Invoice, *, by=None, reason: str = "", mail_now: bool = False
) -> Invoice:
    """Issue a credit note that cancels `invoice` in full, or raise `PaymentError`.

    The credit note takes its own number in the same series, names the invoice's number
    and date and repeats its lines with negative amounts, so the two net to zero.
    `mail_now` renders the PDF and queues the mail in this transaction (for background
    work, which would rather fail whole than leave a credit note without its mail);
    otherwise a task does it after the commit.

    Side effects: the next number of the series; log entry on the registration; the credit
    note's mail (with its PDF) queued or enqueued.
    """
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=invoice.registration_id)
        invoice = queries.invoice_with_lines(invoice.pk)
        registration.event = invoice.event
        if invoice.is_credit_note:
            raise PaymentError(exceptions.NOT_AN_INVOICE, code="not_an_invoice")
        if Invoice.objects.filter(credits=invoice).exists():
            raise PaymentError(
                exceptions.ALREADY_CREDITED % {"number": invoice.number}, code="already_credited"
            )
        lines = [
            InvoiceLine(
                description=line.description,
                amount_excl=-line.amount_excl,
                vat_rate=line.vat_rate,
                vat_amount=-line.vat_amount,
                amount_incl=-line.amount_incl,
                vat_exemption=line.vat_exemption,
                order=line.order,
            )
            for line in invoice.lines.all()
        ]
        credit = _save(
            registration,
            kind=InvoiceKind.CREDIT_NOTE,
            seller=invoice,
            lines=lines,
            today=_today(),
            due_date=None,
            payment_reference="",
            buyer_name=invoice.buyer_name,
            buyer_address=invoice.buyer_address,
            po_number=invoice.po_number,
            buyer_reference=invoice.buyer_reference,
            buyer_org_id=invoice.buyer_org_id,
            buyer_peppol_id=invoice.buyer_peppol_id,
            buyer_vat_number=invoice.buyer_vat_number,
            einvoice=invoice.einvoice,
            rounding=-invoice.rounding,
            credits=invoice,
        )
        log_action(
            registration,
            action="invoice.credited",
            by=by,
            data={"number": credit.number, "credits": invoice.number, "reason": reason},
        )
        if mail_now:
            queue_invoice_mail(credit.pk)
        else:
            _after_issue(credit)
    return credit


def reissue_invoice(invoice: Invoice, *, by=None, reason: str = "") -> tuple[Invoice, Invoice]:
    """Credit `invoice` in full and issue a new one with the registration's details as now.

    For an invoice with a wrong purchase-order number or address: correct the billing
    details first, then reissue. Return (credit note, new invoice).
    """
    with transaction.atomic():
        credit = credit_invoice(invoice, by=by, reason=reason)
        registration = Registration.objects.select_related("event").get(pk=invoice.registration_id)
        fresh = issue_invoice(registration, by=by, due_date=invoice.due_date)
    return credit, fresh


def _lines(attendees, *, event: Event, language: str) -> tuple[list[InvoiceLine], Decimal]:
    """Return one line per attendee and the invoice's rounding (see `payments.vat`).

    Each line names the ticket, the event and its date, and the attendee: "Deelname Goede
    buren, 22 januari 2027 – Annemiek de Vries". An attendee without a price has no line
    beside ones who have: a free place is nothing to pay, and the invoice goes to whoever
    pays (an employer's accounts) who need not read who came free on which ticket, such
    as a resident's place (invariant 10). A credit note repeats the invoice's lines.
    """
    charged = [attendee for attendee in attendees if attendee.price]
    attendees = charged or attendees
    found = breakdown(
        [
            Item(
                gross=attendee.price,
                rate=attendee.vat_rate,
                exemption=attendee.ticket_type.vat_exemption,
            )
            for attendee in attendees
        ]
    )
    with translation.override(language):
        event_name = (event.name_en if language == "en" else "") or event.name_nl
        when = formats.date_format(event.date, "j F Y")
    lines = []
    for attendee, net, vat in zip(attendees, found.nets, found.vats, strict=True):
        ticket = attendee.ticket_type
        name = (ticket.name_en if language == "en" else "") or ticket.name_nl
        lines.append(
            InvoiceLine(
                description=f"{name} {event_name}, {when} – {attendee.full_name}"[:300],
                amount_excl=net,
                vat_rate=attendee.vat_rate if not ticket.vat_exemption else Decimal("0.00"),
                vat_amount=vat,
                amount_incl=net + vat,
                vat_exemption=ticket.vat_exemption,
                order=attendee.order,
            )
        )
    return lines, found.rounding


def _save(registration, *, lines, **values) -> Invoice:
    """Take the next number and write the invoice with its lines (in the caller's transaction)."""
    invoice = _build(registration, lines=lines, **values)
    insert_together([invoice], lines)
    return invoice


def _build(
    registration, *, kind, seller, lines, today, rounding=Decimal("0.00"), credits=None, **values
) -> Invoice:
    """Take the next number; return the invoice, with `lines` pointing at it, unwritten.

    On PostgreSQL the invoice's key comes from its sequence with the number, so the
    lines can name it before the invoice is written (`common.rows.insert_together`).
    """
    organiser = registration.event.organiser
    sequence, key = take_number_and_key(organiser, year=today.year)
    if isinstance(seller, OrganiserBilling):
        copied = {
            "seller_name": seller.legal_name,
            "seller_address": seller.address,
            "seller_kvk": seller.kvk_number,
            "seller_vat": seller.vat_number,
            "seller_iban": seller.iban,
            "seller_account_name": seller.account_name,
            "seller_email": organiser.email,
        }
    else:  # a credit note repeats the seller of the invoice it cancels
        copied = {
            name: getattr(seller, name)
            for name in (
                "seller_name",
                "seller_address",
                "seller_kvk",
                "seller_vat",
                "seller_iban",
                "seller_account_name",
                "seller_email",
            )
        }
    invoice = Invoice(
        pk=key,
        kind=kind,
        organiser=organiser,
        event=registration.event,
        registration=registration,
        number=f"{today.year}-{sequence:04d}",
        year=today.year,
        sequence=sequence,
        credits=credits,
        issue_date=today,
        supply_date=registration.event.date,
        language=registration.language,
        total=sum((line.amount_incl for line in lines), Decimal("0.00")) + rounding,
        total_vat=sum((line.vat_amount for line in lines), Decimal("0.00")),
        rounding=rounding,
        **copied,
        **values,
    )
    # Written with `common.rows` (the rows `save()` and `bulk_create` would write, at a
    # fraction of the CPU): nothing listens to the saving of invoices or their lines.
    for line in lines:
        line.invoice = invoice
    return invoice


# The fields of the payment settings that issuing reads (see `_cache_payment_settings`).
_SETTINGS = ("id", "payment_term_days", "reminder_days", "cancel_after_days")


def _cache_payment_settings(event: Event, values: dict | None) -> None:
    """Give `event` its payment settings as read by the locking query (None: no row)."""
    if values is None:  # the defaults, as `_payment_settings` reads them
        Event.payment_settings.related.set_cached_value(event, None)
    else:
        event.payment_settings = PaymentSettings(event=event, **values)


def _payment_settings(event: Event) -> PaymentSettings:
    try:
        return event.payment_settings
    except PaymentSettings.DoesNotExist:
        return PaymentSettings(event=event)


# One statement takes the number: the UPDATE locks the counter row until the transaction
# ends, so a concurrent issuer waits for this one's commit (or rollback) and then counts on.
_NEXT_NUMBER = (
    "UPDATE payments_invoicecounter SET last_number = last_number + 1 "
    "WHERE organiser_id = %s AND year = %s RETURNING last_number"
)
_AND_KEY = ", nextval(pg_get_serial_sequence('payments_invoice', 'id'))"


def take_number(organiser: Organiser, *, year: int) -> int:
    """Return the next number of the organiser's series for `year`; call in a transaction.

    The counter row stays locked until the caller's transaction ends.
    """
    return take_number_and_key(organiser, year=year)[0]


def take_number_and_key(organiser: Organiser, *, year: int) -> tuple[int, int | None]:
    """Return the next number of the series, as `take_number`, and (on PostgreSQL) a key
    for the invoice from the invoices' sequence, taken by the same statement; else None."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_NEXT_NUMBER + _AND_KEY, [organiser.pk, year])
            row = cursor.fetchone()
        if row is not None:
            return row[0], row[1]
    else:
        with connection.cursor() as cursor:
            cursor.execute(_NEXT_NUMBER, [organiser.pk, year])
            row = cursor.fetchone()
        if row is not None:
            return row[0], None
    number = _first_number(organiser, year=year)
    if connection.vendor != "postgresql":
        return number, None
    with connection.cursor() as cursor:  # the year's first invoice: once a year
        cursor.execute("SELECT" + _AND_KEY[1:])
        return number, cursor.fetchone()[0]


def _first_number(organiser: Organiser, *, year: int) -> int:
    try:
        with transaction.atomic():  # a savepoint: a concurrent first invoice may win
            InvoiceCounter.objects.create(organiser=organiser, year=year, last_number=1)
            return 1
    except IntegrityError:
        pass  # created by the other transaction meanwhile: count on from theirs
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_NUMBER, [organiser.pk, year])
        return cursor.fetchone()[0]


def _after_issue(
    invoice: Invoice, *, first_of_day: bool | None = None, pending: Pending | None = None
) -> None:
    """Enqueue the invoice's mail and, after the event's first invoice of the day, the
    follow-up sweeps. `first_of_day` is None when the caller did not read it already;
    with `pending`, the task rows are left to the caller to write (`Pending`)."""
    enqueue = pending.add if pending is not None else enqueue_on_commit
    enqueue(tasks.send_invoice_mail, invoice.pk)
    if invoice.is_credit_note or not invoice.due_date:
        return
    if not tasks.follow_up_unpaid.get_backend().supports_defer:
        return  # `goedeburen follow_up_payments` from cron does it
    # One sweep handles every invoice of the day: only the day's first schedules it.
    if first_of_day is None:
        first_of_day = not (
            Invoice.objects.filter(
                event=invoice.event, kind=InvoiceKind.INVOICE, issue_date=invoice.issue_date
            )
            .exclude(pk=invoice.pk)
            .exists()
        )
    if not first_of_day:
        return
    payment_settings = _payment_settings(invoice.event)
    moments = []
    if payment_settings.reminder_days:
        moments.append(invoice.issue_date + dt.timedelta(days=payment_settings.reminder_days))
    if payment_settings.cancel_after_days is not None:
        moments.append(invoice.due_date + dt.timedelta(days=payment_settings.cancel_after_days + 1))
    for day in moments:
        run_after = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
        enqueue(tasks.follow_up_unpaid.using(run_after=run_after))
