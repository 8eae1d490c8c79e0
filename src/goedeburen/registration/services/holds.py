"""End holds that ran out: the seats of unpaid or unapproved registrations come free."""

from django.db import transaction
from django.utils import timezone

from ..enums import HELD_STATUSES
from ..models import Registration
from . import capacity, expiry
from .waiting_list import expire_offers, offer_free_seats, offer_free_seats_to_every_line


def release_expired_holds(*, now=None, by=None) -> int:
    """Cancel held registrations whose hold has ended; return how many.

    Each registration is locked, re-checked (it may have been paid, approved or released
    by a booking meanwhile) and cancelled in its own transaction, which gives its seats
    back and offers them to the waiting list. Waiting-list offers that ran out are passed
    on too (`expire_offers`), and free seats that no offer reached are offered
    (`offer_free_seats_to_every_line`), so this one sweep from cron tidies up everything
    that has a time limit.

    Side effects per registration: a log entry; signal `registration_cancelled` with the
    reason "hold_expired"; its seats given back and offered to the waiting list.
    """
    now = now or timezone.now()
    due = Registration.objects.filter(status__in=HELD_STATUSES, hold_until__lte=now)
    released = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            registration = expiry.locked_for_release(pk)
            if not expiry.hold_ended(registration, now=now):
                continue
            capacity.give_back(expiry.end_hold(registration, by=by))
            offer_free_seats(registration.event, now=now)
            released += 1
    expire_offers(now=now)
    offer_free_seats_to_every_line(now=now)
    return released
