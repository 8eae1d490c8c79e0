"""Settle a free cancellation (of a registration, or of some of its attendees): credit its
invoice and refund its online payments, once.

A cancellation only records that money is owed (a `Settlement`, written in the cancelling
transaction); the money itself moves here, from the task enqueued on commit and from the
`follow_up_payments` sweep, which retries whatever a failed or lost task left due. Both may
run at once and any number of times: the settlement's row lock lets one of them in, and
the first to commit marks it settled, so the invoice is credited once. The registration is
locked first (as a cancellation locks it before it writes the settlement): a late payment
that confirms it again and the settlement happen one after the other, so money is not
refunded from a registration that stays confirmed.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.registration import queries as registration_queries
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration

from .. import queries, tasks
from ..enums import PaymentState, ProviderName, RefundState
from ..exceptions import PaymentError
from ..models import Refund, Settlement
from .invoices import credit_invoice, issue_invoice
from .payments import create_refund, execute_refund

logger = logging.getLogger(__name__)

# A pending online refund whose `refund` task has not run after this long lost its task.
REFUND_GRACE = dt.timedelta(minutes=10)


def owe_settlement(registration: Registration, *, reason: str) -> Settlement:
    """Record that the cancellation of `registration` is free; call in its transaction.

    Side effects: the settlement written (or made due again, for a registration cancelled
    anew); `settle_cancellation` enqueued on commit.
    """
    settlement, created = Settlement.objects.get_or_create(
        registration=registration, defaults={"reason": reason[:100]}
    )
    if not created:
        settlement.reason, settlement.settled, settlement.superseded = reason[:100], None, None
        settlement.save(update_fields=["reason", "settled", "superseded"])
    enqueue_on_commit(tasks.settle_cancellation, settlement.pk)
    return settlement


def supersede_settlement(registration: Registration) -> None:
    """Record that `registration` was cancelled no longer free of charge; call in its
    transaction.

    A settlement left from an earlier free cancellation (of one attendee, or of the whole
    registration before a late payment confirmed it again) then no longer applies: money
    that comes in afterwards pays what the registration owes instead of being refunded
    (`settle_registration`).

    Side effects: the settlement, if any, marked superseded.
    """
    Settlement.objects.filter(registration=registration, superseded__isnull=True).update(
        superseded=timezone.now()
    )


def settle_cancellation(settlement_id: int) -> bool:
    """Credit the invoice and refund the online payments a due settlement owes.

    For a cancelled registration that is everything: its current invoice credited, each
    paid Mollie payment refunded in full. For one that still has attendees (some were
    cancelled, `registration.cancel_attendee`): an invoice that no longer matches its
    tickets is credited and a new one issued for those left (same due date), and online
    payments are refunded only down to what is still due. So too for a registration
    cancelled, after this settlement was owed, by a cancellation that was not free (the
    settlement superseded): those tickets stay owed. Worked out from the state as it is,
    so a second settlement of the same registration adds only what is new.

    Return whether this call settled it; False when it was settled already (or is gone).
    Everything happens in one transaction: the credit note with its mail (the PDF attached),
    the new invoice, the pending refunds and the mark. An error on the way (a PDF that
    cannot be rendered) rolls all of it back and leaves the settlement due for the next try.

    Side effects: a credit note for the registration's current invoice, with its mail
    queued; a new invoice (its mail enqueued) when attendees remain; a pending refund per
    paid Mollie payment, carried out by the `refund` task enqueued on commit; log entries
    (see `credit_invoice`, `issue_invoice`, `create_refund`).
    """
    with transaction.atomic():
        # The registration before its settlement, the order a cancellation takes them in (it
        # locks the registration, then writes the settlement): the two never wait for each
        # other crosswise. Under the registration's lock a late payment that confirms a
        # lapsed registration again (`confirm_paid` takes the same lock) comes wholly before
        # this or after it, so a registration that stays confirmed keeps invoice and money.
        registration = lock_registration_of(settlement_id)
        if registration is None:
            return False
        settlement = lock_settlement(settlement_id)
        if settlement is None or settlement.settled is not None:
            return False
        # Read under both locks: a cancellation that was not free, committed after this
        # settlement was owed, marked it superseded (`supersede_settlement`). The whole
        # registration's cancellation then owes nothing back; what is left to settle is
        # what the earlier free cancellation (of an attendee) owed, worked out as for one
        # that still has attendees: its invoice for the tickets left, money beyond that.
        cancelled = (
            registration.status == RegistrationStatus.CANCELLED and settlement.superseded is None
        )
        invoice = queries.current_invoice(registration)
        if invoice is not None and (cancelled or invoice.total != registration.total):
            credit_invoice(invoice, reason=settlement.reason, mail_now=True)
            if not cancelled:
                issue_invoice(registration, due_date=invoice.due_date)
        # What comes back: all that was paid, or what was paid beyond what is still due.
        owed_back = None if cancelled else queries.balance(registration).overpaid
        paid_online = registration.payments.filter(
            provider=ProviderName.MOLLIE, state=PaymentState.PAID
        ).prefetch_related("refunds")
        for payment in paid_online:
            amount = payment.refundable if owed_back is None else min(payment.refundable, owed_back)
            if amount > 0:
                pending = create_refund(
                    payment, amount=amount, reason=f"cancelled: {settlement.reason}"[:500]
                )
                enqueue_on_commit(tasks.refund, pending.pk)
                if owed_back is not None:
                    owed_back -= amount
        settlement.settled = timezone.now()
        settlement.save(update_fields=["settled"])
    return True


def lock_registration_of(settlement_id: int) -> Registration | None:
    """Return the registration of settlement `settlement_id`, its row locked until the
    transaction ends (None: no such settlement).

    A second settler of the same registration waits here for the first to commit.
    """
    registration_id = (
        Settlement.objects.filter(pk=settlement_id)
        .values_list("registration_id", flat=True)
        .first()
    )
    if registration_id is None:
        return None
    return registration_queries.locked_registration(Registration(pk=registration_id))[0]


def lock_settlement(settlement_id: int) -> Settlement | None:
    """Return the settlement locked (SELECT … FOR UPDATE) until the transaction ends.

    A second settler waits here for the first to commit and then finds it settled.
    """
    return Settlement.objects.select_for_update().filter(pk=settlement_id).first()


def settle_due_cancellations() -> int:
    """Settle every settlement still due (the sweep); return how many this call settled.

    A settlement that fails again is logged and stays due; the others go on.
    """
    due = Settlement.objects.filter(settled__isnull=True).order_by("created", "pk")
    settled = 0
    for settlement_id in list(due.values_list("pk", flat=True)):
        try:
            settled += settle_cancellation(settlement_id)
        except Exception:  # stays due for the next sweep; the others must not wait for it
            logger.exception("Settlement %s still due", settlement_id)
    return settled


def execute_lost_refunds(*, now: dt.datetime | None = None) -> int:
    """Carry out the pending online (Mollie) refunds whose `refund` task was lost or failed:
    pending for longer than `REFUND_GRACE`; return how many were refunded (the sweep).

    A refund that the organiser pays back by hand (a bank transfer, a manual payment) waits
    for them to record it. A retry after a lost answer pays back once, however late:
    Mollie's idempotency key per refund within its while, and after it the refund an
    earlier try made, found among the payment's refunds at Mollie by its metadata
    (`providers.mollie`). A refusal is recorded on the refund (failed) and logged; a
    refund Mollie did not answer about stays pending for the next sweep; the others go on.

    Only pending refunds are tried: one the organiser cancelled (after Mollie said it made
    none) or recorded as paid back by hand is left alone. A refund that stays pending is
    tried on every sweep, however long: giving up by itself would leave money owed without
    anyone deciding, and a try costs one request (none without a key). It is listed
    instead, from its first failed try, on the payments overview and counted on the event
    dashboard (`queries.stuck_refunds`), for a person to try again, cancel or record.
    """
    now = now or timezone.now()
    lost = Refund.objects.filter(
        state=RefundState.PENDING,
        payment__provider=ProviderName.MOLLIE,
        created__lt=now - REFUND_GRACE,
    ).order_by("created", "pk")
    refunded = 0
    for refund_id in list(lost.values_list("pk", flat=True)):
        try:
            refunded += execute_refund(Refund(pk=refund_id)).state == RefundState.REFUNDED
        except PaymentError as refused:
            logger.warning("Refund %s failed: %s", refund_id, refused.message)
    return refunded
