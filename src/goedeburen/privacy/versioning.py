"""Move the events' version on when what their privacy statement says changes.

`statement.shown_at_booking` is cached per version of the event (`Event.updated`, as the
registration's booking data are): the statement's versions, the retention settings and
the organiser's name fill it (the payment settings move the version on themselves, in
`payments.versioning`; the event's own fields with every save of it).
"""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from goedeburen.events.models import Event, Organiser

from .models import PrivacySettings, PrivacyStatement


def _event_changed(sender, instance, **kwargs):
    Event.objects.filter(pk=instance.event_id).update(updated=timezone.now())


def _organiser_changed(sender, instance, **kwargs):
    Event.objects.filter(organiser_id=instance.pk).update(updated=timezone.now())


def connect() -> None:
    """Connect the receivers (from `PrivacyConfig.ready`)."""
    for signal in (post_save, post_delete):
        for model in (PrivacySettings, PrivacyStatement):
            signal.connect(
                _event_changed, sender=model, dispatch_uid=f"privacy.version.{model}.{signal}"
            )
    post_save.connect(_organiser_changed, sender=Organiser, dispatch_uid="privacy.organiser")
