"""Keep an event's target mix: the share of its attendees the organiser aims for in each
stakeholder group (`AttendingRole`). The dashboard sets the registrations against it."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event

from ..enums import AttendingRole
from ..exceptions import RegistrationError
from ..models import TargetShare

HUNDRED = Decimal("100")
SHARE_OUT_OF_RANGE = _("A target share of “%(group)s” is a percentage from 0 to 100.")
UNKNOWN_GROUP = _("“%(group)s” is not a stakeholder group.")
ABOVE_HUNDRED = _("The target shares add up to %(total)s %%; together they may be 100 %% at most.")


def save_target_mix(event: Event, *, shares: Mapping[str, Decimal | None], by) -> None:
    """Set the event's target share per stakeholder group, in %; a group left out, empty
    or 0 has no target.

    Raise `RegistrationError` ("invalid") for an unknown group or a share outside 0–100
    and ("target_above_100") when the shares add up to more than 100; nothing is saved
    then.

    Side effects: the event's target shares replaced; a log entry with the changes
    (`{group: [before, after]}`) when anything changed.
    """
    wanted = _checked(shares)
    with transaction.atomic():
        # One save at a time per event, so that two never add up past 100 together.
        Event.objects.select_for_update().filter(pk=event.pk).first()
        before = {t.role: t.share for t in TargetShare.objects.filter(event=event)}
        changes = {
            role: [_text(before.get(role)), _text(wanted.get(role))]
            for role in AttendingRole.values
            if before.get(role) != wanted.get(role)
        }
        if not changes:
            return
        TargetShare.objects.filter(event=event).delete()
        TargetShare.objects.bulk_create(
            TargetShare(event=event, role=role, share=share) for role, share in wanted.items()
        )
        log_action(event, action="target_mix.changed", by=by, data={"changes": changes})


def _checked(shares: Mapping[str, Decimal | None]) -> dict[str, Decimal]:
    wanted = {}
    for role, share in shares.items():
        if role not in AttendingRole.values:
            raise RegistrationError(UNKNOWN_GROUP % {"group": role}, code="invalid")
        if share in (None, ""):
            continue
        try:
            share = Decimal(share).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError, ValueError):
            share = None
        label = AttendingRole(role).label
        if share is None or not share.is_finite() or not 0 <= share <= HUNDRED:
            raise RegistrationError(SHARE_OUT_OF_RANGE % {"group": label}, code="invalid")
        if share:
            wanted[role] = share
    total = sum(wanted.values(), Decimal("0"))
    if total > HUNDRED:
        raise RegistrationError(ABOVE_HUNDRED % {"total": _text(total)}, code="target_above_100")
    return wanted


def _text(share: Decimal | None) -> str | None:
    return None if share is None else f"{share.normalize():f}"
