"""Unpaid invoices: remind the booker after some days, cancel after the deadline.

Run by the `follow_up_unpaid` task (enqueued for the moments each invoice needs it) and by
`goedeburen follow_up_payments` from cron, so a lost task only delays it. Cancelling goes
through the registration domain: the seats go to the waiting list, and the payments
receiver credits the invoice.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import formats, timezone, translation

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event
from goedeburen.mail.enums import MailKind
from goedeburen.mail.services import queue_scheduled_mail
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import CancelReason, RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError

from .. import queries
from ..enums import InvoiceKind
from ..models import Invoice, InvoiceReminder, Payment
from .bank_import import settle_payments
from .settlement import settle_due_cancellations

logger = logging.getLogger(__name__)

# A booked bank payment whose settle task has not run after this long lost its task.
SETTLE_GRACE = dt.timedelta(minutes=10)


@dataclass(frozen=True, kw_only=True)
class FollowUp:
    reminded: int
    cancelled: int
    settled: int
    credited: int


def follow_up_unpaid(*, today: dt.date | None = None, now: dt.datetime | None = None) -> FollowUp:
    """Send due reminders, cancel long-overdue registrations, settle free cancellations.

    Per open invoice (not credited, something left to pay, registration not cancelled):
    past `cancel_after_days` after its due date the registration is cancelled (reason
    "unpaid"); else, `reminder_days` after the invoice date, one reminder is sent. Booked
    bank payments whose settling task was lost are settled too, and so is every free
    cancellation whose credit note or refund is still due (`settle_due_cancellations`:
    its task failed or was lost, or the cancellation happened in this run).

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
    return FollowUp(reminded=reminded, cancelled=cancelled, settled=settled, credited=credited)


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
