"""React to registrations being cancelled: credit the invoice, tasks.refund online payments.

A cancellation that is free (under the event's policy), or one because nobody paid in
time, credits the registration's invoice in full and refunds what was paid online
(Mollie; in the background). Money that came by bank transfer shows as overpaid for the
organiser to transfer back. Like the mail receivers, a failure here is logged and rolled
back to its savepoint: it never undoes the cancellation.
"""

import logging

from django.db import transaction
from django.utils import timezone

from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.registration import queries as registration_queries
from goedeburen.registration import signals
from goedeburen.registration.models import Registration

from . import queries, services, tasks
from .enums import PaymentState, ProviderName

logger = logging.getLogger(__name__)

# Cancellations that are never charged: nobody paid or took the offered place in time.
_UNPAID_REASONS = ("hold_expired", "offer_expired", "unpaid")


def registration_cancelled(sender, registration, *, reason="", by=None, **kwargs):
    free = reason in _UNPAID_REASONS or registration_queries.cancellation_is_free(
        registration.event, now=timezone.now()
    )
    if not free:
        return
    try:
        with transaction.atomic():
            invoice = queries.current_invoice(registration)
            if invoice is not None:
                services.credit_invoice(invoice, by=by, reason=reason)
            _refund_online(registration, by=by, reason=reason)
    except Exception:
        logger.exception("No credit note or tasks.refund for registration %s", registration.pk)


def _refund_online(registration, *, by, reason) -> None:

    for payment in registration.payments.filter(
        provider=ProviderName.MOLLIE, state=PaymentState.PAID
    ):
        if payment.refundable > 0:
            pending = services.create_refund(
                payment, amount=payment.refundable, reason=f"cancelled: {reason}"[:500], by=by
            )
            enqueue_on_commit(tasks.refund, pending.pk)


def connect() -> None:
    """Connect the receivers (from `PaymentsConfig.ready`)."""
    signals.registration_cancelled.connect(
        registration_cancelled, sender=Registration, dispatch_uid="payments.registration_cancelled"
    )
