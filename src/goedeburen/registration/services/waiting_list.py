"""The waiting list: offer freed seats in order of joining, accept an offer, pass on expired ones.

A waiting-list registration takes no seat. When seats come free (a cancellation, a
rejection, a hold or offer that ran out) `offer_free_seats` offers them to the first in
line, as far as they go; an offer takes its seats from the quotas' counters until it is
accepted (they stay with the registration) or passed on (they are given back), so no more
seats are ever offered than are free. An offer that is not taken in time cancels
that registration and passes the seats to the next in line.
"""

import datetime as dt

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event

from .. import exceptions, queries, signals, tasks, tokens
from ..enums import RegistrationStatus
from ..exceptions import RegistrationError
from ..models import Attendee, Registration
from . import capacity, expiry
from .booking import state_after_booking
from .common import locked


def offer_free_seats(
    event: Event, *, now: dt.datetime | None = None, wait: bool = False
) -> list[Registration]:
    """Offer the event's free seats to its waiting list, first come first; return the offered.

    Strictly in order: when the first in line needs more seats than are free, nobody behind
    them is offered any. Call inside the transaction that freed the seats. The line is
    locked before any quota (the order every use case keeps); someone in line whom another
    transaction is changing right now (cancelling, or being offered seats) is passed over,
    unless `wait` (only for a transaction that holds no other registration's lock: the
    `offer_free_seats` task). A line passed over in part is offered again by that task,
    enqueued for after the commit: it waits for the other transaction, so a seat freed at
    that moment does not stay free until the cron sweep.
    An offer takes its seats from the quotas' counters (`capacity.take_seats`).

    Side effects per offer: offer token stored (as a hash); the quotas' counters; log
    entry; signal `waiting_list_offer_made`; an `expire_offers` task enqueued for the
    offer's end.
    """
    now = now or timezone.now()
    in_line = queries.waiting_list(event).count()
    if not in_line:
        return []  # the common case
    waiting = list(
        queries.waiting_list(event)
        .select_for_update(of=("self",), skip_locked=not wait)
        .select_related("event")
    )
    if len(waiting) < in_line:
        enqueue_on_commit(tasks.offer_free_seats, event.pk)
    if not waiting:
        return []
    prefetch_related_objects(waiting, "attendees__ticket_type")
    tickets = {r.pk: [a.ticket_type for a in r.attendees.all()] for r in waiting}
    per_type = capacity.quotas_of({t.pk for row in tickets.values() for t in row})
    offer_time = queries.registration_settings(event).offer_time
    offered = []
    for registration in waiting:
        wanted = tickets[registration.pk]
        try:
            seats = capacity.seats_wanted(wanted, per_type)
        except RegistrationError:
            continue  # no seat can ever be offered to it; do not let it block the line
        if not seats:
            continue
        try:
            capacity.take_seats(
                seats, tickets=wanted, per_type=per_type, now=now, release_expired=False
            )
        except RegistrationError:
            break
        _offer(registration, until=now + offer_time)
        offered.append(registration)
    return offered


def offer_seat(registration: Registration, *, by, now: dt.datetime | None = None) -> Registration:
    """Offer a place to this one waiting-list registration, out of turn (the organiser's
    choice); raise `RegistrationError`: "wrong_state" when it is not waiting without an
    offer, "sold_out" when its tickets' quotas have no seats free for it.

    Side effects: those of an offer (`offer_free_seats`), and a log entry by `by`.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = locked(registration)
        if row.status != RegistrationStatus.WAITING_LIST or (
            row.offer_until is not None and row.offer_until > now
        ):
            raise RegistrationError(
                exceptions.NOT_WAITING % {"status": row.get_status_display()},
                code="wrong_state",
            )
        wanted = [a.ticket_type for a in row.attendees.select_related("ticket_type")]
        per_type = capacity.quotas_of({t.pk for t in wanted})
        seats = capacity.seats_wanted(wanted, per_type)
        capacity.take_seats(seats, tickets=wanted, per_type=per_type, now=now)
        until = now + queries.registration_settings(row.event).offer_time
        _offer(row, until=until)
        log_action(row, action="registration.offered_by_hand", by=by, data={})
    return row


def offer_free_seats_of(event_id: int, *, now: dt.datetime | None = None) -> list[Registration]:
    """Offer the free seats of the event with this id to its waiting list, in a transaction
    of its own (the task that follows a booking which released expired holds, or an offer
    that passed over part of the line). It waits for a line that another transaction is
    changing instead of passing it over: it holds no other registration's lock.

    Side effects: those of `offer_free_seats`.
    """
    with transaction.atomic():
        event = Event.objects.filter(pk=event_id).first()
        return offer_free_seats(event, now=now, wait=True) if event is not None else []


def offer_free_seats_to_every_line(*, now: dt.datetime | None = None) -> int:
    """Offer free seats to the waiting list of every event with someone in line, each event
    in a transaction of its own; return how many registrations were offered seats.

    The cron sweep's part (`release_expired_holds`): `offer_free_seats` passes over a line
    that another transaction is changing rather than wait for it, and leaves the rest to
    the `offer_free_seats` task; should that task be lost, a seat freed at that moment (a
    cancellation beside an offer being made) is offered at the latest at the next sweep.
    Only for events still to come: nobody is offered a seat at a day that has passed.
    """
    now = now or timezone.now()
    in_line = (
        Registration.objects.filter(
            status=RegistrationStatus.WAITING_LIST,
            offer_until__isnull=True,
            event__date__gte=timezone.localdate(now),
        )
        .order_by()
        .values_list("event_id", flat=True)
        .distinct()
    )
    return sum(len(offer_free_seats_of(event_id, now=now)) for event_id in list(in_line))


def _offer(registration: Registration, *, until: dt.datetime) -> None:
    token, token_hash = tokens.new_offer_token()
    registration.offer_token_hash = token_hash
    registration.offer_until = until
    registration.save(update_fields=["offer_token_hash", "offer_until", "updated"])
    log_action(
        registration,
        action="registration.offer_made",
        data={"offer_until": until.isoformat()},
    )
    signals.waiting_list_offer_made.send(
        sender=Registration, registration=registration, offer_url_token=token, expires=until
    )
    _schedule_expiry(until)


def _schedule_expiry(until: dt.datetime) -> None:

    # As for holds: a backend that cannot defer relies on the sweep in
    # `release_expired_holds` (run from cron); the offer stops holding seats at `until`
    # either way.
    if tasks.expire_offers.get_backend().supports_defer:
        enqueue_on_commit(tasks.expire_offers.using(run_after=until))


def accept_offer(registration: Registration, *, by=None) -> Registration:
    """Take the seats offered to a waiting-list registration, or raise `RegistrationError`.

    The offer holds its seats in the quotas' counters until it is passed on, so accepting
    keeps them: an offer that ran out can be accepted until it has been passed on (then
    code "offer_gone"). The registration then pends payment, awaits approval or is
    confirmed, as a new registration would.

    Side effects: offer ended; log entry; signal `registration_confirmed` when
    confirmed; a `release_expired_holds` task enqueued for the end of a new hold.
    """
    now = timezone.now()
    with transaction.atomic():
        registration = locked(registration)
        if registration.status != RegistrationStatus.WAITING_LIST or not (registration.offer_until):
            raise RegistrationError(exceptions.OFFER_GONE, code="offer_gone")
        # The token's hash stays: the offer's link then says what became of it.
        offer_until = registration.offer_until
        attendees = list(
            Attendee.objects.filter(registration=registration).select_related("ticket_type")
        )
        wanted = [a.ticket_type for a in attendees]
        status, hold_until = state_after_booking(
            registration.event,
            needs_approval=any(t.needs_approval for t in wanted),
            total=sum(a.price for a in attendees),
            now=now,
        )
        registration.status = status
        registration.offer_until = None
        registration.hold_until = hold_until
        registration.save(update_fields=["status", "offer_until", "hold_until", "updated"])
        log_action(
            registration,
            action="registration.offer_accepted",
            by=by,
            data={
                "status": [RegistrationStatus.WAITING_LIST, status],
                "offer_until": offer_until.isoformat() if offer_until else None,
                "hold_until": hold_until.isoformat() if hold_until else None,
            },
        )
        if hold_until:
            capacity.schedule_release(hold_until)
        if status == RegistrationStatus.CONFIRMED:
            signals.registration_confirmed.send(sender=Registration, registration=registration)
    return registration


def expire_offers(*, now: dt.datetime | None = None) -> int:
    """Cancel the waiting-list registrations whose offer ran out, passing the seats on.

    Each is locked, re-checked (it may have been accepted meanwhile) and cancelled in its
    own transaction, which then offers the seats to the next in line. Return how many
    offers ran out.

    Side effects per offer: log entry; signal `registration_cancelled` with the reason
    "offer_expired"; the next offers (see `offer_free_seats`).
    """
    now = now or timezone.now()
    due = Registration.objects.filter(
        status=RegistrationStatus.WAITING_LIST, offer_until__lte=now
    ).order_by("offer_until", "pk")
    expired = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            registration = expiry.locked_for_release(pk)
            if not expiry.offer_ended(registration, now=now):
                continue
            capacity.give_back(expiry.end_offer(registration))
            offer_free_seats(registration.event, now=now)
            expired += 1
    return expired
