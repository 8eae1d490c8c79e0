"""End holds that ran out: the seats of unpaid or unapproved registrations come free."""

from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action

from .. import signals
from ..enums import HELD_STATUSES, CancelReason, RegistrationStatus
from ..models import Registration
from .waiting_list import expire_offers, offer_free_seats


def release_expired_holds(*, now=None, by=None) -> int:
    """Cancel held registrations whose hold has ended; return how many.

    Each registration is locked, re-checked (it may have been paid or approved meanwhile)
    and cancelled in its own transaction, which then offers its seats to the waiting list.
    Waiting-list offers that ran out are passed on too (`expire_offers`), so this one sweep
    from cron tidies up everything that has a time limit.

    Side effects per registration: a log entry; signal `registration_cancelled` with the
    reason "hold_expired"; its seats are free again and offered to the waiting list.
    """
    now = now or timezone.now()
    due = Registration.objects.filter(status__in=HELD_STATUSES, hold_until__lte=now)
    released = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            registration = (
                Registration.objects.select_for_update().select_related("event").get(pk=pk)
            )
            still_held = registration.hold_until is None or registration.hold_until > now
            if registration.status not in HELD_STATUSES or still_held:
                continue
            before = registration.status
            registration.status = RegistrationStatus.CANCELLED
            registration.cancel_reason = CancelReason.HOLD_EXPIRED
            registration.save(update_fields=["status", "cancel_reason", "updated"])
            log_action(
                registration,
                action="registration.hold_expired",
                by=by,
                data={
                    "status": [before, registration.status],
                    "hold_until": registration.hold_until.isoformat(),
                },
            )
            signals.registration_cancelled.send(
                sender=Registration, registration=registration, reason="hold_expired", by=None
            )
            offer_free_seats(registration.event, now=now)
            released += 1
    expire_offers(now=now)
    return released
