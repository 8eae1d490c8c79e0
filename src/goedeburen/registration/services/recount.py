"""Compare every quota's seat counter with its records; report and repair a difference.

The counter is kept exact by the services (`capacity`); this is the check that they do,
run nightly (`goedeburen recount`, task `recount_seats`). Each quota is locked while it is
counted, so that no registration moves seats between the count and the repair: a
transaction that changed records but not yet the counter waits for the lock, and its
records are not yet visible (they commit together).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event

from .. import queries
from ..models import Quota
from . import capacity

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Difference:
    """A quota whose counter (`counted`) differed from its records (`records`)."""

    quota: Quota
    counted: int
    records: int
    repaired: bool


def count_locked(quota_ids: Iterable[int]) -> dict[int, int]:
    """Return the seats the records of these quotas hold; call with the quotas locked."""
    return queries.counted_seats(quota_ids)


def recount_seats(*, event: Event | None = None, repair: bool, by=None) -> list[Difference]:
    """Count the seats of every quota (of `event`) from its records; return the differences.

    With `repair`, a counter that differs is set to its records (unless they exceed the
    size, which the CHECK constraint forbids: then it is reported only). Each quota is
    counted in a transaction of its own, under its lock.

    Side effects per difference: an error logged; with `repair` the counter set and a log
    entry `quota.recounted` on the quota.
    """
    quotas = Quota.objects.order_by("pk")
    if event is not None:
        quotas = quotas.filter(event=event)
    differences = []
    for pk in quotas.values_list("pk", flat=True):
        with transaction.atomic():
            found = capacity.lock_rows([pk]).get(pk)
            if found is None:
                continue  # deleted meanwhile
            records = count_locked([pk])[pk]
            if records == found.taken:
                continue
            fixed = repair and records <= found.size
            logger.error(
                "quota %s (%s): counter %s, records %s%s",
                pk,
                found.name,
                found.taken,
                records,
                " (repaired)" if fixed else "",
            )
            if fixed:
                Quota.objects.filter(pk=pk).update(taken=records)
                log_action(
                    found,
                    action="quota.recounted",
                    by=by,
                    data={"quota": found.name, "counted": found.taken, "records": records},
                )
            differences.append(
                Difference(quota=found, counted=found.taken, records=records, repaired=fixed)
            )
    return differences
