"""Reads of the privacy domain that several screens and services share."""

from django.db.models import QuerySet

from goedeburen.events.models import Event
from goedeburen.registration.models import Registration

from .enums import RequestState
from .models import ConsentRecord, Erasure, ErasureRequest, PrivacySettings, PrivacyStatement


def privacy_settings(event: Event) -> PrivacySettings:
    """Return the event's retention settings, or the defaults when it has none."""
    cache = getattr(event, "_privacy_settings", None)
    if cache is None:
        cache = PrivacySettings.objects.filter(event=event).first() or PrivacySettings(event=event)
        event._privacy_settings = cache
    return cache


def latest_statement(event: Event) -> PrivacyStatement | None:
    """Return the organiser's newest version of the statement, or None (the default shows)."""
    return PrivacyStatement.objects.filter(event=event).order_by("-version").first()


def consent_history(registration: Registration) -> QuerySet[ConsentRecord]:
    """Return every consent record of the registration, oldest first."""
    return ConsentRecord.objects.filter(registration=registration).select_related("attendee")


def current_consents(registration: Registration) -> dict[tuple[int | None, str], ConsentRecord]:
    """Return the newest record per (attendee id or None, kind)."""
    latest = {}
    for record in consent_history(registration).order_by("created", "pk"):
        latest[(record.attendee_id, record.kind)] = record
    return latest


def is_erased(registration: Registration) -> bool:
    return Erasure.objects.filter(registration=registration).exists()


def open_request(registration: Registration) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(registration=registration, state=RequestState.OPEN).first()


def erasure_requests(event: Event) -> QuerySet[ErasureRequest]:
    """Return the event's erasure requests, open ones first, with their registrations."""
    return (
        ErasureRequest.objects.filter(event=event)
        .select_related("registration", "handled_by")
        .order_by("state", "-created", "-pk")
    )
