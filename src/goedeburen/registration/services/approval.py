"""The organiser's decision on a registration that awaits approval (residents' tickets)."""

from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action

from .. import exceptions, queries, signals
from ..enums import CancelReason, RegistrationStatus
from ..exceptions import RegistrationError
from ..models import Attendee, Registration
from . import capacity
from .common import locked
from .waiting_list import offer_free_seats


def _awaiting(registration: Registration) -> None:
    if registration.status != RegistrationStatus.AWAITING_APPROVAL:
        raise RegistrationError(
            exceptions.NOT_AWAITING_APPROVAL % {"status": registration.get_status_display()},
            code="wrong_state",
        )


def approve_registration(registration: Registration, *, by, message: str = "") -> Registration:
    """Approve a registration that awaits approval, or raise `RegistrationError`.

    With only free tickets it is confirmed; otherwise it pends payment and holds its seats
    for the event's payment hold. Its seats stay counted in the quotas while it awaits
    approval, also when its hold ran out, until it is released (by the hold's task, or by a
    booking that needed them: then it is cancelled and this raises "wrong_state").

    Side effects: log entry (with `message`); signals `registration_approved` and, when
    confirmed, `registration_confirmed`; a `release_expired_holds` task for the new hold.
    """
    now = timezone.now()
    with transaction.atomic():
        registration = locked(registration)
        _awaiting(registration)
        attendees = list(Attendee.objects.filter(registration=registration))
        if sum(a.price for a in attendees):
            hold = queries.registration_settings(registration.event).payment_hold
            status, hold_until = RegistrationStatus.PENDING_PAYMENT, now + hold
        else:
            status, hold_until = RegistrationStatus.CONFIRMED, None
        registration.status = status
        registration.hold_until = hold_until
        registration.save(update_fields=["status", "hold_until", "updated"])
        log_action(
            registration,
            action="registration.approved",
            by=by,
            data={
                "status": [RegistrationStatus.AWAITING_APPROVAL, status],
                "hold_until": hold_until.isoformat() if hold_until else None,
                "message": message,
            },
        )
        if hold_until:
            capacity.schedule_release(hold_until)
        signals.registration_approved.send(
            sender=Registration, registration=registration, message=message
        )
        if status == RegistrationStatus.CONFIRMED:
            signals.registration_confirmed.send(sender=Registration, registration=registration)
    return registration


def reject_registration(registration: Registration, *, by, message: str = "") -> Registration:
    """Reject a registration that awaits approval, or raise `RegistrationError`.

    Side effects: registration cancelled and its seats given back; log entry (with
    `message`); signal `registration_rejected`; the freed seats offered to the waiting list.
    """
    now = timezone.now()
    with transaction.atomic():
        registration = locked(registration)
        _awaiting(registration)
        seats = capacity.seats_of(registration)
        registration.status = RegistrationStatus.CANCELLED
        registration.cancel_reason = CancelReason.REJECTED
        registration.save(update_fields=["status", "cancel_reason", "updated"])
        log_action(
            registration,
            action="registration.rejected",
            by=by,
            data={
                "status": [RegistrationStatus.AWAITING_APPROVAL, RegistrationStatus.CANCELLED],
                "message": message,
            },
        )
        signals.registration_rejected.send(
            sender=Registration, registration=registration, message=message
        )
        capacity.give_back(seats)
        offer_free_seats(registration.event, now=now)
    return registration
