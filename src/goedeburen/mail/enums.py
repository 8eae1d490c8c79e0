"""The kinds and states of outgoing mail."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MailKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Confirmation")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    MANAGE_LINK = "manage_link", _("Manage link")
    CANCELLATION = "cancellation", _("Cancellation")
    WAITING_LIST_OFFER = "waiting_list_offer", _("Waiting list offer")
    PERSONAL_PROGRAMME = "personal_programme", _("Personal programme")


class MailState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
