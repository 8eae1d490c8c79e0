"""Registrations that take many seats without paying online: the organiser looks first.

Free tickets, an invoice and a bank transfer all hold or confirm seats before any money
moves, so an anonymous visitor could fill the hall in seconds (six registrations of ten
attendees "on invoice" confirmed 60 seats in 2.6 s). Per client address (the one the
trusted proxies saw, `accounts.network.client_ip`, passed in by the view) the seats booked
that way are counted in the shared cache for the current hour; past the setting
`REGISTRATION_REVIEW_SEATS_PER_HOUR` a registration is still taken but awaits the
organiser's approval, with the reason on it for the back office.
"""

import datetime as dt

from django.conf import settings
from django.core.cache import cache

from ..enums import RegistrationStatus, ReviewReason

WINDOW_SECONDS = 3600


def state_after_review(
    status: str,
    hold_until: dt.datetime | None,
    *,
    client: str,
    seats: int,
    pays_online: bool,
    approval_hold: dt.timedelta,
    now: dt.datetime,
) -> tuple[str, dt.datetime | None, str]:
    """Return the status, hold end and review reason of a registration just booked.

    `status` and `hold_until` are what the booking decided (`booking.state_after_booking`).
    A booking with an online payment, without a `client` (staff, the API) or that awaits
    approval anyway is left as it is and not counted. Otherwise its `seats` are added to
    the client's count of the hour (one atomic increment: of concurrent bookings exactly
    those past the limit are held back); past the limit it awaits approval for the event's
    approval hold, with reason `ReviewReason.MANY_SEATS`.

    Side effects: the client's count in the cache.
    """
    if pays_online or not client or status == RegistrationStatus.AWAITING_APPROVAL:
        return status, hold_until, ""
    if not too_many_seats(client, seats=seats, now=now):
        return status, hold_until, ""
    return RegistrationStatus.AWAITING_APPROVAL, now + approval_hold, ReviewReason.MANY_SEATS


def too_many_seats(client: str, *, seats: int, now: dt.datetime) -> bool:
    """Count `seats` booked by `client` without online payment; tell whether past the limit.

    Also asked when a booker who chose to pay online switches to an invoice or a transfer
    on their page (`payments.choose_provider`): the seats then stop waiting for money too.

    Side effects: the client's count of the hour in the shared cache.
    """
    window = int(now.timestamp()) // WINDOW_SECONDS
    key = f"registration:seats-without-online-payment:{window}:{client}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        counted = cache.incr(key, seats)
    except ValueError:  # the key expired between add and incr: a new hour
        cache.set(key, seats, WINDOW_SECONDS)
        counted = seats
    return counted > settings.REGISTRATION_REVIEW_SEATS_PER_HOUR
