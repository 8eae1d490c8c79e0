"""What payment does to a registration: confirm it when paid, hold its seats for a transfer.

The payments app calls these; it never writes registration rows itself. A registration
pending payment keeps its seats in the quotas' counters until it is released, also once
its hold ran out; one that was released (cancelled for want of payment) takes them again
when it is paid after all, if they are still free (DESIGN.md, invariant 1).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action

from .. import exceptions, queries, signals
from ..enums import HELD_STATUSES, CancelReason, RegistrationStatus
from ..exceptions import RegistrationError
from ..models import Attendee, Registration
from . import capacity
from .common import locked


@dataclass(frozen=True, kw_only=True)
class PaymentOutcome:
    """What a complete payment did: `confirmed`, or `seat_lost` when the seats were gone."""

    registration: Registration
    confirmed: bool
    seat_lost: bool = False


def confirm_paid(
    registration: Registration, *, by=None, via: str, now: dt.datetime | None = None
) -> PaymentOutcome:
    """Confirm a registration whose payments now cover its total.

    A registration pending payment is confirmed; so is one that lapsed because its hold ran
    out, when its seats are still free. When the seats are gone meanwhile it stays as it is
    and the outcome says `seat_lost`, for the organiser to sort out (a refund, or making
    room). A confirmed registration stays confirmed. `via` names the provider, for the log.

    Side effects when confirmed: log entry; signal `registration_confirmed`.
    """
    now = now or timezone.now()
    with transaction.atomic():
        registration = locked(registration)
        if registration.status == RegistrationStatus.CONFIRMED:
            return PaymentOutcome(registration=registration, confirmed=True)
        # Cancelled only because nobody paid in time: a payment that arrives afterwards may
        # still take the seats back.
        lapsed = (
            registration.status == RegistrationStatus.CANCELLED
            and registration.cancel_reason == CancelReason.HOLD_EXPIRED
        )
        if registration.status not in HELD_STATUSES and not lapsed:
            return PaymentOutcome(registration=registration, confirmed=False)
        if lapsed:
            try:
                _take_seats_again(registration, now=now)
            except RegistrationError:
                log_action(
                    registration,
                    action="registration.paid_seat_lost",
                    by=by,
                    data={"status": registration.status, "via": via},
                )
                return PaymentOutcome(registration=registration, confirmed=False, seat_lost=True)
        before = registration.status
        registration.status = RegistrationStatus.CONFIRMED
        registration.hold_until = None
        registration.cancel_reason = ""
        registration.save(update_fields=["status", "hold_until", "cancel_reason", "updated"])
        log_action(
            registration,
            action="registration.paid",
            by=by,
            data={"status": [before, registration.status], "via": via},
        )
        signals.registration_confirmed.send(sender=Registration, registration=registration)
    return PaymentOutcome(registration=registration, confirmed=True)


def confirm_on_account(registration: Registration, *, by=None) -> Registration:
    """Confirm a registration pending payment that will be paid by invoice afterwards.

    Raise `RegistrationError` when it is not pending payment (code "wrong_state"); its
    seats are still its own while it pends payment, also when its hold ran out.

    Side effects: log entry; signal `registration_confirmed`.
    """
    now = timezone.now()
    with transaction.atomic():
        registration = _pending(registration, now=now)
        registration.status = RegistrationStatus.CONFIRMED
        registration.hold_until = None
        registration.save(update_fields=["status", "hold_until", "updated"])
        log_action(
            registration,
            action="registration.on_account",
            by=by,
            data={"status": [RegistrationStatus.PENDING_PAYMENT, registration.status]},
        )
        signals.registration_confirmed.send(sender=Registration, registration=registration)
    return registration


def hold_for_transfer(registration: Registration, *, until: dt.datetime, by=None) -> Registration:
    """Hold a pending registration's seats until `until`, the time a bank transfer takes.

    Raise `RegistrationError` as `confirm_on_account` does. A hold that already lasts
    longer is kept.

    Side effects: log entry; a `release_expired_holds` task enqueued for the new hold's end.
    """
    now = timezone.now()
    with transaction.atomic():
        registration = _pending(registration, now=now)
        if registration.hold_until and registration.hold_until >= until:
            return registration
        _move_hold(registration, until=until, action="registration.hold_extended", by=by)
    return registration


def end_transfer_hold(registration: Registration, *, by=None) -> Registration:
    """Hold the seats of a registration booked for a bank transfer (`register` with the
    payment term as `payment_hold`) only for the event's payment hold from its booking, as
    any other pending payment: its transfer could not be set up (no invoice issued).

    A registration no longer pending payment, or holding for less, is left as it is.

    Side effects: log entry.
    """
    with transaction.atomic():
        registration = locked(registration)
        if registration.status != RegistrationStatus.PENDING_PAYMENT:
            return registration
        until = (
            registration.created + queries.registration_settings(registration.event).payment_hold
        )
        if registration.hold_until is None or registration.hold_until <= until:
            return registration
        _move_hold(registration, until=until, action="registration.hold_shortened", by=by)
    return registration


def _move_hold(registration: Registration, *, until: dt.datetime, action: str, by) -> None:
    """Hold the locked `registration`'s seats until `until`: saved, logged as `action`,
    and the release of expired holds enqueued for then."""
    before = registration.hold_until
    registration.hold_until = until
    registration.save(update_fields=["hold_until", "updated"])
    log_action(
        registration,
        action=action,
        by=by,
        data={"hold_until": [before.isoformat() if before else None, until.isoformat()]},
    )
    capacity.schedule_release(until)


def _pending(registration: Registration, *, now: dt.datetime) -> Registration:
    registration = locked(registration)
    if registration.status != RegistrationStatus.PENDING_PAYMENT:
        raise RegistrationError(
            exceptions.NOT_PENDING_PAYMENT % {"status": registration.get_status_display()},
            code="wrong_state",
        )
    return registration


def _take_seats_again(registration: Registration, *, now: dt.datetime) -> None:
    """Take the seats of a released registration again, or raise `RegistrationError`."""
    wanted = [
        a.ticket_type
        for a in Attendee.objects.filter(registration=registration).select_related("ticket_type")
    ]
    per_type = capacity.quotas_of({t.pk for t in wanted})
    capacity.take_seats(
        capacity.seats_wanted(wanted, per_type), tickets=wanted, per_type=per_type, now=now
    )
