"""Record consents when a registration is made or changed (`registration.signals`)."""

from goedeburen.common.receivers import connect_receivers
from goedeburen.registration import signals
from goedeburen.registration.models import Registration

from . import services


def registration_created(registration, *, attendees=None, **kwargs):
    services.record_booking_consents(registration, attendees=attendees)


def registration_changed(registration, *, by=None, **kwargs):
    services.record_consent_changes(registration, by=by)


RECEIVERS = {
    signals.registration_created: registration_created,
    signals.registration_changed: registration_changed,
}


def connect() -> None:
    """Connect the receivers (from `PrivacyConfig.ready`)."""
    connect_receivers(RECEIVERS, app="privacy", sender=Registration)
