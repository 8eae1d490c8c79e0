"""Consent records, the privacy statement's versions, erasure requests and what was erased.

A consent record is written for every consent given or withdrawn (append-only): which text
was shown (its version and a digest of the exact text), in which language, when, and the
answer. The current state of a consent is its newest record; the attendee's own fields
(`photo_consent` …) are what the rest of the platform reads, and the services keep both
in step.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import Event
from goedeburen.registration.models import Attendee, Registration

from .enums import ConsentKind, ConsentSource, RequestSource, RequestState

# Invoices and what the law requires with them are kept this many years after the end of
# the year they were issued in (art. 52 AWR, the fiscal retention duty).
INVOICE_RETENTION_YEARS = 7


class PrivacySettings(models.Model):
    """How long the event keeps personal data; an event without a row uses the defaults."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="privacy_settings")
    special_category_days = models.PositiveIntegerField(
        _("erase dietary wishes and accessibility needs (days after the event)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text=_(
            "Also the answers to questions marked as special-category data. They are needed "
            "for the day itself and for questions afterwards, then they go."
        ),
    )
    anonymise_months = models.PositiveIntegerField(
        _("anonymise attendees (months after the event)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Names, email addresses, organisations, answers and free texts go; the numbers "
            "stay for statistics. Invoices are kept as the law requires (7 years)."
        ),
    )

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return str(self.event)

    def special_category_due(self, event: Event) -> dt.date:
        """Return the first day on which the special-category data is erased."""
        return event.date + dt.timedelta(days=self.special_category_days)

    def anonymise_due(self, event: Event) -> dt.date:
        """Return the first day on which the attendees are anonymised."""
        month = event.date.month - 1 + self.anonymise_months
        year, month = event.date.year + month // 12, month % 12 + 1
        day = min(event.date.day, 28)
        return dt.date(year, month, day)


class PrivacyStatement(models.Model):
    """One version of the event's privacy statement as the organiser wrote it.

    Without any version the platform's default text is shown (version 0). Each save makes a
    new version, so a consent record can name the text that was shown.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="privacy_statements")
    version = models.PositiveIntegerField(_("version"))
    text_nl = models.TextField(_("text (NL)"), max_length=20000)
    text_en = models.TextField(_("text (EN)"), max_length=20000, blank=True)
    created = models.DateTimeField(_("saved"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("privacy statement")
        verbose_name_plural = _("privacy statements")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["event", "version"], name="one_statement_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.event} v{self.version}"


class ConsentRecord(models.Model):
    """One consent given or withdrawn: the text shown (version, digest), when, the answer."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="consent_records"
    )
    # None for a consent of the booker (privacy statement, mailings).
    attendee = models.ForeignKey(
        Attendee, null=True, blank=True, on_delete=models.CASCADE, related_name="consent_records"
    )
    kind = models.CharField(_("consent"), max_length=30, choices=ConsentKind.choices)
    given = models.BooleanField(_("given"))
    version = models.CharField(_("text version"), max_length=40)
    # SHA-256 of the exact text shown, in `language`: what "version" means, to the letter.
    text_digest = models.CharField(max_length=64)
    language = models.CharField(_("language"), max_length=10)
    source = models.CharField(_("where"), max_length=20, choices=ConsentSource.choices)
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["registration", "kind", "created"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.given}"


class ErasureRequest(models.Model):
    """A request to erase a registration's personal data, from the booker or taken by phone.

    It holds no personal data itself: the registration's code and, once handled, only
    counts of what went and what had to stay.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="erasure_requests")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="erasure_requests"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.OPEN
    )
    source = models.CharField(_("asked through"), max_length=20, choices=RequestSource.choices)
    created = models.DateTimeField(_("asked"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the erasure did: {"erased": {part: count}, "kept": [reason codes]}.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=models.Q(state="open"),
                name="one_open_erasure_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.state}"


class Erasure(models.Model):
    """That a registration's personal data was erased (on request or by retention), once."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="erasure"
    )
    reason = models.CharField(max_length=20)  # "request" or "retention"
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"{self.registration_id} {self.reason}"


class DailyRun(models.Model):
    """When a daily task runs next; the one claim on it keeps the daily chain single."""

    key = models.CharField(max_length=40, unique=True)
    next_run = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
