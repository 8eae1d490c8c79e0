"""End holds and offers that ran out, giving their seats back to the quotas' counters.

A hold (awaiting approval, pending payment) or a waiting-list offer stops holding seats at
its end. Its seats stay in `Quota.taken` until the registration is released: by the task
enqueued for that moment (`holds.release_expired_holds`, `waiting_list.expire_offers`), by
cron, or at once by a booking that finds the quota full (`release_expired`, called from
`capacity.take_seats`). So an expired hold is free for anyone who needs its seats from the
moment it ends.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db.models import Q

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit

from .. import signals, tasks
from ..enums import HELD_STATUSES, CancelReason, RegistrationStatus
from ..models import Attendee, Registration
from . import capacity


def hold_ended(registration: Registration, *, now: dt.datetime) -> bool:
    """Return whether the registration is held and its hold has ended at `now`."""
    return (
        registration.status in HELD_STATUSES
        and registration.hold_until is not None
        and registration.hold_until <= now
    )


def offer_ended(registration: Registration, *, now: dt.datetime) -> bool:
    """Return whether the registration has a waiting-list offer that ended at `now`."""
    return (
        registration.status == RegistrationStatus.WAITING_LIST
        and registration.offer_until is not None
        and registration.offer_until <= now
    )


def end_hold(registration: Registration, *, by=None) -> Counter[int]:
    """Cancel a locked registration whose hold ended; return the seats to give back.

    The caller gives them back (`capacity.give_back`), once for all it ends, so that the
    quotas are locked in order of id.

    Side effects: log entry; signal `registration_cancelled` with the reason "hold_expired".
    """
    seats = capacity.seats_of(registration)
    before = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancel_reason = CancelReason.HOLD_EXPIRED
    registration.save(update_fields=["status", "cancel_reason", "updated"])
    log_action(
        registration,
        action="registration.hold_expired",
        by=by,
        data={
            "status": [before, registration.status],
            "hold_until": registration.hold_until.isoformat(),
        },
    )
    signals.registration_cancelled.send(
        sender=Registration, registration=registration, reason="hold_expired", by=None
    )
    return seats


def end_offer(registration: Registration) -> Counter[int]:
    """Cancel a locked waiting-list registration whose offer ended; return the seats to give
    back (see `end_hold`).

    Side effects: log entry; signal `registration_cancelled` with the reason "offer_expired".
    """
    seats = capacity.seats_of(registration)
    offer_until = registration.offer_until
    registration.status = RegistrationStatus.CANCELLED
    registration.cancel_reason = CancelReason.OFFER_EXPIRED
    registration.save(update_fields=["status", "cancel_reason", "updated"])
    log_action(
        registration,
        action="registration.offer_expired",
        data={
            "status": [RegistrationStatus.WAITING_LIST, RegistrationStatus.CANCELLED],
            "offer_until": offer_until.isoformat(),
        },
    )
    signals.registration_cancelled.send(
        sender=Registration, registration=registration, reason="offer_expired", by=None
    )
    return seats


def locked_for_release(pk: int) -> Registration:
    """Return registration `pk` with its event, only the registration's row locked until the
    transaction ends (raise `Registration.DoesNotExist` when it is gone).

    Not the event's row: a booking that took seats of the quota commits only when it may
    lock the event's row (the foreign keys of its rows, KEY SHARE), and the release then
    waits for that booking's quota: locking the event FOR UPDATE here met it in a deadlock.
    """
    return Registration.objects.select_for_update(of=("self",)).select_related("event").get(pk=pk)


def release_expired(quota_ids: Iterable[int], *, now: dt.datetime, skip_locked: bool) -> int:
    """Release every hold and offer that ended and holds seats of these quotas; return how many.

    Runs inside the caller's transaction (a booking that found a quota full), which then
    commits or rolls back with it. The registrations are locked in order of id before any
    quota (the order every use case keeps); with `skip_locked` one that another transaction
    is changing right now is left to it. The seats not taken by the caller are offered to
    the waiting list after the commit (task `offer_free_seats`).

    Side effects per registration: those of `end_hold` or `end_offer`; the quotas' counters.
    """
    ended = Q(status__in=HELD_STATUSES, hold_until__lte=now) | Q(
        status=RegistrationStatus.WAITING_LIST, offer_until__lte=now
    )
    holding = Attendee.objects.filter(ticket_type__quotas__in=list(quota_ids)).values(
        "registration_id"
    )
    due = (
        Registration.objects.filter(ended, pk__in=holding)
        .select_related("event")
        .order_by("pk")
        .select_for_update(of=("self",), skip_locked=skip_locked)
    )
    seats: Counter[int] = Counter()
    events, released = set(), 0
    for registration in due:
        # Re-checked: a registration waited for may have been paid or released meanwhile.
        if hold_ended(registration, now=now):
            seats += end_hold(registration)
        elif offer_ended(registration, now=now):
            seats += end_offer(registration)
        else:
            continue
        events.add(registration.event_id)
        released += 1
    capacity.give_back(seats)
    for event_id in sorted(events):
        enqueue_on_commit(tasks.offer_free_seats, event_id)
    return released
