"""React to registrations being cancelled: record what a free cancellation owes.

A cancellation that is free (under the event's policy), or one because nobody paid in
time, owes a credit note for the registration's invoice and a refund of what was paid
online (Mollie). The receiver only writes that down, in the cancelling transaction (a
`Settlement`), and enqueues the task that settles it on commit; the `follow_up_payments`
sweep settles whatever that task failed to. Money that came by bank transfer shows as
overpaid for the organiser to transfer back.

Connected directly, not through `common.receivers.connect_receivers`: a failure to record
what is owed must roll the cancellation back with it, not be logged and forgotten (the
sweep can only find a settlement that was written).
"""

from django.utils import timezone

from goedeburen.registration import queries as registration_queries
from goedeburen.registration import signals
from goedeburen.registration.models import Registration

from . import services

# Cancellations that are never charged: nobody paid or took the offered place in time.
_UNPAID_REASONS = ("hold_expired", "offer_expired", "unpaid")


def registration_cancelled(sender, registration, *, reason="", by=None, **kwargs):
    free = reason in _UNPAID_REASONS or registration_queries.cancellation_is_free(
        registration.event, now=timezone.now()
    )
    if free:
        services.owe_settlement(registration, reason=reason)


def connect() -> None:
    """Connect the receivers (from `PaymentsConfig.ready`)."""
    signals.registration_cancelled.connect(
        registration_cancelled, sender=Registration, dispatch_uid="payments.registration_cancelled"
    )
