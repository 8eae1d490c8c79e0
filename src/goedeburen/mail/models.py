"""The outbox: every mail the platform sends is a row here before it goes out over SMTP.

A row is written in the transaction of the change it reports (a registration, an approval),
so it exists exactly when that change committed; the worker sends it afterwards and retries
on failure (`services.deliver`). Its `message_id` is fixed at creation, so a retry after a
worker died mid-send carries the same Message-ID and the recipient's mail program can tell
it is the same mail.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import Event
from goedeburen.registration.models import Registration

from .enums import MailKind, MailState


class OutgoingMail(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="outgoing_mail"
    )
    # Kept when a registration is erased: the outbox then still shows that a mail went out.
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outgoing_mail",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=MailKind.choices)
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # Text files sent with the mail: [{"filename", "content_type", "content"}] (a calendar).
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    state = models.CharField(
        _("state"), max_length=20, choices=MailState.choices, default=MailState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # When a failed mail is tried again; None once it has been given up.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # When a worker took the mail to send it: a "sending" mail claimed long ago belongs to a
    # worker that died, and may be taken again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["event", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"
