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
    ATTENDEE_CANCELLED = "attendee_cancelled", _("One attendee cancelled")
    # To the colleague who goes instead of an attendee, at their own address.
    SUBSTITUTE = "substitute", _("Going instead of someone")
    # To the person someone else goes instead of, at their own address: with a file that
    # takes their own calendar file's entries out of their calendar.
    REPLACED = "replaced", _("Someone else goes instead")
    # To the colleague who went instead of an attendee before the registration was
    # confirmed: their own ticket, once it is (the substitute mail went without it).
    SUBSTITUTE_TICKET = "substitute_ticket", _("Ticket for whoever goes instead")
    # To the booker when the organiser let someone else go instead of the booker
    # themselves (their own attendee place): the booker did not ask for it here.
    BOOKER_REPLACED = "booker_replaced", _("Someone else goes instead of the booker")
    WAITING_LIST_OFFER = "waiting_list_offer", _("Waiting list offer")
    PAYMENT_RECEIVED = "payment_received", _("Payment received")
    # Money that came in for a registration that stays cancelled: never "payment received".
    PAYMENT_AFTER_CANCELLATION = "payment_after_cancellation", _("Payment after cancellation")
    PAYMENT_REMINDER = "payment_reminder", _("Payment reminder")
    # Money paid back: by Mollie on our request, or by the organiser's own transfer.
    REFUND_MADE = "refund_made", _("Refund made")
    INVOICE = "invoice", _("Invoice or credit note")
    PRACTICAL_INFO = "practical_info", _("Practical information")
    PERSONAL_PROGRAMME = "personal_programme", _("Personal programme")
    THANK_YOU = "thank_you", _("Thank you, publication and evaluation")
    SURVEY_REMINDER = "survey_reminder", _("Reminder of the evaluation survey")
    MAILING = "mailing", _("Mailing")
    TEST = "test", _("Test mail")
    CONTACT = "contact", _("Contact form")
    NOTICE = "notice", _("Notice to the organiser")


# Mail to one attendee at their own address about their place: rendered for the person on
# it now (their name, file, link), refused when someone else went instead meanwhile, and
# carrying their own ticket once the registration is confirmed.
ATTENDEE_KINDS = frozenset({MailKind.SUBSTITUTE, MailKind.SUBSTITUTE_TICKET})
# Mail that someone may opt out of; everything else is about their registration and goes
# to everyone (a mailing decides for itself with `Mailing.essential`).
NON_ESSENTIAL_KINDS = frozenset({MailKind.THANK_YOU, MailKind.SURVEY_REMINDER, MailKind.MAILING})
# Kinds whose text the organiser may edit; a mailing, a test, a contact mail and a notice
# to the organiser bring their own.
EDITABLE_KINDS = tuple(
    kind
    for kind in MailKind
    if kind not in (MailKind.MAILING, MailKind.TEST, MailKind.CONTACT, MailKind.NOTICE)
)


class MailState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class MailingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # Its mails are queued (or being queued); their own states say how far sending got.
    STARTED = "started", _("Started")
