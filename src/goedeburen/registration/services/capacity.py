"""Seats: lock the quotas involved, check what is left, schedule the end of a hold.

Shared by every use case that takes seats (booking, approval after an expired hold,
accepting a waiting-list offer). Capacity is checked and taken in one transaction that
holds a row lock on every quota involved, taken in a fixed order (DESIGN.md, invariant 1).
"""

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from django.db.models import QuerySet

from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event

from .. import exceptions, queries, tasks
from ..exceptions import RegistrationError
from ..models import Quota, TicketType


def lock_quotas(
    per_type: dict[int, list[Quota]], ticket_types: dict[int, TicketType]
) -> dict[int, Quota]:
    """Lock every quota the ticket types count against, in order of primary key.

    One fixed order means two registrations that need the same quotas can never each hold
    one the other waits for (no deadlock). SQLite has no row locks: its IMMEDIATE
    transactions already admit one writer at a time.
    """
    for pk, quotas in per_type.items():
        if not quotas:  # a ticket type outside every quota has no seats to sell
            raise RegistrationError(
                exceptions.UNAVAILABLE % {"ticket": ticket_types[pk].t.name}, code="unavailable"
            )
    ids = sorted({quota.pk for quotas in per_type.values() for quota in quotas})
    return lock_rows(Quota.objects.filter(pk__in=ids))


def lock_event_quotas(event: Event) -> dict[int, Quota]:
    """Lock all of the event's quotas, in order of primary key (see `lock_quotas`)."""
    return lock_rows(Quota.objects.filter(event=event))


def lock_rows(quotas: QuerySet[Quota]) -> dict[int, Quota]:
    """Lock `quotas` (SELECT … FOR UPDATE) in order of primary key; return them by pk.

    The one place invariant 1's row lock is taken (tests/seams.py takes it away to show
    that the race tests can fail).
    """
    return {quota.pk: quota for quota in quotas.order_by("pk").select_for_update()}


def check_seats(
    quotas: dict[int, Quota],
    per_type: dict[int, list[Quota]],
    tickets: Sequence[TicketType],
    *,
    now: dt.datetime,
    counted: bool = False,
) -> None:
    """Raise `RegistrationError` unless every quota has a free seat for each of `tickets`.

    `tickets` holds one ticket type per seat wanted; call with the quotas locked. With
    `counted`, the attendees wanting those seats are written already (in this transaction)
    and so are among the seats taken.
    """
    wanted: Counter[int] = Counter()
    first_ticket: dict[int, TicketType] = {}
    for ticket_type in tickets:
        for quota in per_type[ticket_type.pk]:
            wanted[quota.pk] += 1
            first_ticket.setdefault(quota.pk, ticket_type)
    taken = queries.seats_taken(quotas, now=now)
    for pk in sorted(wanted):
        left = quotas[pk].size - taken[pk] + (wanted[pk] if counted else 0)
        if wanted[pk] > left:
            ticket = first_ticket[pk].t.name
            message = (
                exceptions.SOLD_OUT % {"ticket": ticket}
                if left <= 0
                else exceptions.NOT_ENOUGH % {"ticket": ticket, "left": left, "wanted": wanted[pk]}
            )
            raise RegistrationError(message, code="sold_out")


def schedule_release(hold_until: dt.datetime) -> None:
    """Enqueue `release_expired_holds` to run at `hold_until`, once this transaction commits."""

    # Both backends we run (database, RQ) can defer a task; a backend that cannot relies on
    # `goedeburen release_expired_holds` from cron. Seats count as free from `hold_until`
    # on either way (see `queries.takes_seat`); the task only tidies up the status.
    if tasks.release_expired_holds.get_backend().supports_defer:
        enqueue_on_commit(tasks.release_expired_holds.using(run_after=hold_until))
