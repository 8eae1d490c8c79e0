"""Unpaid registrations: remind the booker before a hold lapses; for invoices, remind
after some days and cancel after the deadline.

A registration pending payment holds its seats only for a while (`hold_until`, the
event's payment hold): one reminder goes out before that ends, saying by when to pay and
what happens otherwise (`remind_held_payments`, enqueued for that moment when the hold
starts). Unpaid invoices are followed up by the `follow_up_unpaid` task (enqueued for the
moments each invoice needs it). `goedeburen follow_up_payments` from cron runs both, so a
lost task only delays them. Cancelling goes through the registration domain: the seats go
to the waiting list, and the payments receiver credits the invoice.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import formats, timezone, translation

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_sweep_on_commit
from goedeburen.events.models import Event
from goedeburen.mail.enums import MailKind
from goedeburen.mail.services import queue_scheduled_mail
from goedeburen.registration import queries as registration_queries
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import CancelReason, RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Registration

from .. import queries, tasks
from ..enums import InvoiceKind
from ..models import Invoice, InvoiceReminder, Payment
from .bank_import import settle_payments
from .settlement import execute_lost_refunds, settle_due_cancellations

logger = logging.getLogger(__name__)

# A booked bank payment whose settle task has not run after this long lost its task.
SETTLE_GRACE = dt.timedelta(minutes=10)
# The reminder before a hold lapses goes out when a third of the hold is left (10 minutes
# of the usual 30), at most a day before its end.
LONGEST_HOLD_REMINDER_LEAD = dt.timedelta(days=1)
HOLD_REMINDER = "hold_reminder"  # the schedule key: one such mail per registration


@dataclass(frozen=True, kw_only=True)
class FollowUp:
    reminded: int
    cancelled: int
    settled: int
    credited: int
    hold_reminders: int = 0
    refunded: int = 0


def follow_up_unpaid(*, today: dt.date | None = None, now: dt.datetime | None = None) -> FollowUp:
    """Send due reminders, cancel long-overdue registrations, settle free cancellations.

    Per open invoice (not credited, something left to pay, registration not cancelled):
    past `cancel_after_days` after its due date the registration is cancelled (reason
    "unpaid"); else, `reminder_days` after the invoice date, one reminder is sent. Booked
    bank payments whose settling task was lost are settled too, and so is every free
    cancellation whose credit note or refund is still due (`settle_due_cancellations`:
    its task failed or was lost, or the cancellation happened in this run), and every
    online refund whose task was lost (`execute_lost_refunds`).

    Side effects: reminder mails and log entries; cancellations (see
    `registration.services.cancel_registration`); credit notes and refunds (see
    `settle_cancellation`).
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    stale = Payment.objects.filter(settled=False, confirmed__lt=now - SETTLE_GRACE)
    settled = settle_payments(list(stale.values_list("pk", flat=True)))
    reminded = cancelled = 0
    event_ids = (
        Invoice.objects.filter(kind=InvoiceKind.INVOICE, credit_note__isnull=True)
        .exclude(registration__status=RegistrationStatus.CANCELLED)
        .values_list("event_id", flat=True)
        .distinct()
    )
    for event in Event.objects.filter(pk__in=list(event_ids)).select_related("organiser"):
        settings = queries.payment_settings(event)
        for invoice, balance in queries.open_invoices(event):
            registration = invoice.registration
            if registration.status == RegistrationStatus.CANCELLED:
                continue
            deadline = (
                invoice.due_date + dt.timedelta(days=settings.cancel_after_days)
                if settings.cancel_after_days is not None and invoice.due_date
                else None
            )
            if deadline and today > deadline:
                try:
                    registration_services.cancel_registration(
                        registration, by=None, reason="unpaid", cause=CancelReason.UNPAID
                    )
                    cancelled += 1
                except RegistrationError as refused:
                    logger.warning("Not cancelled %s: %s", registration.code, refused)
                continue
            reminder_day = invoice.issue_date + dt.timedelta(days=settings.reminder_days)
            if settings.reminder_days and today >= reminder_day and not _reminded(invoice):
                reminded += _remind(invoice, balance=balance, cancel_on=deadline)
    credited = settle_due_cancellations()
    refunded = execute_lost_refunds(now=now)
    return FollowUp(
        reminded=reminded,
        cancelled=cancelled,
        settled=settled,
        credited=credited,
        hold_reminders=remind_held_payments(now=now),
        refunded=refunded,
    )


def hold_reminder_due(registration: Registration) -> dt.datetime | None:
    """Return when the reminder before the registration's hold lapses is due, or None
    when it is not held for payment."""
    if registration.status != RegistrationStatus.PENDING_PAYMENT or not registration.hold_until:
        return None
    # The event's payment hold, from its booking data (cached: no query on the booking path).
    hold = registration_queries.booking_data(registration.event).settings.payment_hold
    return registration.hold_until - min(hold / 3, LONGEST_HOLD_REMINDER_LEAD)


def schedule_hold_reminder(registration: Registration) -> None:
    """Have the worker send the reminder when it is due (`remind_held_payments`, a sweep:
    one run per minute, `common.tasks.enqueue_sweep_on_commit`), once the caller's
    transaction commits; a backend that cannot defer relies on the cron sweep."""
    due = hold_reminder_due(registration)
    if due is not None and tasks.remind_held_payments.get_backend().supports_defer:
        enqueue_sweep_on_commit(tasks.remind_held_payments, at=due)


def remind_held_payments(*, now: dt.datetime | None = None) -> int:
    """Mail each booker whose hold is about to lapse unpaid; return how many were queued.

    Due from `hold_reminder_due` until the hold ends; sent once per registration, however
    often this runs (the outbox's schedule key), and not at all once the registration is
    paid, confirmed on account, cancelled or released, or has an invoice (a bank transfer:
    its invoice has its own reminder). The mail names the hold's end in the event's time
    zone and what happens then.

    Side effects: a reminder mail and a log entry per registration reminded.
    """
    now = now or timezone.now()
    held = (
        Registration.objects.filter(
            status=RegistrationStatus.PENDING_PAYMENT,
            hold_until__gt=now,
            hold_until__lte=now + LONGEST_HOLD_REMINDER_LEAD,
        )
        .exclude(outgoing_mail__schedule=HOLD_REMINDER)
        .exclude(invoices__kind=InvoiceKind.INVOICE)
        .select_related("event")
    )
    reminded = 0
    for registration in held:
        due = hold_reminder_due(registration)
        if due is None or due > now:
            continue
        reminded += _remind_hold(registration)
    return reminded


def _remind_hold(registration: Registration) -> bool:
    with transaction.atomic():
        # Locked and read again: a payment or the hold's release may have come meanwhile.
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != RegistrationStatus.PENDING_PAYMENT:
            return False
        if not registration.hold_until or registration.hold_until <= timezone.now():
            return False
        with translation.override(registration.language):
            until = timezone.localtime(registration.hold_until)
            pay_before = formats.date_format(until, "j F, H:i")
        queued = queue_scheduled_mail(
            registration,
            schedule=HOLD_REMINDER,
            kind=MailKind.PAYMENT_REMINDER,
            pay_before=pay_before,
        )
        if queued is None:
            return False
        log_action(
            registration,
            action="payment.hold_reminder_sent",
            data={"hold_until": registration.hold_until.isoformat()},
        )
    return True


def _reminded(invoice: Invoice) -> bool:
    return InvoiceReminder.objects.filter(invoice=invoice).exists()


def _remind(invoice: Invoice, *, balance, cancel_on) -> bool:
    """Queue the invoice's one reminder; return whether this call queued it."""
    registration = invoice.registration
    with translation.override(registration.language):
        cancel_text = formats.date_format(cancel_on, "DATE_FORMAT") if cancel_on else ""
    with transaction.atomic():
        # One reminder per invoice, even when two follow-up runs overlap (a unique key).
        queued = queue_scheduled_mail(
            registration,
            schedule=f"payment_reminder:{invoice.number}",
            kind=MailKind.PAYMENT_REMINDER,
            recipient=registration.invoice_email or registration.email,
            invoice_number=invoice.number,
            cancel_on=cancel_text,
        )
        if queued is None:
            return False
        InvoiceReminder.objects.get_or_create(
            invoice=invoice, defaults={"reminded_at": timezone.now()}
        )
        log_action(invoice, action="invoice.reminder_sent", data={"open": str(balance.open)})
        log_action(
            registration,
            action="payment.reminder_sent",
            data={"invoice": invoice.number, "open": str(balance.open)},
        )
    return True
