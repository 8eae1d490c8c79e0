"""Cancel a registration, by the booker or the organiser, under the event's policy."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action

from .. import exceptions, queries, signals
from ..enums import CancelReason, RegistrationStatus
from ..exceptions import RegistrationError
from ..models import Registration
from . import capacity
from .common import locked
from .waiting_list import offer_free_seats


@dataclass(frozen=True, kw_only=True)
class Cancellation:
    """What a cancellation did: `free` says whether the policy made it free of charge.

    Refunds follow from `free` once payments exist; nothing is refunded here.
    """

    registration: Registration
    free: bool


def cancel_registration(
    registration: Registration, *, by, reason: str, cause: CancelReason | None = None
) -> Cancellation:
    """Cancel a registration in any state but cancelled, or raise `RegistrationError`.

    `by` is the organiser's user, or None for the booker through the manage link; `reason`
    says why, in a few words (kept in the log and passed on with the signal). `cause` is
    stored as the registration's `cancel_reason`; by default the organiser's (with `by`)
    or the booker's. The event's policy decides whether the cancellation is free
    (`Cancellation.free`).

    Side effects: seats (or those of an open waiting-list offer) given back to the quotas;
    log entry; signal `registration_cancelled`; the freed seats offered to the waiting list.
    """
    now = timezone.now()
    with transaction.atomic():
        registration = locked(registration)
        if registration.status == RegistrationStatus.CANCELLED:
            raise RegistrationError(exceptions.ALREADY_CANCELLED, code="wrong_state")
        before = registration.status
        counted = before != RegistrationStatus.WAITING_LIST or registration.offer_until
        seats = capacity.seats_of(registration) if counted else {}
        free = queries.cancellation_is_free(registration.event, now=now)
        registration.status = RegistrationStatus.CANCELLED
        registration.cancel_reason = cause or (
            CancelReason.BY_ORGANISER if by is not None else CancelReason.BY_PARTICIPANT
        )
        registration.save(update_fields=["status", "cancel_reason", "updated"])
        log_action(
            registration,
            action="registration.cancelled",
            by=by,
            data={
                "status": [before, RegistrationStatus.CANCELLED],
                "reason": reason,
                "free": free,
            },
        )
        signals.registration_cancelled.send(
            sender=Registration, registration=registration, reason=reason, by=by
        )
        capacity.give_back(seats)
        offer_free_seats(registration.event, now=now)
    return Cancellation(registration=registration, free=free)
