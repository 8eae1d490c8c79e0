"""Cancel a registration, or one attendee of several, by the booker or the organiser, under
the event's policy."""

from dataclasses import dataclass
from decimal import Decimal

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


@dataclass(frozen=True, kw_only=True)
class AttendeeCancellation:
    """What cancelling one attendee did: whose place it was, what their ticket cost, and
    whether the policy made it free (then that amount is no longer owed, or comes back)."""

    registration: Registration
    name: str
    price: Decimal
    free: bool


def cancel_attendee(attendee: Attendee, *, by, reason: str = "") -> AttendeeCancellation:
    """Cancel one attendee of a registration that keeps others, or raise `RegistrationError`.

    The last attendee cannot go this way ("last_attendee"): that is cancelling the
    registration. `by` and `reason` as for `cancel_registration`; the event's policy decides
    whether it is free, as for a whole registration. The attendee's row goes, and with it
    their ticket (its code admits nobody any more), answers and choices of sessions: a
    registration holds the people who come.

    Side effects: their seats given back to the quotas (when the registration holds seats);
    log entry (their name, price and whether it was free); signal `attendee_cancelled`
    (sent before the row goes, so receivers read it: the mail to the booker, the payments'
    settlement of a free cancellation); the freed seats offered to the waiting list.
    """
    now = timezone.now()
    with transaction.atomic():
        registration = locked(attendee.registration)
        if registration.status == RegistrationStatus.CANCELLED:
            raise RegistrationError(exceptions.ALREADY_CANCELLED, code="wrong_state")
        attendees = list(
            Attendee.objects.filter(registration=registration).select_related("ticket_type")
        )
        attendee = next((a for a in attendees if a.pk == attendee.pk), None)
        if attendee is None:
            raise RegistrationError(exceptions.NO_SUCH_ATTENDEE, code="invalid")
        if len(attendees) == 1:
            raise RegistrationError(exceptions.LAST_ATTENDEE, code="last_attendee")
        counted = registration.status != RegistrationStatus.WAITING_LIST or registration.offer_until
        ticket = attendee.ticket_type
        seats = capacity.seats_wanted([ticket], capacity.quotas_of({ticket.pk})) if counted else {}
        free = queries.cancellation_is_free(registration.event, now=now)
        log_action(
            registration,
            action="registration.attendee_cancelled",
            by=by,
            data={
                "attendee": attendee.pk,
                "name": attendee.full_name,
                "price": str(attendee.price),
                "reason": reason,
                "free": free,
            },
        )
        signals.attendee_cancelled.send(
            sender=Registration,
            registration=registration,
            attendee=attendee,
            reason=reason,
            free=free,
            by=by,
        )
        attendee.delete()
        # `updated` moves on: the registration's pages and caches see the change.
        registration.save(update_fields=["updated"])
        capacity.give_back(seats)
        offer_free_seats(registration.event, now=now)
    return AttendeeCancellation(
        registration=registration, name=attendee.full_name, price=attendee.price, free=free
    )
