"""The outbox: every mail the platform sends is a row here before it goes out over SMTP.

A row is written in the transaction of the change it reports (a registration, an approval),
so it exists exactly when that change committed; the worker sends it afterwards and retries
on failure (`services.deliver`). A mail about a registration is queued unrendered: the
request only writes its kind, recipient, language and a small JSON `context` (the secrets
that exist only at that moment, the organiser's message); the worker renders the subject and
bodies before the first attempt and stores them (`rendered_at`), so every retry sends the
same text. Its `message_id` is fixed at creation, so a retry after a
worker died mid-send carries the same Message-ID and the recipient's mail program can tell
it is the same mail.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goedeburen.common.files import protected_storage, random_name
from goedeburen.events.models import Event
from goedeburen.registration.models import Registration, TicketType

from .enums import MailingState, MailKind, MailState


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
    # The bulk mailing this mail is part of; one mail per address and mailing.
    mailing = models.ForeignKey(
        "Mailing",
        verbose_name=_("mailing"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mails",
    )
    # The schedule that queued this mail ("practical_info", "thank_you" …): one mail per
    # registration and schedule, however often the schedule runs.
    schedule = models.CharField(_("schedule"), max_length=40, blank=True)
    recipient = models.EmailField(_("recipient"))
    # Where replies go when not to the event's contact address (the sender of a contact form).
    reply_to = models.EmailField(_("reply to"), blank=True)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    # What the templates need that cannot be read from the database later (the manage token
    # exists only as a hash, an approval's message only in the request); emptied once
    # rendered. Secrets in it are sealed (`rendering.pack_context`).
    context = models.JSONField(default=dict, blank=True)
    # The secrets of the links in the rendered text (manage, participant … tokens), sealed
    # (`common.crypto`): the stored subject and bodies hold markers in their place
    # (`common.secret_text`). Kept while a retry may need them, emptied once the mail is sent.
    secrets = models.TextField(blank=True, default="")
    # None until subject and bodies are rendered; the worker renders before the first send.
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
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
            models.Index(fields=["mailing", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "schedule"],
                condition=~Q(schedule=""),
                name="one_mail_per_registration_and_schedule",
            ),
            models.UniqueConstraint(
                fields=["mailing", "recipient"],
                condition=Q(mailing__isnull=False),
                name="one_mail_per_address_and_mailing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class MailAttachment(models.Model):
    """A file sent with a mail (a calendar file, an invoice); stored with the mail so that a
    retry sends the same bytes."""

    mail = models.ForeignKey(OutgoingMail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename


class MailTemplate(models.Model):
    """The organiser's own text for one kind of mail in one language, replacing the default.

    Subject and body are plain text with placeholders such as `{{ name }}` (see
    `placeholders.py`); nothing else in them has a meaning, so an organiser cannot run
    template code, and every value is escaped in the HTML version.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="mail_templates")
    kind = models.CharField(_("kind"), max_length=30, choices=MailKind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"), max_length=20000)
    updated = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind", "language"], name="one_mail_template_per_kind_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


def _publication_path(instance, filename: str) -> str:
    # A random name in the protected storage: not guessable, not under the public media URL.
    return random_name("publications", suffix=".pdf")


class MailSettings(models.Model):
    """How and when an event mails its participants; an event without a row uses defaults."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="mail_settings")
    practical_info_days_before = models.PositiveSmallIntegerField(
        _("practical information: days before the event"),
        null=True,
        blank=True,
        default=7,
        help_text=_("Leave empty to send no practical information by itself."),
    )
    thank_you_days_after = models.PositiveSmallIntegerField(
        _("thank-you mail: days after the event"),
        null=True,
        blank=True,
        default=1,
        help_text=_("Leave empty to send no thank-you mail by itself."),
    )
    evaluation_url = models.URLField(_("link to the evaluation survey"), blank=True)
    # Handed out only by the participant's view, which checks the rule (`queries.gets_publication`).
    publication = models.FileField(
        _("publication (PDF)"),
        upload_to=_publication_path,
        storage=protected_storage,
        max_length=200,
        blank=True,
    )
    publication_ticket_types = models.ManyToManyField(
        TicketType,
        verbose_name=_("ticket types that include the publication"),
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mail settings")
        verbose_name_plural = _("mail settings")

    def __str__(self) -> str:
        return str(self.event)


class Mailing(models.Model):
    """A mail to a segment of the participants, chosen by filters, sent in the background."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="mailings")
    subject_nl = models.CharField(_("subject (NL)"), max_length=255)
    subject_en = models.CharField(_("subject (EN)"), max_length=255, blank=True)
    body_nl = models.TextField(_("text (NL)"), max_length=20000)
    body_en = models.TextField(_("text (EN)"), max_length=20000, blank=True)
    # The segment: see `segments.py` for the keys.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    essential = models.BooleanField(
        _("essential"),
        default=False,
        help_text=_(
            "Essential mail (a change of venue, a cancelled event) also goes to those who "
            "opted out of other mail."
        ),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=MailingState.choices, default=MailingState.DRAFT
    )
    # How many mails the mailing queued; set when it starts sending.
    total = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # When the background task had written all of the mailing's mails.
    queued_at = models.DateTimeField(_("mails written"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.subject_nl


class OptOut(models.Model):
    """An address that wants no more non-essential mail about the event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="mail_opt_outs")
    # Stored in one form (lower-case, the domain in IDNA ASCII), as every comparison is:
    # `addresses.opt_out_address`.
    email = models.EmailField(_("email address"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="one_opt_out_per_address")
        ]

    def __str__(self) -> str:
        return self.email
