"""The states and choices of tickets, check-ins and badges."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Refusal(models.TextChoices):
    """Why a ticket does not admit anyone (the answer the check-in screen shows)."""

    UNKNOWN = "unknown", _("Unknown code: this is not a ticket of this event.")
    CANCELLED = "cancelled", _("Refused: this registration was cancelled.")
    UNPAID = "unpaid", _("Refused: this registration has not been paid.")
    UNAPPROVED = "unapproved", _("Refused: this registration has not been approved yet.")
    SUBSTITUTED = (
        "substituted",
        _("Refused: this ticket was replaced (someone else goes instead); ask for the new one."),
    )
    WAITING_LIST = "waiting_list", _("Refused: this person is on the waiting list.")


class VoidReason(models.TextChoices):
    SUBSTITUTED = "substituted", _("Someone else goes instead")
    CANCELLED = "cancelled", _("Registration cancelled")


class ScanOutcome(models.TextChoices):
    CHECKED_IN = "checked_in", _("Checked in")
    ALREADY = "already", _("Already checked in")
    REFUSED = "refused", _("Refused")
    CONFLICT = "conflict", _("Checked in on two devices")
    UNDONE = "undone", _("Check-in undone")
    NOT_UNDONE = "not_undone", _("Undo refused")


class BadgeLayout(models.TextChoices):
    A6 = "a6", _("A6, four on an A4 sheet")
    A7 = "a7", _("A7, eight on an A4 sheet")
    AVERY_L7418 = "avery_l7418", _("Avery L7418 labels (86 × 55 mm, 10 per sheet)")
    HERMA_4412 = "herma_4412", _("Herma 4412 labels (80 × 50 mm, 10 per sheet)")
    DURABLE_1456 = "durable_1456", _("Durable 1456 inserts (90 × 54 mm, 10 per sheet)")
