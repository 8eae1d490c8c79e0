"""The public registration form: one booker, one or more attendees, billing when paid.

Adding or removing an attendee is a submit button, so the form works without JavaScript;
such a round trip re-renders what was typed without judging it (no errors yet).
"""

from collections.abc import Mapping
from types import MappingProxyType

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.common.addresses import validate_invoice_address
from goedeburen.common.formfields import TidyCharField
from goedeburen.common.money import euro
from goedeburen.registration import exceptions
from goedeburen.registration.billing import tidy_org_id, tidy_peppol_id
from goedeburen.registration.enums import AttendingRole, BadgeName
from goedeburen.registration.forms import add_einvoice_problem, question_field, vat_number_field
from goedeburen.registration.models import (
    MAX_ATTENDEES,
    ORGANISATION_ID,
    PEPPOL_ID,
    Question,
    TicketType,
    lacks_consent,
)
from goedeburen.registration.services import AttendeeDetails, Billing, Booker

_CLASSES = {
    forms.TextInput: "utrecht-textbox utrecht-textbox--html-input",
    forms.EmailInput: "utrecht-textbox utrecht-textbox--html-input",
    forms.Textarea: "utrecht-textarea utrecht-textarea--html-textarea",
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input",
}


class _StyledForm(forms.Form):
    """Give every widget its NL Design System class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = _CLASSES.get(type(field.widget))
            if css:
                field.widget.attrs.setdefault("class", css)

    def values(self) -> dict:
        """Return what was typed, field by field, without validating it."""
        return {name: self[name].value() for name in self.fields}


class BookerForm(_StyledForm):
    name = TidyCharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send the confirmation and your personal link to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    # A care worker who registers a resident: the resident's consent is recorded with the
    # registration (when and by whom), and the resident needs no email address of their own.
    on_behalf = forms.BooleanField(
        label=_("I register someone else, for example as a care worker."),
        required=False,
    )
    on_behalf_consent = forms.BooleanField(
        label=_(
            "The person I register knows this and agrees. I may give their details, and the "
            "mail about this registration comes to me."
        ),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("on_behalf") and not cleaned.get("on_behalf_consent"):
            self.add_error(
                "on_behalf_consent",
                _("Tick this box: you may only register someone else if they agree."),
            )
        return cleaned

    def booker(self) -> Booker:
        return Booker(
            name=self.cleaned_data["name"],
            email=self.cleaned_data["email"],
            on_behalf=bool(self.cleaned_data.get("on_behalf")),
        )


class TicketTypeField(forms.ChoiceField):
    """Choose one of the ticket types on sale; cleans to the `TicketType` itself.

    Built from the list the view already read, so that twenty attendee forms cost no
    query each (a ModelChoiceField would run its queryset for every form).
    """

    widget = forms.RadioSelect

    def set_ticket_types(
        self, ticket_types: list[TicketType], availability: Mapping[int, str] | None = None
    ) -> None:
        """Offer `ticket_types`; with `availability` (`registration.queries.availability`)
        each label says when a ticket is sold out or has only a few places left."""
        availability = availability or {}
        self.ticket_types = {str(t.pk): t for t in ticket_types}
        self.choices = [
            (str(t.pk), self.label_for(t, availability.get(t.pk, ""))) for t in ticket_types
        ]

    def clean(self, value):
        return self.ticket_types[super().clean(value)]

    @staticmethod
    def label_for(obj: TicketType, availability: str = "") -> str:
        price = _("%(price)s incl. VAT") % {"price": euro(obj.price)} if obj.price else _("free")
        parts = [_("%(name)s: %(price)s") % {"name": obj.t.name, "price": price}]
        if obj.t.includes:
            parts.append(_("(including %(includes)s)") % {"includes": obj.t.includes})
        if obj.min_per_registration > 1:
            parts.append(
                _("— for at least %(count)d people per registration")
                % {"count": obj.min_per_registration}
            )
        if obj.needs_approval:
            parts.append(_("— the organisers approve this registration"))
        if availability == "sold_out":
            parts.append(_("— sold out, waiting list"))
        elif availability == "few":
            parts.append(_("— only a few places left"))
        return " ".join(str(part) for part in parts)


class AttendeeForm(_StyledForm):
    # Field name → (question, its ticket type ids); subclasses that ask none keep this.
    questions: Mapping[str, tuple[Question, set[int]]] = MappingProxyType({})

    ticket_type = TicketTypeField(label=_("Ticket"))
    given_name = TidyCharField(label=_("First name"), max_length=100)
    family_name = TidyCharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        required=False,
        help_text=_("For the ticket and the programme. Leave empty to use the booker's."),
    )
    organisation = TidyCharField(label=_("Organisation"), max_length=200, required=False)
    function = TidyCharField(label=_("Job title"), max_length=200, required=False)
    role = forms.ChoiceField(
        label=_("In which role do you take part?"),
        choices=[("", _("Choose a role"))] + AttendingRole.choices,
    )
    badge_name = forms.ChoiceField(
        label=_("Name on the badge"),
        choices=BadgeName.choices,
        initial=BadgeName.FULL,
        widget=forms.RadioSelect,
    )
    photo_consent = forms.BooleanField(
        label=_("I agree to appear in photos and films of the conference."),
        required=False,
        help_text=_("This is not a condition for taking part."),
    )
    attendee_list_consent = forms.BooleanField(
        label=_("Put my name and organisation on the list of attendees."),
        required=False,
    )
    special_category_consent = forms.BooleanField(
        label=_(
            "I agree that the organisers use the dietary wishes and accessibility needs "
            "below to arrange catering and access for this event."
        ),
        required=False,
        help_text=_(
            "This information can say something about health or belief. It is seen only by "
            "the organisers who need it and deleted after the event."
        ),
    )
    dietary_wishes = TidyCharField(
        label=_("Dietary wishes"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    accessibility_needs = TidyCharField(
        label=_("Accessibility needs"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args, ticket_types: list[TicketType], questions: list[Question] = (), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].set_ticket_types(ticket_types)
        if len(ticket_types) == 1:
            self.initial.setdefault("ticket_type", ticket_types[0].pk)
        self.add_question_fields(questions)
        if self.is_bound:
            # Without JavaScript every question is shown; only the chosen ticket's count.
            chosen = self._chosen_ticket_type_id()
            for name, (question, ticket_type_ids) in self.questions.items():
                if not question.applies_to(chosen, ticket_type_ids):
                    self.fields[name].required = False

    def add_question_fields(self, questions: list[Question]) -> None:
        # An empty set of ticket type ids means every ticket type.
        self.questions = {}
        for question in questions:
            name = f"question_{question.pk}"
            self.fields[name] = question_field(question)
            self.questions[name] = (question, {t.pk for t in question.ticket_types.all()})

    def _chosen_ticket_type_id(self) -> int | None:
        try:
            return int(self["ticket_type"].value())
        except (TypeError, ValueError):
            return None

    @property
    def question_fields(self) -> list:
        """Return the bound fields of the questions that need no special-category consent."""
        return [self[n] for n, (q, _ids) in self.questions.items() if not q.special_category]

    @property
    def special_category_question_fields(self) -> list:
        return [self[n] for n, (q, _ids) in self.questions.items() if q.special_category]

    def answers(self) -> dict[int, object]:
        """Return the answers to the questions asked for the chosen ticket, by question id."""
        ticket_type = self.cleaned_data["ticket_type"]
        return {
            question.pk: self.cleaned_data[name]
            for name, (question, ticket_type_ids) in self.questions.items()
            if question.applies_to(ticket_type.pk, ticket_type_ids)
            and self.cleaned_data.get(name) not in (None, "", [])
        }

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("special_category_consent"):
            for name, (question, _ids) in self.questions.items():
                if question.special_category and cleaned.get(name) not in (None, "", []):
                    self.add_error(
                        name,
                        _("Tick the consent box above to give this answer, or leave it empty."),
                    )
        if lacks_consent(
            dietary_wishes=cleaned.get("dietary_wishes", ""),
            accessibility_needs=cleaned.get("accessibility_needs", ""),
            special_category_consent=cleaned.get("special_category_consent", False),
        ):
            self.add_error(
                "special_category_consent",
                _(
                    "Tick this box to share dietary wishes or accessibility needs, "
                    "or leave those fields empty."
                ),
            )
        return cleaned

    def details(self) -> AttendeeDetails:
        values = {
            name: self.cleaned_data[name] for name in self.fields if name not in self.questions
        }
        return AttendeeDetails(**values, answers=self.answers())


class BillingForm(_StyledForm):
    organisation = TidyCharField(
        label=_("Organisation or name on the invoice"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    address = TidyCharField(
        label=_("Invoice address"),
        max_length=500,
        required=False,
        validators=[validate_invoice_address],
        help_text=_("For an address abroad, the country on the last line."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    po_number = TidyCharField(label=_("Purchase order number"), max_length=50, required=False)
    reference = TidyCharField(label=_("Your reference"), max_length=100, required=False)
    # Optional, for organisations that need it on the invoice; stored compact.
    vat_number = vat_number_field()
    invoice_email = forms.EmailField(
        label=_("Email address for the invoice"),
        max_length=254,
        required=False,
        help_text=_("Leave empty to send the invoice to your own address."),
    )
    # Optional, for public buyers who must receive an e-invoice.
    org_id = TidyCharField(
        tidy=tidy_org_id,
        label=_("OIN or KvK number"),
        max_length=20,
        required=False,
        validators=[ORGANISATION_ID],
        help_text=_(
            "Only for an e-invoice: the 20-digit OIN of a government body or the 8-digit KvK "
            "number."
        ),
    )
    peppol_id = TidyCharField(
        tidy=tidy_peppol_id,
        label=_("Peppol ID"),
        max_length=60,
        required=False,
        validators=[PEPPOL_ID],
        help_text=_("Only if you receive e-invoices through Peppol, such as 0190:…"),
    )
    einvoice = forms.BooleanField(
        label=_("Also send the invoice as an e-invoice (UBL file) with the invoice mail"),
        required=False,
    )

    # Required only for paid tickets, which the browser cannot know without JavaScript.
    use_required_attribute = False

    def __init__(self, *args, payable: bool, po_number_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.payable = payable
        if payable:
            self.fields["organisation"].required = True
            self.fields["address"].required = True
            self.fields["po_number"].required = po_number_required

    def clean(self):
        cleaned = super().clean()
        if self.payable:  # the booking service's rule, at the field to fill in
            add_einvoice_problem(self)
        return cleaned

    def billing(self) -> Billing | None:
        if not self.payable:
            return None
        return Billing(**self.cleaned_data)


class PaymentForm(_StyledForm):
    """How the booker pays, chosen in the form: asked only when a chosen ticket costs money
    and the event takes payments (`providers`, in the order the event offers them)."""

    provider = forms.ChoiceField(
        label=_("How would you like to pay?"), required=False, widget=forms.RadioSelect
    )

    # Required only for paid tickets, which the browser cannot know without JavaScript.
    use_required_attribute = False

    def __init__(self, *args, providers: list[str], payable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        field.choices = [(name, PAYMENT_LABELS.get(name, name)) for name in providers]
        field.required = payable and bool(providers)
        if len(providers) == 1:
            self.initial.setdefault("provider", providers[0])

    def chosen(self) -> str:
        """Return the chosen provider's name, "" when nothing is to be paid."""
        if not self.fields["provider"].required:
            return ""
        return self.cleaned_data.get("provider") or ""


# The ways to pay as the booker reads them (the providers' names, `payments.enums`).
PAYMENT_LABELS = {
    "mollie": _("Online now: iDEAL | Wero or card"),
    "bank_transfer": _("By bank transfer"),
    "invoice": _("On invoice, for organisations: your registration is confirmed at once"),
}


class RegistrationForms:
    """The booker, attendee and billing forms of one registration, read and shown together."""

    def __init__(
        self,
        *,
        ticket_types: list[TicketType],
        po_number_required: bool,
        questions: list[Question] = (),
        providers: list[str] = (),
        data=None,
        count: int = 1,
        initial: dict | None = None,
    ):
        initial = initial or {}
        self.ticket_types = ticket_types
        self.questions = questions
        self.providers = list(providers)
        self.po_number_required = po_number_required
        self.count = count
        self.booker = BookerForm(data, prefix="booker", initial=initial.get("booker"))
        attendee_initial = initial.get("attendees", [])
        self.attendees = [
            AttendeeForm(
                data,
                prefix=f"attendee-{i}",
                ticket_types=ticket_types,
                questions=questions,
                initial=attendee_initial[i] if i < len(attendee_initial) else None,
            )
            for i in range(count)
        ]
        self.billing = BillingForm(
            data,
            prefix="billing",
            initial=initial.get("billing"),
            payable=self._payable(data, initial),
            po_number_required=po_number_required,
        )
        self.payment = PaymentForm(
            data,
            prefix="payment",
            initial=initial.get("payment"),
            providers=self.providers,
            payable=self.billing.payable,
        )

    @classmethod
    def count_from(cls, data) -> int:
        """Return how many attendee forms were shown, from the form's hidden field."""
        try:
            count = int(data.get("attendee_count", "1"))
        except (TypeError, ValueError):
            count = 1
        return min(max(count, 1), MAX_ATTENDEES)

    def _payable(self, data, initial) -> bool:
        """Return whether a chosen ticket costs money, so that billing details are required.

        While an attendee has no valid ticket chosen that attendee's error is shown and the
        billing details are not yet required; the next submission requires them if needed.
        """
        prices = {str(t.pk): t.price for t in self.ticket_types}
        if data is None:
            chosen = [str(a.get("ticket_type") or "") for a in initial.get("attendees", [])]
        else:
            chosen = [str(form["ticket_type"].value() or "") for form in self.attendees]
        return any(prices.get(pk) for pk in chosen)

    @property
    def may_be_payable(self) -> bool:
        return any(t.price for t in self.ticket_types)

    @property
    def all_forms(self) -> list[forms.Form]:
        return [self.booker, *self.attendees, self.billing, self.payment]

    def is_valid(self) -> bool:
        valid = all([form.is_valid() for form in self.all_forms])
        return self._counts_allowed() and valid

    def _counts_allowed(self) -> bool:
        """Say at the first attendee of a ticket type when the registration holds fewer or
        more of it than the ticket type allows (the booking service refuses it too)."""
        chosen: dict[int, list[AttendeeForm]] = {}
        for form in self.attendees:
            ticket_type = getattr(form, "cleaned_data", {}).get("ticket_type")
            if ticket_type is not None:
                chosen.setdefault(ticket_type.pk, []).append(form)
        allowed = True
        for forms_of_type in chosen.values():
            ticket_type = forms_of_type[0].cleaned_data["ticket_type"]
            count = len(forms_of_type)
            if count < ticket_type.min_per_registration:
                message = exceptions.MIN_PER_REGISTRATION
                limit = ticket_type.min_per_registration
            elif count > ticket_type.max_per_registration:
                message = exceptions.MAX_PER_REGISTRATION
                limit = ticket_type.max_per_registration
            else:
                continue
            forms_of_type[0].add_error(
                "ticket_type", message % {"count": limit, "ticket": ticket_type.t.name}
            )
            allowed = False
        return allowed

    def errors(self) -> list[tuple[str, str, str]]:
        """Return (field id, label, message) for each error, for the summary on top."""
        summary = []
        for form in self.all_forms:
            number = self.attendees.index(form) + 1 if form in self.attendees else None
            for field in form:
                label = field.label
                if number is not None:  # which attendee: "Attendee 2: First name"
                    label = _("Attendee %(number)s: %(field)s") % {"number": number, "field": label}
                for message in field.errors:
                    summary.append((field.id_for_label or field.auto_id, label, message))
        return summary

    def show_availability(self, availability: Mapping[int, str]) -> None:
        """Say in each ticket choice whether it is sold out or nearly so."""
        for form in self.attendees:
            form.fields["ticket_type"].set_ticket_types(self.ticket_types, availability)

    def resized(self, *, add: bool = False, remove: int | None = None) -> "RegistrationForms":
        """Return unbound forms holding what was typed, with an attendee added or removed."""
        attendees = [form.values() for form in self.attendees]
        if add and len(attendees) < MAX_ATTENDEES:
            attendees.append({})
        if remove is not None and 0 <= remove < len(attendees) and len(attendees) > 1:
            del attendees[remove]
        resized = RegistrationForms(
            ticket_types=self.ticket_types,
            po_number_required=self.po_number_required,
            questions=self.questions,
            providers=self.providers,
            count=len(attendees),
            initial={
                "booker": self.booker.values(),
                "attendees": attendees,
                "billing": self.billing.values(),
                "payment": self.payment.values(),
            },
        )
        if add:
            # The person asked for a new attendee: take them there (works without JavaScript).
            resized.attendees[-1].fields["given_name"].widget.attrs["autofocus"] = True
        return resized
