"""Seats: the counter on each quota, taken and given back by every use case that moves seats.

`Quota.taken` counts the seats that registrations hold (see `queries.counts_seats`). It is
changed only here, always in the transaction of the change that moves the seats:

- `take_seats` takes them with one conditional UPDATE per quota (`taken = taken + n WHERE
  taken + n <= size`), quotas in order of id, as the last statement before the commit: the
  row lock it takes is held for the shortest time, and the CHECK constraint `taken <= size`
  stands behind it (DESIGN.md, invariant 1). When a quota is full, seats whose hold or
  offer has run out are released first (`expiry.release_expired`), because an expired hold
  counts as free from the moment it ends; then the UPDATE is tried once more.
- `give_back` returns seats (cancellation, rejection, an expired hold or offer).

The use cases: booking (`booking`), a waiting-list offer (`waiting_list.offer_free_seats`),
a lapsed registration paid after all (`payment.confirm_paid`) take seats; cancellation,
rejection and expiry give them back; approval, payment within the hold, accepting an offer
and substitution keep them. A change to a quota's size or ticket types goes through
`quotas` (which recounts under the lock); `recount` compares every counter with the
records, nightly.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection, transaction
from django.db.models import F

from goedeburen.common.tasks import enqueue_sweep_on_commit

from .. import exceptions, tasks
from ..exceptions import RegistrationError
from ..models import Attendee, Quota, Registration, TicketType
from . import expiry


def quotas_of(ticket_type_ids: Iterable[int]) -> dict[int, list[int]]:
    """Return, per ticket type id, the ids of the quotas it counts against (one query).

    Written out: every booking runs it under the quota lock (`take_seats`), where the
    ORM's query costs more CPU to build than to run (tests/registration/test_capacity.py
    compares it with the ORM's `TicketType.quotas`).
    """
    result: dict[int, list[int]] = {pk: [] for pk in ticket_type_ids}
    if not result:
        return result
    table = connection.ops.quote_name(Quota.ticket_types.through._meta.db_table)
    sql = (
        f"SELECT tickettype_id, quota_id FROM {table} "  # noqa: S608 - the model's table name
        f"WHERE tickettype_id IN ({', '.join(['%s'] * len(result))}) ORDER BY quota_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(result))
        for ticket_type_id, quota_id in cursor.fetchall():
            result[ticket_type_id].append(quota_id)
    return result


def seats_wanted(
    tickets: Sequence[TicketType], per_type: Mapping[int, Sequence[int]]
) -> Counter[int]:
    """Return how many seats of each quota (by id) `tickets` need, one ticket per seat.

    Raise `RegistrationError` (code "unavailable") for a ticket type outside every quota:
    it has no seats to sell.
    """
    wanted: Counter[int] = Counter()
    for ticket_type in tickets:
        quota_ids = per_type.get(ticket_type.pk)
        if not quota_ids:
            raise RegistrationError(
                exceptions.UNAVAILABLE % {"ticket": ticket_type.t.name}, code="unavailable"
            )
        for quota_id in quota_ids:
            wanted[quota_id] += 1
    return wanted


def seats_of(registration: Registration) -> Counter[int]:
    """Return how many seats of each quota (by id) the registration's attendees need."""
    ticket_type_ids = list(
        Attendee.objects.filter(registration=registration).values_list("ticket_type_id", flat=True)
    )
    per_type = quotas_of(set(ticket_type_ids))
    return Counter(quota_id for pk in ticket_type_ids for quota_id in per_type[pk])


def take_seats(
    wanted: Mapping[int, int],
    *,
    tickets: Sequence[TicketType],
    per_type: Mapping[int, Sequence[int]],
    now: dt.datetime,
    release_expired: bool = True,
    wait_for_expired: bool = False,
) -> None:
    """Take `wanted[quota id]` seats of each quota, or raise `RegistrationError` ("sold_out").

    `wanted` is `seats_wanted(tickets, per_type)`: `per_type` may come from a cache, so it
    is checked against the database once the quotas are locked (a change of a quota's
    ticket types locks the quotas involved too, `quotas`), and the seats are taken again
    by the mapping found if it changed meanwhile. Call it inside the transaction of the
    change, as late as possible: the quotas stay locked from here to the commit. With
    `release_expired`, holds and offers that ran out in a full quota are released first and
    the seats tried again; `wait_for_expired` waits for a registration that another
    transaction is changing (only a caller that holds no other registration's lock may
    wait: otherwise two could wait for each other), else such a one is left to that
    transaction.

    Side effects: the quotas' counters; those of `expiry.release_expired` when it runs.
    """
    for _attempt in range(3):
        if not wanted:
            return
        full = _take_all(wanted)
        if full is not None and release_expired:
            released = expiry.release_expired([full], now=now, skip_locked=not wait_for_expired)
            if released:
                full = _take_all(wanted)
        current = quotas_of({t.pk for t in tickets})
        if all(sorted(current[t.pk]) == sorted(per_type.get(t.pk, ())) for t in tickets):
            break
        # A quota's ticket types changed since `per_type` was read: take by the new ones.
        if full is None:
            give_back(wanted)
        per_type, wanted = current, seats_wanted(tickets, current)
    else:  # the quotas' ticket types kept changing under us: rather refuse than guess
        raise RegistrationError(
            exceptions.UNAVAILABLE % {"ticket": tickets[0].t.name}, code="unavailable"
        )
    if full is not None:
        raise _refusal(full, wanted=wanted[full], tickets=tickets, per_type=per_type)


def _take_all(wanted: Mapping[int, int]) -> int | None:
    """Take the seats of every quota in order of id; return the id of a full one, or None.

    With more than one quota the takes run in a savepoint, so that a full quota gives
    back the seats (and row locks) taken before it; with one (the common case) a refused
    UPDATE changed and locked nothing, and the savepoint's two statements are saved.
    """
    ids = sorted(wanted)
    if len(ids) == 1:
        return None if increment(ids[0], wanted[ids[0]]) else ids[0]
    full = None
    sid = transaction.savepoint()
    for quota_id in ids:
        if not increment(quota_id, wanted[quota_id]):
            full = quota_id
            break
    if full is None:
        transaction.savepoint_commit(sid)
    else:
        transaction.savepoint_rollback(sid)
    return full


def increment(quota_id: int, seats: int) -> bool:
    """Take `seats` of the quota if they are free; return whether they were taken.

    The one statement invariant 1 rests on: PostgreSQL's UPDATE locks the row and
    re-checks the condition against the latest committed counter, so two takers never both
    see the same free seat (tests/seams.py replaces it to show the race tests can fail).
    SQLite's IMMEDIATE transactions admit one writer at a time anyway.
    """
    # Written out: the ORM's UPDATE costs more CPU to build than to run, and it runs
    # under the quota's row lock (tests/registration/test_capacity.py compares).
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENT, [seats, quota_id, seats])
        return cursor.rowcount == 1


# Double quotes name a table or column in both PostgreSQL and SQLite.
_INCREMENT = (
    f'UPDATE "{Quota._meta.db_table}" SET "taken" = "taken" + %s '  # noqa: S608 - the model's table
    f'WHERE "id" = %s AND "taken" <= "size" - %s'
)


def give_back(wanted: Mapping[int, int]) -> None:
    """Return `wanted[quota id]` seats to each quota, in order of id.

    Side effects: the quotas' counters.
    """
    for quota_id in sorted(wanted):
        if wanted[quota_id]:
            Quota.objects.filter(pk=quota_id).update(taken=F("taken") - wanted[quota_id])


def free_seats(quota_ids: Iterable[int]) -> dict[int, int]:
    """Return how many seats each quota has free by its counter (expired holds as taken)."""
    return {
        pk: size - taken
        for pk, size, taken in Quota.objects.filter(pk__in=list(quota_ids)).values_list(
            "pk", "size", "taken"
        )
    }


def _refusal(
    quota_id: int,
    *,
    wanted: int,
    tickets: Sequence[TicketType],
    per_type: Mapping[int, Sequence[int]],
) -> RegistrationError:
    left = max(free_seats([quota_id]).get(quota_id, 0), 0)
    ticket = next(t for t in tickets if quota_id in per_type.get(t.pk, ())).t.name
    if left <= 0:
        return RegistrationError(exceptions.SOLD_OUT % {"ticket": ticket}, code="sold_out")
    return RegistrationError(
        exceptions.NOT_ENOUGH % {"ticket": ticket, "left": left, "wanted": wanted},
        code="sold_out",
    )


def lock_rows(quota_ids: Iterable[int]) -> dict[int, Quota]:
    """Lock the quotas (SELECT … FOR UPDATE) in order of id; return them by id.

    For the few use cases that must read a counter and decide on it without taking seats
    (joining the waiting list, offering seats in order, recounting, changing a quota).
    """
    quotas = Quota.objects.filter(pk__in=list(quota_ids)).order_by("pk")
    if connection.features.has_select_for_update:
        quotas = quotas.select_for_update()
    return {quota.pk: quota for quota in quotas}


def schedule_release(hold_until: dt.datetime) -> None:
    """Enqueue `release_expired_holds` to run at `hold_until` (or the minute after it: one
    run per minute, `common.tasks.enqueue_sweep_on_commit`), once this transaction commits."""

    # Both backends we run (database, RQ) can defer a task; a backend that cannot relies on
    # `goedeburen release_expired_holds` from cron. Seats of an expired hold are released
    # by the task, or at once by a booking that finds its quota full (`take_seats`).
    if tasks.release_expired_holds.get_backend().supports_defer:
        enqueue_sweep_on_commit(tasks.release_expired_holds, at=hold_until)
