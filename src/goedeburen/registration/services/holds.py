"""End holds that ran out: the seats of unpaid or unapproved registrations come free."""

from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action

from ..enums import HELD_STATUSES, RegistrationStatus
from ..models import Registration


def release_expired_holds(*, now=None, by=None) -> int:
    """Cancel held registrations whose hold has ended; return how many.

    Each registration is locked, re-checked (it may have been paid or approved meanwhile)
    and cancelled in its own transaction. Side effects: a log entry per registration; its
    seats are free again.
    """
    now = now or timezone.now()
    due = Registration.objects.filter(status__in=HELD_STATUSES, hold_until__lte=now)
    released = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            registration = Registration.objects.select_for_update().get(pk=pk)
            still_held = registration.hold_until is None or registration.hold_until > now
            if registration.status not in HELD_STATUSES or still_held:
                continue
            before = registration.status
            registration.status = RegistrationStatus.CANCELLED
            registration.save(update_fields=["status", "updated"])
            log_action(
                registration,
                action="registration.hold_expired",
                by=by,
                data={
                    "status": [before, registration.status],
                    "hold_until": registration.hold_until.isoformat(),
                },
            )
            released += 1
    return released
