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
        else:
            quota = capacity.lock_rows([quota.pk])[quota.pk]
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


def _check_size(size: int, *, taken: int) -> None:
    if size < taken:
        raise RegistrationError(
            exceptions.SIZE_BELOW_TAKEN % {"size": size, "taken": taken}, code="size_below_taken"
        )
