"""The waiting list: offer freed seats in order of joining, accept an offer, pass on expired ones.

A waiting-list registration takes no seat. When seats come free (a cancellation, a
rejection, a hold or offer that ran out) `offer_free_seats` offers them to the first in
line, as far as they go; an offer holds its seats until it ends (`queries.takes_seat`), so
no more seats are ever offered than are free. An offer that is not taken in time cancels
that registration and passes the seats to the next in line.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event

from .. import exceptions, queries, signals, tasks, tokens
from ..enums import RegistrationStatus
from ..exceptions import RegistrationError
from ..models import Attendee, Registration
from . import capacity
from .booking import state_after_booking
from .common import locked


def offer_free_seats(event: Event, *, now: dt.datetime | None = None) -> list[Registration]:
    """Offer the event's free seats to its waiting list, first come first; return the offered.

    Strictly in order: when the first in line needs more seats than are free, nobody behind
    them is offered any. Call inside the transaction that freed the seats; this locks the
    quotas involved itself.

    Side effects per offer: offer token stored (as a hash); log entry; signal
    `waiting_list_offer_made`; an `expire_offers` task enqueued for the offer's end.
    """
    now = now or timezone.now()
    if not queries.waiting_list(event).exists():
        return []  # the common case: no quota lock needed
    # Lock first, read the line after: a concurrent offer is then either committed and
    # seen here, or waits for this transaction.
    quotas = capacity.lock_event_quotas(event)
    waiting = list(queries.waiting_list(event).prefetch_related("attendees__ticket_type"))
    if not waiting:
        return []
    tickets = {r.pk: [a.ticket_type for a in r.attendees.all()] for r in waiting}
    per_type = queries.ticket_type_quotas({t.pk for row in tickets.values() for t in row})
    offer_time = queries.registration_settings(event).offer_time
    offered = []
    for registration in waiting:
        wanted = tickets[registration.pk]
        if not wanted or any(not per_type[t.pk] for t in wanted):
            continue  # no seat can ever be offered to it; do not let it block the line
        try:
            capacity.check_seats(quotas, per_type, wanted, now=now)
        except RegistrationError:
            break
        _offer(locked(registration), until=now + offer_time)
        offered.append(registration)
    return offered


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

    The seats are checked again under the quota locks: an offer that ran out may have been
    passed on (code "offer_gone"). The registration then pends payment, awaits approval or
    is confirmed, as a new registration would.

    Side effects: offer ended; log entry; signal `registration_confirmed` when
    confirmed; a `release_expired_holds` task enqueued for the end of a new hold.
    """
    now = timezone.now()
    with transaction.atomic():
        registration = locked(registration)
        if registration.status != RegistrationStatus.WAITING_LIST or not (registration.offer_until):
            raise RegistrationError(exceptions.OFFER_GONE, code="offer_gone")
        # End the offer first, so that the seats it holds count as free for this check. The
        # token's hash stays: the offer's link then says what became of it.
        offer_until = registration.offer_until
        registration.offer_until = None
        registration.save(update_fields=["offer_until", "updated"])
        attendees = list(
            Attendee.objects.filter(registration=registration).select_related("ticket_type")
        )
        wanted = [a.ticket_type for a in attendees]
        ticket_types = {t.pk: t for t in wanted}
        per_type = queries.ticket_type_quotas(ticket_types)
        try:
            quotas = capacity.lock_quotas(per_type, ticket_types)
            capacity.check_seats(quotas, per_type, wanted, now=now)
        except RegistrationError as refused:
            raise RegistrationError(exceptions.OFFER_GONE, code="offer_gone") from refused
        status, hold_until = state_after_booking(
            registration.event,
            needs_approval=any(t.needs_approval for t in wanted),
            total=sum(a.price for a in attendees),
            now=now,
        )
        registration.status = status
        registration.hold_until = hold_until
        registration.save(update_fields=["status", "hold_until", "updated"])
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
            registration = (
                Registration.objects.select_for_update().select_related("event").get(pk=pk)
            )
            if (
                registration.status != RegistrationStatus.WAITING_LIST
                or registration.offer_until is None
                or registration.offer_until > now
            ):
                continue
            offer_until = registration.offer_until
            registration.status = RegistrationStatus.CANCELLED
            registration.save(update_fields=["status", "updated"])
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
            offer_free_seats(registration.event, now=now)
            expired += 1
    return expired
