"""The organiser's settings for check-in, badges and certificates."""

from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event

from ..models import CheckinSettings
from . import certificates

FIELDS = ("badge_layout", "badge_qr", "certificates", "certificate_hours")


def save_settings(event: Event, *, values: dict, by) -> CheckinSettings:
    """Store the event's check-in settings (`FIELDS`); switching certificates on issues them
    to everyone checked in so far.

    Side effects: settings row; log entry with the changes; `issue_certificates` when
    certificates are on.
    """
    with transaction.atomic():
        settings, _created = CheckinSettings.objects.select_for_update().get_or_create(event=event)
        changes = {}
        for name in FIELDS:
            if name in values and getattr(settings, name) != values[name]:
                changes[name] = [_plain(getattr(settings, name)), _plain(values[name])]
                setattr(settings, name, values[name])
        settings.full_clean(exclude=["event"])
        settings.save()
        if changes:
            log_action(event, action="checkin.settings_changed", by=by, data=changes)
        if settings.certificates and event.starts_at() <= timezone.now():
            certificates.issue_certificates(event, by=by)
    return settings


def _plain(value):
    return value if isinstance(value, bool | int | str) or value is None else str(value)
