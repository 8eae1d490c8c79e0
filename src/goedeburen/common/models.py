"""Shared models: the audit log that every service writes to; forms sent once."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LogEntry(models.Model):
    """One change made by a person or a task: who, what, when, and the data before/after."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # Where the subject belongs (`audit.scope_of`), so that an event's or an organiser's
    # whole history is one query. Kept when the event goes: the log outlives its subjects.
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    organiser = models.ForeignKey(
        "events.Organiser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created"]),
            models.Index(fields=["event", "-created"], name="common_log_event_created"),
            models.Index(fields=["organiser", "-created"], name="common_log_organiser_created"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type.model}#{self.object_id}"


class SentForm(models.Model):
    """A back-office form that makes something, by the one-time key it carried
    (`common.sent_once`): sent again, it leads to what the first sending made."""

    key = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    address = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form sent")
        verbose_name_plural = _("forms sent")

    def __str__(self) -> str:
        return self.key
