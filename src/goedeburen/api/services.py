"""Use cases of tokens and webhook endpoints: make, revoke, rotate, ping, redeliver.

Side effects of each are named in its docstring; every change is logged.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event, Organiser

from . import credentials, exceptions, webhooks
from .exceptions import ApiError
from .models import ApiToken, DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEventType
from .scopes import PERMISSIONS, SCOPES, may_see_bank_lines

# How long the old secret keeps signing after a rotation, so receivers can switch over.
ROTATION_OVERLAP = dt.timedelta(hours=24)
MAX_TOKEN_LIFETIME = dt.timedelta(days=366)


def create_token(
    *,
    organiser: Organiser,
    event: Event | None,
    name: str,
    scopes: list[str],
    expires: dt.datetime,
    by,
) -> tuple[ApiToken, str]:
    """Make an API token for `by`; return it and the token text, shown once only.

    Refuse a scope its maker does not hold on the event (or on every event of the
    organiser). Side effects: the token row (hashed), a log entry.
    """
    scopes = sorted(set(scopes))
    if not scopes:
        raise ApiError(exceptions.NO_SCOPE, code="no_scope")
    for scope in scopes:
        if scope not in SCOPES:
            raise ApiError(exceptions.UNKNOWN_SCOPE % {"scope": scope}, code="unknown_scope")
    now = timezone.now()
    if not (now < expires <= now + MAX_TOKEN_LIFETIME):
        raise ApiError(exceptions.EXPIRY_INVALID, code="expiry_invalid")
    events = [event] if event is not None else list(organiser.events.all())
    for scope in scopes:
        allowed = all(by.has_perm(PERMISSIONS[scope], each) for each in events)
        if not events or not allowed:
            raise ApiError(
                exceptions.NOT_PERMITTED % {"scope": SCOPES[scope]}, code="not_permitted"
            )
    text, prefix, token_hash = credentials.new_api_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            organiser=organiser,
            event=event,
            name=name,
            created_by=by,
            scopes=scopes,
            prefix=prefix,
            token_hash=token_hash,
            expires=expires,
        )
        log_action(
            token,
            action="api.token_created",
            by=by,
            data={"name": name, "scopes": ", ".join(scopes)},
        )
    return token, text


def revoke_token(token: ApiToken, *, by) -> ApiToken:
    """Revoke `token` at once. Side effects: `revoked` set, a log entry."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked is None:
            locked.revoked = timezone.now()
            locked.save(update_fields=["revoked"])
            log_action(locked, action="api.token_revoked", by=by, data={"name": locked.name})
    return locked


def check_webhook_url(url: str) -> str:
    """Return `url` when a webhook may be sent there; https, or http on loopback in debug."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # beyond 65535, which a URL field lets through
        port = 0
    if port == 0:
        raise ApiError(exceptions.PORT_INVALID, code="port_invalid")
    if webhooks.refused_address(url):
        raise ApiError(exceptions.ADDRESS_PRIVATE, code="address_private")
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme == "https" or (parts.scheme == "http" and (local or settings.DEBUG)):
        return url
    raise ApiError(exceptions.URL_INVALID, code="url_invalid")


def _check_event_types(event_types: list[str]) -> list[str]:
    chosen = sorted(set(event_types))
    if not chosen:
        raise ApiError(exceptions.NO_EVENT_TYPE, code="no_event_type")
    for name in chosen:
        if name not in WebhookEventType.values or name == WebhookEventType.PING:
            raise ApiError(
                exceptions.UNKNOWN_EVENT_TYPE % {"type": name}, code="unknown_event_type"
            )
    return chosen


def create_endpoint(
    *, organiser: Organiser, event: Event | None, url: str, event_types: list[str], by
) -> tuple[WebhookEndpoint, str]:
    """Register a webhook endpoint; return it and its signing secret, shown once.

    Side effects: the endpoint and its encrypted secret, a log entry, the organiser's
    endpoint cache cleared.
    """
    url = check_webhook_url(url)
    event_types = _check_event_types(event_types)
    secret = credentials.new_webhook_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organiser=organiser, event=event, url=url, event_types=event_types, created_by=by
        )
        endpoint.secrets.create(encrypted=credentials.encrypt(secret))
        log_action(endpoint, action="api.webhook_created", by=by, data={"url": url})
        webhooks.forget_endpoints(organiser.pk)
    return endpoint, secret


def change_endpoint(
    endpoint: WebhookEndpoint, *, url: str, event_types: list[str], active: bool, by
) -> WebhookEndpoint:
    """Change an endpoint's URL, event types or state (switching on clears its failures)."""
    url = check_webhook_url(url)
    event_types = _check_event_types(event_types)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.url, locked.event_types = url, event_types
        if active and not locked.active:
            locked.failing_since, locked.disabled_reason = None, ""
        locked.active = active
        locked.save()
        log_action(locked, action="api.webhook_changed", by=by, data={"url": url})
        webhooks.forget_endpoints(locked.organiser_id)
    return locked


def rotate_secret(endpoint: WebhookEndpoint, *, by) -> str:
    """Give the endpoint a new secret; the old ones sign for `ROTATION_OVERLAP` longer.

    Return the new secret, shown once. Side effects: secret rows, a log entry.
    """
    secret = credentials.new_webhook_secret()
    now = timezone.now()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.secrets.filter(expires__isnull=True).update(expires=now + ROTATION_OVERLAP)
        locked.secrets.filter(expires__lte=now).delete()
        locked.secrets.create(encrypted=credentials.encrypt(secret))
        log_action(locked, action="api.webhook_secret_rotated", by=by, data={"url": locked.url})
    return secret


def ping(endpoint: WebhookEndpoint, *, by) -> WebhookDelivery:
    """Queue a test delivery to the endpoint. Side effects: a delivery row, a task."""
    with transaction.atomic():
        delivery = webhooks.queue_delivery(
            endpoint,
            event_type=WebhookEventType.PING,
            data={"endpoint": endpoint.pk},
        )
        log_action(endpoint, action="api.webhook_pinged", by=by, data={"url": endpoint.url})
    return delivery


def redeliver(delivery: WebhookDelivery, *, by) -> WebhookDelivery:
    """Send a failed or given-up delivery again, as soon as possible (same message id)."""
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.state not in (DeliveryState.FAILED, DeliveryState.GAVE_UP):
            raise ApiError(exceptions.NOT_RETRYABLE, code="wrong_state")
        locked.state, locked.next_attempt_at = DeliveryState.QUEUED, timezone.now()
        locked.save(update_fields=["state", "next_attempt_at"])
        log_action(
            locked.endpoint,
            action="api.webhook_redelivered",
            by=by,
            data={"url": locked.endpoint.url, "type": locked.event_type},
        )
        webhooks.enqueue(locked)
    return locked


def bank_lines_visible(user, organiser: Organiser) -> bool:
    """Tell whether `user` may read the organiser's bank lines."""
    return may_see_bank_lines(user, organiser)
