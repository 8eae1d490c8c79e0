"""Webhooks: from a logged change to a signed delivery, through the outbox pattern.

Every change is written to the audit log in the transaction that makes it; `on_log_entry`
hears each entry, and for the organiser's endpoints that want its event type writes a
`WebhookDelivery` row in that same transaction. A change rolled back therefore never
emits a webhook. The worker sends each delivery after the commit, signed with the
Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`),
with a minimal payload (type, id, URL to fetch). A failure is retried with exponential
back-off for more than 72 hours; a 410 Gone, or a week of failures, switches the endpoint
off and mails its organiser's owners. Deliveries are kept 30 days.
"""

import datetime as dt
import json
import logging
import time
import uuid
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from goedeburen.common.audit import log_action
from goedeburen.common.links import absolute_url
from goedeburen.common.tasks import enqueue_on_commit

from . import credentials, tasks, webhook_transport
from .mailing import mail_owners_endpoint_off
from .models import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEventType

logger = logging.getLogger(__name__)

# Seconds to wait after the n-th failed attempt: about 95 hours in all before giving up.
RETRY_DELAYS = [5, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600] + [24 * 3600] * 3
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
FAILING_FOR = dt.timedelta(days=7)  # then the endpoint is switched off
SENDING_STALE_AFTER = dt.timedelta(minutes=5)  # a worker that died mid-send
KEEP_FOR = dt.timedelta(days=30)
TIMEOUT_SECONDS = 10
USER_AGENT = "Goede buren webhooks"

# Log action → webhook event type, and how to find the resource the payload points to.
ACTIONS = {
    "registration.created": WebhookEventType.REGISTRATION_CREATED,
    "registration.changed": WebhookEventType.REGISTRATION_CHANGED,
    "registration.approved": WebhookEventType.REGISTRATION_CHANGED,
    "registration.rejected": WebhookEventType.REGISTRATION_CHANGED,
    "registration.attendee_substituted": WebhookEventType.REGISTRATION_CHANGED,
    "registration.paid": WebhookEventType.REGISTRATION_CHANGED,
    "registration.on_account": WebhookEventType.REGISTRATION_CHANGED,
    "registration.offer_accepted": WebhookEventType.REGISTRATION_CHANGED,
    "registration.hold_extended": WebhookEventType.REGISTRATION_CHANGED,
    "registration.hold_shortened": WebhookEventType.REGISTRATION_CHANGED,
    "registration.cancelled": WebhookEventType.REGISTRATION_CANCELLED,
    "registration.hold_expired": WebhookEventType.REGISTRATION_CANCELLED,
    "registration.offer_expired": WebhookEventType.REGISTRATION_CANCELLED,
    "payment.paid": WebhookEventType.PAYMENT_RECEIVED,
    "invoice.issued": WebhookEventType.INVOICE_ISSUED,
    "invoice.credited": WebhookEventType.INVOICE_ISSUED,
    "matching.published": WebhookEventType.ASSIGNMENT_PUBLISHED,
    "checkin.checked_in": WebhookEventType.CHECKIN_CREATED,
    "checkin.walk_in": WebhookEventType.CHECKIN_CREATED,
}


def _cache_key(organiser_id: int) -> str:
    return f"api:webhooks:{organiser_id}"


def endpoints_of(organiser_id: int) -> list[tuple[int, int | None, tuple[str, ...]]]:
    """Return the organiser's active endpoints as (id, event id, event types), cached.

    Most changes concern no endpoint: one cache read, no query, on the hot path.
    """
    found = cache.get(_cache_key(organiser_id))
    if found is None:
        found = [
            (pk, event_id, tuple(types))
            for pk, event_id, types in WebhookEndpoint.objects.filter(
                organiser_id=organiser_id, active=True
            ).values_list("pk", "event_id", "event_types")
        ]
        cache.set(_cache_key(organiser_id), found, 300)
    return found


def forget_endpoints(organiser_id: int) -> None:
    """Drop the cached endpoints of the organiser (after a change, and after the commit)."""
    cache.delete(_cache_key(organiser_id))
    transaction.on_commit(lambda: cache.delete(_cache_key(organiser_id)))


def resource_url(event_type: str, obj) -> str:
    """Return the API URL where a receiver fetches the resource a delivery is about."""
    if event_type.startswith("registration."):
        name, kwargs = "registration-detail", {"event": obj.event.slug, "code": obj.code}
    elif event_type == WebhookEventType.PAYMENT_RECEIVED:
        name, kwargs = "payment-detail", {"event": obj.registration.event.slug, "pk": obj.pk}
    elif event_type == WebhookEventType.INVOICE_ISSUED:
        name, kwargs = "invoice-detail", {"event": obj.event.slug, "pk": obj.pk}
    elif event_type == WebhookEventType.ASSIGNMENT_PUBLISHED:
        name, kwargs = "run-detail", {"event": obj.event.slug, "pk": obj.pk}
    elif event_type == WebhookEventType.CHECKIN_CREATED:
        name, kwargs = "checkin-list", {"event": obj.event.slug}
    else:
        return ""
    return absolute_url(reverse(f"api:{name}", kwargs=kwargs))


def on_log_entry(entry, obj) -> None:
    """Queue a delivery of `entry`'s change to each endpoint that wants it (audit listener)."""
    event_type = ACTIONS.get(entry.action)
    if event_type is None or entry.organiser_id is None:
        return
    wanted = [
        pk
        for pk, event_id, types in endpoints_of(entry.organiser_id)
        if event_type in types and (event_id is None or event_id == entry.event_id)
    ]
    if not wanted:
        return
    if event_type == WebhookEventType.INVOICE_ISSUED and entry.action == "invoice.credited":
        obj = obj.credit_note if hasattr(obj, "credit_note") else obj
    data = {"id": str(getattr(obj, "code", None) or obj.pk), "url": resource_url(event_type, obj)}
    if entry.event_id is not None:
        data["event"] = entry.event_id
    try:
        with transaction.atomic():
            for endpoint in WebhookEndpoint.objects.filter(pk__in=wanted):
                queue_delivery(endpoint, event_type=event_type, data=data)
    except Exception:  # a broken webhook never breaks the change it reports
        logger.exception("No webhook queued for %s", entry.action)


def queue_delivery(endpoint: WebhookEndpoint, *, event_type: str, data: dict) -> WebhookDelivery:
    """Write one delivery in the caller's transaction; send it after the commit."""
    message_id = f"msg_{uuid.uuid4().hex}"
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=event_type,
        message_id=message_id,
        payload={"type": event_type, "timestamp": now.isoformat(), "data": data},
        next_attempt_at=now,
    )
    enqueue(delivery)
    return delivery


def enqueue(delivery: WebhookDelivery) -> None:
    """Have the worker send `delivery` once the transaction commits (or when it is due)."""
    at = delivery.next_attempt_at
    if at and at > timezone.now() and tasks.deliver_webhook.get_backend().supports_defer:
        enqueue_on_commit(tasks.deliver_webhook.using(run_after=at), delivery.pk)
    else:
        enqueue_on_commit(tasks.deliver_webhook, delivery.pk)


def _due(now: dt.datetime) -> Q:
    waiting = Q(state__in=[DeliveryState.QUEUED, DeliveryState.FAILED]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    stale = Q(state=DeliveryState.SENDING, claimed_at__lt=now - SENDING_STALE_AFTER)
    # A subquery, not a join: the claim's UPDATE then re-checks its conditions on the
    # delivery's own row (a join would be read once, before waiting for a row lock).
    return (waiting | stale) & Q(endpoint__in=WebhookEndpoint.objects.filter(active=True))


def _claim(pk: int, *, now: dt.datetime) -> WebhookDelivery | None:
    """Take delivery `pk` for this worker when it is due; return it, or None.

    One UPDATE: of two workers claiming it at once, the second waits for the first's row
    lock, then finds the row "sending" and changes nothing (tests/api/test_webhooks.py).
    """
    if not WebhookDelivery.objects.filter(_due(now), pk=pk).update(
        state=DeliveryState.SENDING, claimed_at=now, attempts=F("attempts") + 1
    ):
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=pk)


def signing_secrets(endpoint: WebhookEndpoint, *, now: dt.datetime) -> list[str]:
    """Return the endpoint's secrets that sign now: the newest, and old ones in overlap."""
    return [
        credentials.decrypt(row.encrypted)
        for row in endpoint.secrets.filter(Q(expires__isnull=True) | Q(expires__gt=now))
    ]


def signed_headers(delivery: WebhookDelivery, body: str, *, now: dt.datetime) -> dict:
    """Return the Standard Webhooks headers; one signature per secret in use."""
    signatures = [
        Webhook(secret).sign(delivery.message_id, now, body)
        for secret in signing_secrets(delivery.endpoint, now=now)
    ]
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def private_address(hostname: str | None) -> bool:
    """Return whether `hostname` is, or resolves to, an address off the public internet:
    loopback, a private network, link-local (a cloud's metadata service) and the like.

    A webhook's URL is chosen by an organiser's owner, and its answer's status and time are
    shown to them: sent to such addresses, webhooks would probe the network of the machine
    that runs the site. A name that does not resolve (yet) is not refused here: its
    deliveries fail on their own.
    """
    if not hostname:
        return True
    try:
        webhook_transport.checked_addresses(hostname, None, allow_private=False)
    except webhook_transport.AddressRefused:
        return True
    except (OSError, UnicodeError):
        return False
    return False


def refused_address(url: str) -> bool:
    """Return whether webhooks may not go to `url`'s host (`settings.WEBHOOK_PRIVATE_ADDRESSES`)."""
    return not settings.WEBHOOK_PRIVATE_ADDRESSES and private_address(urlsplit(url).hostname)


def deliver(delivery_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one delivery if it is due; record the outcome; return its state.

    Side effects: the delivery's state and figures; on failure the next attempt enqueued;
    on a 410 or a week of failures the endpoint switched off and its owners mailed.
    """
    now = now or timezone.now()
    delivery = _claim(delivery_id, now=now)
    if delivery is None:
        return "not_due"
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
    started = time.monotonic()
    status, error = None, ""
    try:
        # Checked again at each delivery, by the connection itself (the name may resolve
        # elsewhere by now), which then goes only to the addresses it checked.
        response = webhook_transport.post(
            delivery.endpoint.url,
            allow_private=settings.WEBHOOK_PRIVATE_ADDRESSES,
            data=body.encode(),
            headers=signed_headers(delivery, body, now=now),
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        status = response.status_code
    except webhook_transport.AddressRefused:
        error = "address not on the public internet"
    except requests.RequestException as failure:
        error = type(failure).__name__
    except ValueError as failure:  # a secret that no longer decrypts
        error = str(failure)
    duration = int((time.monotonic() - started) * 1000)
    return _record(delivery, status=status, error=error, duration=duration, now=now)


_RECORDED = [
    "state",
    "delivered_at",
    "next_attempt_at",
    "last_status",
    "last_error",
    "last_duration_ms",
]


def _record(delivery, *, status, error, duration, now) -> str:
    endpoint = delivery.endpoint
    delivery.last_status, delivery.last_duration_ms = status, duration
    delivery.last_error = error[:300] if error else ("" if status else "no answer")
    if status is not None and 200 <= status < 300:
        # One statement on the busy path; the endpoint's row only when it was failing.
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryState.DELIVERED,
            now,
            None,
        )
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        delivery.save(update_fields=_RECORDED)
        return delivery.state
    with transaction.atomic():
        if status == 410:
            delivery.state, delivery.next_attempt_at = DeliveryState.GAVE_UP, None
            _switch_off(endpoint, reason="410 Gone")
        else:
            failing_since = endpoint.failing_since or now
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
                failing_since=now
            )
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state, delivery.next_attempt_at = DeliveryState.GAVE_UP, None
            else:
                delivery.state = DeliveryState.FAILED
                delivery.next_attempt_at = now + dt.timedelta(
                    seconds=RETRY_DELAYS[delivery.attempts - 1]
                )
                enqueue(delivery)
            if now - failing_since >= FAILING_FOR:
                _switch_off(endpoint, reason="failing for a week")
        delivery.save(update_fields=_RECORDED)
    return delivery.state


def _switch_off(endpoint: WebhookEndpoint, *, reason: str) -> None:
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, disabled_reason=reason
    ):
        return
    forget_endpoints(endpoint.organiser_id)
    log_action(endpoint, action="api.webhook_disabled", data={"url": endpoint.url, "why": reason})
    mail_owners_endpoint_off(endpoint, reason=reason)


def due_ids(*, now: dt.datetime | None = None, limit: int = 5000) -> list[int]:
    """Return the ids of deliveries that are due now, oldest first."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(_due(now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def enqueue_due(*, now: dt.datetime | None = None) -> int:
    """Enqueue every delivery that is due but whose task was lost (cron); return how many."""
    ids = due_ids(now=now)
    for pk in ids:
        tasks.deliver_webhook.enqueue(pk)
    return len(ids)


def purge_old(*, now: dt.datetime | None = None) -> int:
    """Delete deliveries older than `KEEP_FOR` that are finished; return how many."""
    now = now or timezone.now()
    finished = [DeliveryState.DELIVERED, DeliveryState.GAVE_UP]
    deleted, _ = WebhookDelivery.objects.filter(
        created__lt=now - KEEP_FOR, state__in=finished
    ).delete()
    return deleted
