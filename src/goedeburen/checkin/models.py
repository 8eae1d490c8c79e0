"""Tickets, check-ins (at the door and per session), scans, badges and certificates.

A ticket's QR code carries a secret that is never stored: only its SHA-256 (`Ticket.
secret_hash`) is, and the secret itself is derived from the attendee's ticket secret with
the site's secret key when it is shown (`tickets.secret_for`). Each scan a device makes has
a random nonce, stored once (`Scan.nonce`), so that a queue uploaded again changes nothing.
An attendee is checked in at most once at the door and once per session: partial unique
constraints on the check-ins that are not undone.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import Event, Session
from goedeburen.registration.models import Attendee

from .enums import BadgeLayout, ScanOutcome, VoidReason

# An undo by the device that checked someone in is allowed for this long; owners may always.
UNDO_WINDOW = dt.timedelta(minutes=15)
# Badge details (name, pronouns, organisation) can be changed until this long before the start.
BADGE_EDIT_CLOSES = dt.timedelta(hours=48)


class CheckinSettings(models.Model):
    """How check-in, badges and certificates work for one event; no row means the defaults."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="checkin_settings")
    badge_layout = models.CharField(
        _("badge layout"), max_length=20, choices=BadgeLayout.choices, default=BadgeLayout.A6
    )
    badge_qr = models.BooleanField(
        _("print the ticket's QR code on badges"),
        default=False,
        help_text=_("Lets staff scan a badge during the day (session check-in)."),
    )
    certificates = models.BooleanField(
        _("certificates of attendance"),
        default=False,
        help_text=_(
            "Everyone who was checked in gets a certificate on their page and with the "
            "thank-you mail."
        ),
    )
    certificate_hours = models.DecimalField(
        _("hours on the certificate"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
        help_text=_("Leave empty for the event's hours from start to end."),
    )

    class Meta:
        verbose_name = _("check-in settings")
        verbose_name_plural = _("check-in settings")

    def __str__(self) -> str:
        return str(self.event)


class Ticket(models.Model):
    """The QR code of one attendee; a new one replaces it when someone else goes instead."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tickets")
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="tickets")
    # SHA-256 (hex) of the secret in the QR code; the secret is never stored.
    secret_hash = models.CharField(max_length=64, unique=True)
    void_reason = models.CharField(
        _("no longer valid because"), max_length=20, choices=VoidReason.choices, blank=True
    )
    created = models.DateTimeField(auto_now_add=True)
    voided = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["attendee"], condition=Q(void_reason=""), name="one_valid_ticket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attendee_id}:{self.secret_hash[:8]}"

    @property
    def is_valid(self) -> bool:
        return not self.void_reason


class CheckIn(models.Model):
    """An attendee who came in: at the door (no session) or into one session."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="check_ins")
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="check_ins")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="check_ins"
    )
    door = models.CharField(_("door"), max_length=50, blank=True)
    device = models.CharField(max_length=64)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the device scanned (its clock, for scans made offline) and when we heard of it.
    at = models.DateTimeField(_("checked in at"))
    recorded = models.DateTimeField(auto_now_add=True)
    undone = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["attendee"],
                condition=Q(session__isnull=True, undone__isnull=True),
                name="one_door_check_in",
            ),
            models.UniqueConstraint(
                fields=["attendee", "session"],
                condition=Q(session__isnull=False, undone__isnull=True),
                name="one_session_check_in",
            ),
        ]
        indexes = [models.Index(fields=["event", "session", "undone"])]

    def __str__(self) -> str:
        return f"{self.attendee_id}@{self.at:%H:%M}"


class Scan(models.Model):
    """One scan a device made (online or from its offline queue), stored once per nonce."""

    nonce = models.CharField(max_length=64, unique=True)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="scans")
    attendee = models.ForeignKey(
        Attendee, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    door = models.CharField(max_length=50, blank=True)
    device = models.CharField(max_length=64)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    offline = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=ScanOutcome.choices)
    reason = models.CharField(max_length=20, blank=True)
    # The check-in this scan made (or undid), or the one that was there already.
    check_in = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans"
    )
    recorded = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        indexes = [models.Index(fields=["event", "outcome"])]

    def __str__(self) -> str:
        return self.nonce


class DayChoices(models.Model):
    """What an attendee chose for the day: their badge besides the name (that is
    `Attendee.badge_name`) and whether the caterer may see their name with their wishes."""

    attendee = models.OneToOneField(Attendee, on_delete=models.CASCADE, related_name="day_choices")
    pronouns = models.CharField(_("pronouns"), max_length=30, blank=True)
    show_organisation = models.BooleanField(_("organisation on the badge"), default=True)
    name_for_caterer = models.BooleanField(
        _("the caterer may see my name with my dietary wishes"), default=False
    )

    class Meta:
        verbose_name = _("choices for the day")
        verbose_name_plural = _("choices for the day")

    def __str__(self) -> str:
        return str(self.attendee_id)


class Certificate(models.Model):
    """Proof that an attendee was there, with a code anyone can verify on the site."""

    attendee = models.OneToOneField(Attendee, on_delete=models.CASCADE, related_name="certificate")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="certificates")
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    # Printed as issued: a later change of the name or the event's hours changes no certificate.
    name = models.CharField(_("name"), max_length=300)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    issued = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certificate of attendance")
        verbose_name_plural = _("certificates of attendance")

    def __str__(self) -> str:
        return self.code
