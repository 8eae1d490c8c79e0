"""Change a quota: its size, its ticket types; create and delete one. The back office's hooks.

Every change that can move a quota's seat counter runs under the quota's row lock and
leaves `Quota.taken` equal to the records: a new size must hold the seats taken, and
a change of ticket types recounts the seats from the records (`recount.count_locked`).
"""

from collections.abc import Iterable

from django.db import transaction

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event

from .. import exceptions
from ..exceptions import RegistrationError
from ..models import Quota, TicketType
from . import capacity, recount


def change_quota_size(quota: Quota, *, size: int, by) -> Quota:
    """Give `quota` `size` seats, or raise `RegistrationError` (code "size_below_taken")
    when fewer than its seats taken.

    Side effects: log entry with the sizes before and after.
    """
    with transaction.atomic():
        locked = capacity.lock_rows([quota.pk])[quota.pk]
        _check_size(size, taken=locked.taken)
        before = locked.size
        locked.size = size
        locked.save(update_fields=["size"])
        log_action(
            locked,
            action="quota.changed",
            by=by,
            data={"quota": locked.name, "seats": size, "changes": {"size": [before, size]}},
        )
    return locked


def save_quota(
    quota: Quota | None,
    *,
    event: Event,
    name: str,
    size: int,
    ticket_types: Iterable[TicketType],
    by,
) -> Quota:
    """Create a quota of `event` (with `quota` None) or change one; return it.

    Its counter is recounted from the records under its lock, since other ticket types
    may hold other seats. Raise `RegistrationError`: "size_below_taken" when the seats
    taken do not fit into `size`, "invalid" for ticket types of another event.

    Side effects: log entry with the changes.
    """
    ticket_types = list(ticket_types)
    if any(t.event_id != event.pk for t in ticket_types):
        raise RegistrationError(exceptions.FOREIGN_TICKET_TYPE, code="invalid")
    with transaction.atomic():
        if quota is None:
            quota = Quota.objects.create(event=event, name=name, size=size)
            before = {}
            _lock_quotas_of({t.pk for t in ticket_types}, also=quota.pk)
        else:
            old = set(quota.ticket_types.values_list("pk", flat=True))
            quota = _lock_quotas_of(old ^ {t.pk for t in ticket_types}, also=quota.pk)[quota.pk]
            before = {
                "name": quota.name,
                "size": quota.size,
                "ticket_types": sorted(quota.ticket_types.values_list("pk", flat=True)),
            }
            quota.name, quota.size = name, size
        quota.ticket_types.set(ticket_types)
        taken = recount.count_locked([quota.pk])[quota.pk]
        _check_size(size, taken=taken)
        quota.taken = taken
        quota.save(update_fields=["name", "size", "taken"])
        after = {"name": name, "size": size, "ticket_types": sorted(t.pk for t in ticket_types)}
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        log_action(
            quota,
            action="quota.changed",
            by=by,
            data={"quota": name, "seats": size, "changes": changes},
        )
    return quota


def delete_quota(quota: Quota, *, by) -> None:
    """Delete `quota`; its ticket types are then no longer on sale unless another quota
    holds them. Side effects: log entry on the event."""
    with transaction.atomic():
        locked = capacity.lock_rows([quota.pk])[quota.pk]
        log_action(
            locked.event,
            action="quota.deleted",
            by=by,
            data={"quota": locked.name, "seats": locked.size, "taken": locked.taken},
        )
        locked.delete()


def set_ticket_type_quotas(ticket_type: TicketType, *, quotas: Iterable[Quota], by) -> None:
    """Make `ticket_type` count against exactly `quotas` (of its event); recount them.

    Raise `RegistrationError`: "size_below_taken" when a quota's seats taken would not fit
    into its size, "invalid" for quotas of another event.

    Side effects: log entry per quota whose ticket types changed.
    """
    quotas = list(quotas)
    if any(q.event_id != ticket_type.event_id for q in quotas):
        raise RegistrationError(exceptions.FOREIGN_TICKET_TYPE, code="invalid")
    with transaction.atomic():
        before = set(ticket_type.quotas.values_list("pk", flat=True))
        after = {q.pk for q in quotas}
        locked = _lock_quotas_of({ticket_type.pk}, also=None, quota_ids=before | after)
        ticket_type.quotas.set(quotas)
        counts = recount.count_locked(before ^ after)
        for pk, taken in sorted(counts.items()):
            _check_size(locked[pk].size, taken=taken)
            Quota.objects.filter(pk=pk).update(taken=taken)
            log_action(
                locked[pk],
                action="quota.changed",
                by=by,
                data={
                    "quota": locked[pk].name,
                    "seats": locked[pk].size,
                    "changes": {"ticket_type": [ticket_type.pk in before, pk in after]},
                },
            )


def _lock_quotas_of(
    ticket_type_ids: set[int], *, also: int | None, quota_ids: Iterable[int] = ()
) -> dict[int, Quota]:
    """Lock (in order of id) every quota these ticket types count against, and the others
    given. A booking that read the ticket types' quotas before this change then either
    holds one of these locks first (and is counted by the recount that follows) or waits
    for this change and finds it when it checks its quotas (`capacity.take_seats`)."""
    ids = set(quota_ids) | set(
        Quota.ticket_types.through.objects.filter(tickettype_id__in=ticket_type_ids).values_list(
            "quota_id", flat=True
        )
    )
    if also is not None:
        ids.add(also)
    return capacity.lock_rows(ids)


def _check_size(size: int, *, taken: int) -> None:
    if size < taken:
        raise RegistrationError(
            exceptions.SIZE_BELOW_TAKEN % {"size": size, "taken": taken}, code="size_below_taken"
        )
