"""Ticket types, the quotas they share, and registrations with their attendees.

A quota is the unit of capacity (the venue's seats); a ticket type may count against
several quotas and a quota may be shared by several ticket types. Seats are taken by the
attendees of confirmed registrations and of held ones (awaiting approval or pending
payment) whose `hold_until` has not passed; see `queries.seats_taken`.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from goedeburen.common.money import vat_included
from goedeburen.common.translation import TranslatedFieldsMixin
from goedeburen.events.models import Event, _nl_en

from .billing import validate_vat_number
from .enums import (
    CHOICE_KINDS,
    YES,
    AttendingRole,
    BadgeName,
    CancelReason,
    QuestionKind,
    RegistrationStatus,
    ReviewReason,
)
from .peppol import validate_peppol_id

# An organisation's number on an e-invoice: a KvK number (8 digits, scheme 0106) or an
# OIN (20 digits, scheme 0190); and a Peppol participant id, "scheme:identifier", with a
# scheme and identifier the Peppol rules accept (`peppol`).
ORGANISATION_ID = RegexValidator(
    r"^(\d{8}|\d{20})$", _("Enter an 8-digit KvK number or a 20-digit OIN, digits only.")
)
PEPPOL_ID = validate_peppol_id
# The buyer's VAT identification number: an EU country's, country code first, compact
# (`billing.vat_number_problem`), as the invoice and the e-invoice (BT-48) name it.
VAT_NUMBER = validate_vat_number

# One booking holds at most this many attendees; larger groups talk to the organiser.
MAX_ATTENDEES = 20


def _languages():
    return settings.LANGUAGES


class RegistrationSettings(models.Model):
    """How registration works for one event; an event without a row uses the defaults."""

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, related_name="registration_settings"
    )
    payment_hold_minutes = models.PositiveIntegerField(
        _("hold seats for payment (minutes)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("A registration that is not paid within this time releases its seats."),
    )
    approval_hold_days = models.PositiveIntegerField(
        _("hold seats for approval (days)"),
        default=7,
        validators=[MinValueValidator(1)],
        help_text=_("A registration that is not approved within this time releases its seats."),
    )
    po_number_required = models.BooleanField(_("purchase order number required"), default=False)
    free_cancellation_until = models.DateTimeField(
        _("free cancellation until"),
        null=True,
        blank=True,
        help_text=_(
            "Until this moment a cancellation is free; after it nothing is refunded. "
            "Leave empty to make every cancellation free."
        ),
    )
    edit_deadline = models.DateTimeField(
        _("participants may change their details until"),
        null=True,
        blank=True,
        help_text=_("Leave empty to allow changes until the event starts."),
    )
    offer_hours = models.PositiveIntegerField(
        _("waiting-list offer valid for (hours)"),
        default=48,
        validators=[MinValueValidator(1)],
        help_text=_("Someone on the waiting list who is offered a place has this long to take it."),
    )

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")

    def __str__(self) -> str:
        return str(self.event)

    @property
    def payment_hold(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.payment_hold_minutes)

    @property
    def approval_hold(self) -> dt.timedelta:
        return dt.timedelta(days=self.approval_hold_days)

    @property
    def offer_time(self) -> dt.timedelta:
        return dt.timedelta(hours=self.offer_hours)


class TicketType(TranslatedFieldsMixin, models.Model):
    """What one attendee buys: a price including VAT, what it includes, when it is on sale."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    name_nl, name_en = _nl_en("name", _("Name"), required=True)
    description_nl, description_en = _nl_en("description", _("Description"), long=True)
    includes_nl, includes_en = _nl_en("includes", _("Includes"))
    price = models.DecimalField(
        _("price (EUR, incl. VAT)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("21.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    vat_exemption = models.CharField(
        _("VAT exemption"),
        max_length=200,
        blank=True,
        help_text=_("The legal ground when no VAT is charged; the VAT rate must then be 0."),
    )
    sale_start = models.DateTimeField(_("on sale from"), null=True, blank=True)
    sale_end = models.DateTimeField(_("on sale until"), null=True, blank=True)
    min_per_registration = models.PositiveSmallIntegerField(
        _("minimum per registration"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("A registration with this ticket type holds at least this many of it."),
    )
    max_per_registration = models.PositiveSmallIntegerField(
        _("maximum per registration"), default=10, validators=[MinValueValidator(1)]
    )
    visible = models.BooleanField(_("visible on the registration form"), default=True)
    needs_approval = models.BooleanField(
        _("needs approval"),
        default=False,
        help_text=_("The organiser approves each registration with this ticket type."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name_nl

    def clean(self):
        errors = {}
        if self.vat_exemption and self.vat_rate:
            errors["vat_rate"] = _("With a VAT exemption the VAT rate must be 0.")
        if self.sale_start and self.sale_end and self.sale_end <= self.sale_start:
            errors["sale_end"] = _("The end of the sale must be after its start.")
        if (
            self.min_per_registration
            and self.max_per_registration
            and self.min_per_registration > self.max_per_registration
        ):
            errors["min_per_registration"] = _(
                "The minimum per registration cannot be more than the maximum."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_free(self) -> bool:
        return not self.price

    @property
    def vat(self) -> Decimal:
        return vat_included(self.price, rate=self.vat_rate)

    def is_on_sale(self, now: dt.datetime) -> bool:
        """Return whether the public form may sell this ticket type at `now`."""
        return (
            self.visible
            and (self.sale_start is None or self.sale_start <= now)
            and (self.sale_end is None or now < self.sale_end)
        )


class Quota(models.Model):
    """A number of seats that one or more ticket types share (e.g. the venue's 200 seats).

    `taken` counts the seats that registrations hold, kept exact in the transaction of every
    change by the services of `services.capacity` (never written anywhere else): the
    attendees of registrations that are confirmed, awaiting approval or pending payment
    (whether or not their hold has run out: an expired hold is given back when it is
    released) and of waiting-list registrations with an open offer (`counts_seats`).
    The CHECK constraint makes overselling impossible even for a bug in a service.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="quotas")
    name = models.CharField(_("name"), max_length=100)
    size = models.PositiveIntegerField(_("seats"))
    taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    ticket_types = models.ManyToManyField(
        TicketType, verbose_name=_("ticket types"), related_name="quotas"
    )

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="unique_quota_name"),
            models.CheckConstraint(condition=Q(taken__lte=F("size")), name="quota_not_oversold"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, update_fields=None, **kwargs):
        # A quota read before seats moved holds a stale `taken`: saving it (a form, the
        # admin, the demo loader) must never write that back. Only `capacity` and the
        # recount write the counter, with queryset updates or by naming it.
        if update_fields is None and not self._state.adding and self.pk is not None:
            update_fields = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "taken"
            ]
        super().save(*args, update_fields=update_fields, **kwargs)


class TargetShare(models.Model):
    """The share of the event's attendees the organiser aims for in one stakeholder group
    (the role attendees register as); the dashboard sets the registrations against it.

    The shares of one event add up to 100 % at most (`services.save_target_mix` checks the
    sum, which no single row can).
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="target_shares")
    role = models.CharField(_("stakeholder group"), max_length=30, choices=AttendingRole.choices)
    share = models.DecimalField(
        _("target share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("target share")
        verbose_name_plural = _("target mix")
        ordering = ["event", "role"]
        constraints = [
            models.UniqueConstraint(fields=["event", "role"], name="one_target_per_group"),
            models.CheckConstraint(
                condition=Q(share__gt=0, share__lte=100), name="target_share_is_a_percentage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.share} %"


class FormToken(models.Model):
    """A registration form's one-time token, stored when it is first submitted.

    The unique `token` and the registration's one-to-one link make a resubmitted form
    (a double click, the back button, a retry) return the registration it already made.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.token


class Registration(models.Model):
    """One booking by one booker (who pays), for one or more attendees."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="registrations"
    )
    code = models.CharField(_("code"), max_length=8, unique=True)
    form_token = models.OneToOneField(
        FormToken, null=True, blank=True, on_delete=models.PROTECT, related_name="registration"
    )
    booker_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    status = models.CharField(
        _("status"), max_length=20, choices=RegistrationStatus.choices, db_index=True
    )
    language = models.CharField(_("language"), max_length=10, choices=_languages)
    billing_organisation = models.CharField(
        _("organisation or name on the invoice"), max_length=200, blank=True
    )
    billing_address = models.TextField(
        _("invoice address"), max_length=500, blank=True, validators=[MaxLengthValidator(500)]
    )
    po_number = models.CharField(_("purchase order number"), max_length=50, blank=True)
    billing_reference = models.CharField(_("your reference"), max_length=100, blank=True)
    invoice_email = models.EmailField(_("email address for the invoice"), blank=True)
    # For public buyers who must receive a structured e-invoice (UBL, Peppol BIS 3 / NLCIUS).
    billing_org_id = models.CharField(
        _("OIN or KvK number"),
        max_length=20,
        blank=True,
        validators=[ORGANISATION_ID],
        help_text=_(
            "For an e-invoice: the 20-digit OIN of a government body or the 8-digit KvK number."
        ),
    )
    billing_peppol_id = models.CharField(
        _("Peppol ID"),
        max_length=60,
        blank=True,
        validators=[PEPPOL_ID],
        help_text=_("Where the e-invoice is delivered, such as 0190:00000001003214345000."),
    )
    billing_einvoice = models.BooleanField(
        _("send the e-invoice (UBL) with the invoice mail"), default=False
    )
    # For buyers who need their VAT number on the invoice (and in the e-invoice, BT-48).
    billing_vat_number = models.CharField(
        _("VAT number"),
        max_length=20,
        blank=True,
        validators=[VAT_NUMBER],
        help_text=_("The buyer's VAT number, with its country code, such as NL001234567B01."),
    )
    # SHA-256 of the secret manage token; the token itself is only ever in the booker's link.
    manage_token_hash = models.CharField(max_length=64, unique=True)
    # SHA-256 of a new manage token sent on request (`services.request_manage_links`): the
    # old link keeps working until the new one is first used, which then replaces it; so
    # whoever knows a booker's address cannot make their link stop working.
    pending_manage_token_hash = models.CharField(max_length=64, blank=True, default="")
    hold_until = models.DateTimeField(_("seats held until"), null=True, blank=True, db_index=True)
    # A waiting-list registration offered a place: SHA-256 of the secret offer token (only
    # in the offer's link) and the end of the offer. The offer is open, and holds its seats,
    # while the status is waiting list and `offer_until` is set and not past; the hash stays
    # afterwards so that the offer's link can say what became of it.
    offer_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    offer_until = models.DateTimeField(_("offer valid until"), null=True, blank=True, db_index=True)
    # Set by the service that cancels, cleared when a lapsed registration is confirmed after all.
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=20, choices=CancelReason.choices, blank=True
    )
    # Registered on someone's behalf (a care worker for a resident): when the registrant
    # confirmed the person's consent, and the registrant's name as it was then.
    on_behalf_consent_at = models.DateTimeField(
        _("consent to register on their behalf given"), null=True, blank=True
    )
    on_behalf_by = models.CharField(_("registered on their behalf by"), max_length=200, blank=True)
    # Why it awaits approval although its tickets need none (`services.abuse`), for the
    # organiser's list; kept after the decision, for the record.
    review_reason = models.CharField(
        _("reason for review"), max_length=20, choices=ReviewReason.choices, blank=True
    )
    created = models.DateTimeField(_("registered"), auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["event", "status"]),
            # The back office's lists, newest first: a page of 50 of 10,000 reads 50 rows
            # in index order instead of sorting the whole event (20 ms → 0.2 ms).
            models.Index(fields=["event", "created", "id"], name="registration_event_created"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def total(self) -> Decimal:
        return sum((a.price for a in self.attendees.all()), Decimal("0.00"))


def lacks_consent(
    *, dietary_wishes: str, accessibility_needs: str, special_category_consent: bool
) -> bool:
    """Tell whether dietary wishes or accessibility needs are given without the consent
    they need (special-category data). The one place of the rule: services refuse such
    details (`services.common.check_consent`), forms show it at the consent box, and the
    database holds it with `Attendee`'s constraint "special_category_needs_consent"."""
    has_needs = bool((dietary_wishes or "").strip() or (accessibility_needs or "").strip())
    return has_needs and not special_category_consent


class Attendee(models.Model):
    """A person who comes, on one ticket type of a registration."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendees"
    )
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="attendees"
    )
    given_name = models.CharField(_("first name"), max_length=100)
    family_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    function = models.CharField(_("job title"), max_length=200, blank=True)
    role = models.CharField(_("attending as"), max_length=30, choices=AttendingRole.choices)
    badge_name = models.CharField(
        _("name on the badge"), max_length=20, choices=BadgeName.choices, default=BadgeName.FULL
    )
    photo_consent = models.BooleanField(_("consents to photos and film"), default=False)
    attendee_list_consent = models.BooleanField(_("on the attendee list"), default=False)
    # Special-category data (they can reveal health or religion): only with their own consent.
    special_category_consent = models.BooleanField(
        _("consents to sharing dietary wishes and accessibility needs"), default=False
    )
    # A TextField's max_length only reaches forms; the validator holds for every caller.
    dietary_wishes = models.TextField(
        _("dietary wishes"), max_length=500, blank=True, validators=[MaxLengthValidator(500)]
    )
    accessibility_needs = models.TextField(
        _("accessibility needs"), max_length=500, blank=True, validators=[MaxLengthValidator(500)]
    )
    # What was paid for this ticket when it was booked, whatever the ticket type costs later.
    price = models.DecimalField(_("price (EUR, incl. VAT)"), max_digits=8, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    ticket_secret = models.CharField(max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    # When the person on this place went instead of someone else (`substitute_attendee`);
    # None for whoever was booked on it. Such a person's ticket goes to them, not only to
    # the booker, once the registration is confirmed.
    went_instead_at = models.DateTimeField(_("went instead of someone"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["registration", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(special_category_consent=True)
                | (Q(dietary_wishes="") & Q(accessibility_needs="")),
                name="special_category_needs_consent",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def badge_text(self) -> str:
        return self.given_name if self.badge_name == BadgeName.FIRST_NAME else self.full_name

    @property
    def vat(self) -> Decimal:
        return vat_included(self.price, rate=self.vat_rate)


class Question(TranslatedFieldsMixin, models.Model):
    """A question of the organisers that each attendee (on the ticket types given) answers.

    No ticket types means every ticket type. A `special_category` question asks for data
    like dietary wishes: it is answered only with the attendee's special-category consent,
    shown only to roles with `registration.view_special_category`, and never required.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label_nl, label_en = _nl_en("label", _("Question"), required=True)
    help_text_nl, help_text_en = _nl_en("help_text", _("Explanation"))
    kind = models.CharField(
        _("kind of answer"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.TEXT
    )
    required = models.BooleanField(_("answer required"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    ticket_types = models.ManyToManyField(
        TicketType,
        verbose_name=_("ticket types"),
        related_name="questions",
        blank=True,
        help_text=_("Ask only attendees with these tickets. None ticked: ask every attendee."),
    )
    special_category = models.BooleanField(
        _("special-category data"),
        default=False,
        help_text=_(
            "Tick this for answers that can say something about health or belief, such as "
            "dietary wishes: they are asked only with the attendee's consent and shown only "
            "to the organisers who need them."
        ),
    )

    # A question that has answers is archived instead of deleted: no longer asked, its
    # answers kept with the registrations that gave them.
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label_nl

    @property
    def has_options(self) -> bool:
        return self.kind in CHOICE_KINDS

    def applies_to(self, ticket_type_id: int | None, ticket_type_ids: set[int]) -> bool:
        """Return whether an attendee on `ticket_type_id` is asked this question.

        `ticket_type_ids` is the question's own set (from a prefetch, to cost no query).
        """
        return not ticket_type_ids or ticket_type_id in ticket_type_ids


class QuestionOption(TranslatedFieldsMixin, models.Model):
    """One answer to choose from, for a single- or multiple-choice question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label_nl, label_en = _nl_en("label", _("Option"), required=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label_nl


class Answer(models.Model):
    """An attendee's answer to one question; an unanswered optional question has no row.

    `value` holds the answer as text: the text itself for a text question, the number in
    its plain decimal form ("12.5") for a number question, "yes" or "no" for a yes/no
    question, and "" for choice questions, whose answer is the chosen `options`.
    """

    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(
        _("answer"), max_length=1000, blank=True, validators=[MaxLengthValidator(1000)]
    )
    options = models.ManyToManyField(
        QuestionOption, verbose_name=_("chosen options"), related_name="answers", blank=True
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question__order", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["attendee", "question"], name="unique_answer")
        ]

    def __str__(self) -> str:
        return self.value

    @property
    def shown(self) -> str:
        """Return the answer as a person reads it, in the active language."""
        if self.question.kind == QuestionKind.YES_NO:
            return str(_("yes") if self.value == YES else _("no"))
        if self.question.has_options:
            return ", ".join(option.t.label for option in self.options.all())
        return self.value


class ManageLinkRequest(models.Model):
    """One request to send the manage links of an email address again, for rate limiting.

    Only a hash of the address is kept: the table must not tell who asked.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    email_hash = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["event", "email_hash", "created"])]

    def __str__(self) -> str:
        return self.email_hash
