"""API tokens, idempotency records and webhooks (endpoints, secrets, deliveries).

Secrets are never stored readable (DESIGN.md invariant 9): an API token only as its SHA-256
hash (shown once when made); a webhook secret encrypted with a key derived from SECRET_KEY,
because signing needs the secret itself.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import Event, Organiser


class ApiToken(models.Model):
    """A bearer token for programs: an organiser's, or one event's, with scopes and an expiry.

    It acts for the person who made it and never sees more than that person may see now.
    """

    organiser = models.ForeignKey(Organiser, on_delete=models.CASCADE, related_name="api_tokens")
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("Leave empty for all events of the organiser."),
    )
    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    scopes = models.JSONField(_("scopes"), default=list)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    expires = models.DateTimeField(_("expires"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked is None and self.expires > timezone.now()


class IdempotencyRecord(models.Model):
    """The answer given to a POST with an `Idempotency-Key`, replayed for the same key."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.token_id}: {self.key}"


class WebhookEventType(models.TextChoices):
    REGISTRATION_CREATED = "registration.created", _("Registration created")
    REGISTRATION_CHANGED = "registration.changed", _("Registration changed")
    REGISTRATION_CANCELLED = "registration.cancelled", _("Registration cancelled")
    PAYMENT_RECEIVED = "payment.received", _("Payment received")
    INVOICE_ISSUED = "invoice.issued", _("Invoice or credit note issued")
    CHECKIN_CREATED = "checkin.created", _("Attendee checked in")
    ASSIGNMENT_PUBLISHED = "assignment.published", _("Session assignment published")
    PING = "ping", _("Test ping")


class WebhookEndpoint(models.Model):
    """An organiser's URL that receives signed deliveries of the event types it chose."""

    organiser = models.ForeignKey(Organiser, on_delete=models.CASCADE, related_name="webhooks")
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
        help_text=_("Leave empty for all events of the organiser."),
    )
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list)
    active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why it was switched off"), max_length=200, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class WebhookSecret(models.Model):
    """A signing secret of an endpoint; after a rotation the old one signs until `expires`."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="secrets")
    encrypted = models.TextField()
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"secret {self.pk} of endpoint {self.endpoint_id}"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Given up")


class WebhookDelivery(models.Model):
    """One message to one endpoint, written in the transaction of the change it reports.

    The worker claims it with one conditional UPDATE and sends it with the same
    `message_id` on every attempt, so a receiver can drop a duplicate.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=40)
    message_id = models.CharField(max_length=40, unique=True)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default="queued")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.state})"
