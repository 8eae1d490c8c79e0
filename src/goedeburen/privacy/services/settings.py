"""The organiser's privacy settings: retention periods and the privacy statement."""

from django.db import transaction
from django.db.models import Max

from goedeburen.common.audit import log_action
from goedeburen.common.singletons import save_the_one
from goedeburen.events.models import Event

from ..models import PrivacySettings, PrivacyStatement


def save_privacy_settings(settings: PrivacySettings, *, event: Event, by=None) -> PrivacySettings:
    """Store the event's retention periods. Side effects: the row written; a log entry."""
    settings.event = event
    with transaction.atomic():
        save_the_one(settings, event=event)
        log_action(
            event,
            action="privacy.settings_saved",
            by=by,
            data={
                "special_category_days": settings.special_category_days,
                "anonymise_months": settings.anonymise_months,
            },
        )
    event._privacy_settings = settings
    return settings


def save_statement(event: Event, *, text_nl: str, text_en: str = "", by=None) -> PrivacyStatement:
    """Store a new version of the event's privacy statement and return it.

    Side effects: a `PrivacyStatement` row with the next version number (the event's row
    locked so two saves never take one number); a log entry.
    """
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()
        latest = PrivacyStatement.objects.filter(event=event).aggregate(v=Max("version"))["v"]
        statement = PrivacyStatement.objects.create(
            event=event,
            version=(latest or 0) + 1,
            text_nl=text_nl.strip(),
            text_en=text_en.strip(),
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        log_action(
            event, action="privacy.statement_saved", by=by, data={"version": statement.version}
        )
    return statement
