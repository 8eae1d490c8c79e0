"""The back office's registration screens: the lists' search form and the edit forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.registration.billing import tidy_org_id, tidy_peppol_id, tidy_vat_number
from goedeburen.registration.enums import (
    AttendingRole,
    RegistrationStatus,
    names_only_status_choices,
)
from goedeburen.registration.forms import add_einvoice_problem, initial_answer, question_field
from goedeburen.registration.models import (
    ORGANISATION_ID,
    PEPPOL_ID,
    VAT_NUMBER,
    Attendee,
    Question,
    Registration,
    lacks_consent,
)
from goedeburen.registration.queries import RegistrationFilter
from goedeburen.registration.services.editing import (
    ATTENDEE_FIELDS,
    REGISTRATION_FIELDS,
    SENSITIVE_FIELDS,
)

from .base import formfield, style

_YES_NO = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]

REGISTRATION_SORTS = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("code", _("Code (A–Z)")),
    ("-code", _("Code (Z–A)")),
    ("booker", _("Booker (A–Z)")),
    ("-booker", _("Booker (Z–A)")),
    ("status", _("Status")),
    ("-status", _("Status, reversed")),
]
ATTENDEE_SORTS = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("code", _("Code (A–Z)")),
    ("-code", _("Code (Z–A)")),
    ("status", _("Status")),
    ("-status", _("Status, reversed")),
]


class RegistrationSearchForm(forms.Form):
    """The lists' search, filters and sort as a GET form; bad values are ignored, not refused.

    Without `show_role` the role filter does not exist: filtering on a value one may not
    see would reveal it. Without `show_tickets` neither do the ticket and approval filters,
    and the status filter joins "awaiting approval" with "pending payment": a resident's
    ticket (free, approved by the organiser) marks them as much as the role.
    """

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *RegistrationStatus.choices]
    )
    ticket_type = forms.TypedChoiceField(label=_("Ticket"), required=False, coerce=int)
    role = forms.ChoiceField(
        label=_("Attending as"), required=False, choices=[("", _("All")), *AttendingRole.choices]
    )
    approval = forms.ChoiceField(label=_("Ticket needs approval"), required=False, choices=_YES_NO)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(
        self,
        data,
        *,
        ticket_types,
        sorts,
        show_role: bool,
        names_only: bool = False,
        show_tickets: bool = True,
    ):
        super().__init__(data)
        self.names_only = names_only
        self.fields["ticket_type"].choices = [
            ("", _("All")),
            *((t.pk, t.t.name) for t in ticket_types),
        ]
        self.fields["sort"].choices = sorts
        if not show_role:
            del self.fields["role"]
        if not show_tickets:
            del self.fields["ticket_type"]
            del self.fields["approval"]
            self.fields["status"].choices = [("", _("All")), *names_only_status_choices()]
        for field in self.fields.values():
            style(field)
        self.fields["q"].widget.input_type = "search"

    def filters(self) -> RegistrationFilter:
        """Return the filters asked for; a field with a bad value filters nothing."""
        self.is_valid()
        values = {name: self.cleaned_data.get(name) for name in self.fields}
        approval = values.get("approval")
        return RegistrationFilter(
            search=values.get("q") or "",
            status=values.get("status") or "",
            ticket_type=values.get("ticket_type") or None,
            role=values.get("role") or "",
            needs_approval={"yes": True, "no": False}.get(approval),
            names_only=self.names_only,
        )

    def sort_order(self, default: str) -> str:
        self.is_valid()
        return self.cleaned_data.get("sort") or default


def _model_fields(model, names, labels: dict, tidy: dict | None = None) -> dict[str, forms.Field]:
    fields = {}
    for name in names:
        extra = {"tidy": tidy[name]} if tidy and name in tidy else {}
        field = formfield(model._meta.get_field(name), **extra)
        if name in labels:
            field.label = labels[name]
        style(field)
        fields[name] = field
    return fields


class RegistrationDetailsForm(forms.Form):
    """The booker's and billing details, as the registration model checks them."""

    LABELS = {
        "booker_name": _("Booker’s name"),
        "email": _("Booker’s email address"),
    }
    # As the public form takes them: without the spaces or the prefix people copy along.
    TIDY = {
        "billing_org_id": tidy_org_id,
        "billing_peppol_id": tidy_peppol_id,
        "billing_vat_number": tidy_vat_number,
    }

    def __init__(self, *args, registration: Registration, **kwargs):
        initial = {name: getattr(registration, name) for name in REGISTRATION_FIELDS}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(
            _model_fields(Registration, REGISTRATION_FIELDS, self.LABELS, tidy=self.TIDY)
        )
        # The e-invoice numbers' own checks at their fields, as in the public form: a form
        # field does not take its model field's validators, and the editing service's
        # refusal would only show above the form.
        self.fields["billing_org_id"].validators.append(ORGANISATION_ID)
        self.fields["billing_peppol_id"].validators.append(PEPPOL_ID)
        self.fields["billing_vat_number"].validators.append(VAT_NUMBER)

    def clean(self):
        cleaned = super().clean()
        # The editing service's rule (`check_billing`), at the field to fill in.
        add_einvoice_problem(
            self,
            org_id="billing_org_id",
            peppol_id="billing_peppol_id",
            einvoice="billing_einvoice",
        )
        return cleaned

    def changes(self) -> dict:
        return dict(self.cleaned_data)


class AttendeeDetailsForm(forms.Form):
    """One attendee's details; without `show_special_category` the sensitive ones are left out."""

    def __init__(
        self,
        *args,
        attendee: Attendee,
        show_special_category: bool,
        asked: list[Question] = (),
        **kwargs,
    ):
        names = [
            name
            for name in ATTENDEE_FIELDS
            if show_special_category or name not in SENSITIVE_FIELDS
        ]
        initial = {name: getattr(attendee, name) for name in names}
        super().__init__(*args, initial=initial, prefix=f"attendee-{attendee.pk}", **kwargs)
        self.attendee = attendee
        self.fields.update(_model_fields(Attendee, names, {}))
        # The questions of this attendee's ticket among those the editor may see.
        self.questions = {}
        for question in asked:
            if question.applies_to(
                attendee.ticket_type_id, {t.pk for t in question.ticket_types.all()}
            ):
                name = f"question_{question.pk}"
                self.fields[name] = question_field(question)
                style(self.fields[name])
                self.questions[name] = question
        for answer in attendee.answers.all():
            name = f"question_{answer.question_id}"
            if name in self.fields:
                self.initial[name] = initial_answer(answer)

    def clean(self):
        cleaned = super().clean()
        missing = lacks_consent(
            dietary_wishes=cleaned.get("dietary_wishes", ""),
            accessibility_needs=cleaned.get("accessibility_needs", ""),
            special_category_consent=cleaned.get("special_category_consent", False),
        )
        if missing and "special_category_consent" in self.fields:
            self.add_error(
                "special_category_consent",
                _(
                    "Dietary wishes and accessibility needs can only be kept with consent: "
                    "tick this box or empty those fields."
                ),
            )
        return cleaned

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.questions}

    def answers(self) -> dict[int, object]:
        return {
            question.pk: self.cleaned_data[name]
            for name, question in self.questions.items()
            if self.cleaned_data.get(name) not in (None, "", [])
        }
