"""React to registrations: remind before a hold lapses; record what a free cancellation (of
a registration, or of one attendee) owes.

A registration that starts a hold for payment (made, or approved, pending payment) gets
its reminder scheduled (`schedule_hold_reminder`); best effort, as any mail: the
`follow_up_payments` sweep sends a reminder whose task was lost.

A cancellation that is free (under the event's policy), or one because nobody paid in
time, owes a credit note for the registration's invoice and a refund of what was paid
online (Mollie); for one attendee of several, a new invoice for the others beside the
credit note, and a refund of that attendee's part. The receiver only writes that down,
in the cancelling transaction (a `Settlement`), and enqueues the task that settles it on
commit; the `follow_up_payments` sweep settles whatever that task failed to. Money that
came by bank transfer shows as overpaid for the organiser to transfer back.

Connected directly, not through `common.receivers.connect_receivers`: a failure to record
what is owed must roll the cancellation back with it, not be logged and forgotten (the
sweep can only find a settlement that was written).
"""

from django.utils import timezone

from goedeburen.common.receivers import connect_receivers
from goedeburen.registration import queries as registration_queries
from goedeburen.registration import signals
from goedeburen.registration.enums import RegistrationStatus
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
    else:
        services.supersede_settlement(registration)


def hold_started(registration, **kwargs):
    services.schedule_hold_reminder(registration)


def _held_for_payment(registration, **kwargs) -> bool:
    return registration.status == RegistrationStatus.PENDING_PAYMENT


def attendee_cancelled(sender, registration, *, free=False, reason="", **kwargs):
    if free:
        services.owe_settlement(registration, reason=reason or "attendee cancelled")


def connect() -> None:
    """Connect the receivers (from `PaymentsConfig.ready`)."""
    connect_receivers(
        {
            signals.registration_created: (hold_started, _held_for_payment),
            signals.registration_approved: (hold_started, _held_for_payment),
        },
        app="payments",
        sender=Registration,
    )
    signals.registration_cancelled.connect(
        registration_cancelled, sender=Registration, dispatch_uid="payments.registration_cancelled"
    )
    signals.attendee_cancelled.connect(
        attendee_cancelled, sender=Registration, dispatch_uid="payments.attendee_cancelled"
    )
