"""Forms of the booker's own pages: change details, send a colleague, ask for the link."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.registration import forms as forms_shared
from goedeburen.registration import queries
from goedeburen.registration.forms import initial_answer, posted_seen, seen_value
from goedeburen.registration.models import Attendee, Question, Registration
from goedeburen.registration.services import AttendeeChanges

from .registration import AttendeeForm, BillingForm, BookerForm, _StyledForm


class AttendeeChangeForm(AttendeeForm):
    """An attendee's details and answers without the ticket, which stays as booked."""

    def __init__(self, *args, attendee: Attendee, questions: list[Question], **kwargs):
        _StyledForm.__init__(self, *args, initial=_attendee_initial(attendee), **kwargs)
        del self.fields["ticket_type"]
        asked = [
            q
            for q in questions
            if q.applies_to(attendee.ticket_type_id, {t.pk for t in q.ticket_types.all()})
        ]
        self.add_question_fields(asked)
        for answer in attendee.answers.all():
            name = f"question_{answer.question_id}"
            if name in self.fields:
                self.initial[name] = initial_answer(answer)

    def changes(self) -> AttendeeChanges:
        values = {n: self.cleaned_data[n] for n in self.fields if n not in self.questions}
        answers = {
            question.pk: self.cleaned_data[name]
            for name, (question, _ids) in self.questions.items()
            if self.cleaned_data.get(name) not in (None, "", [])
        }
        return AttendeeChanges(**values, answers=answers)


class ChangeForms:
    """The booker, attendee and billing forms of an existing registration."""

    def __init__(
        self,
        *,
        registration: Registration,
        po_number_required: bool,
        questions: list[Question] = (),
        data=None,
    ):
        # The registration as this form shows it (sent back in the field "seen"): a change
        # made meanwhile, in another tab or by the organiser, is then not undone.
        self.seen = seen_value(registration)
        self.data = data
        self.attendee_rows = list(registration.attendees.all())
        queries.prefetch_answers(self.attendee_rows)
        self.payable = bool(registration.total)
        self.booker = BookerForm(
            data,
            prefix="booker",
            initial={"name": registration.booker_name, "email": registration.email},
        )
        self.attendees = [
            AttendeeChangeForm(data, prefix=f"attendee-{a.pk}", attendee=a, questions=questions)
            for a in self.attendee_rows
        ]
        self.billing = BillingForm(
            data,
            prefix="billing",
            payable=self.payable,
            po_number_required=po_number_required,
            initial={
                "organisation": registration.billing_organisation,
                "address": registration.billing_address,
                "po_number": registration.po_number,
                "reference": registration.billing_reference,
                "invoice_email": registration.invoice_email,
                "org_id": registration.billing_org_id,
                "peppol_id": registration.billing_peppol_id,
                "einvoice": registration.billing_einvoice,
                "vat_number": registration.billing_vat_number,
            },
        )

    @property
    def all_forms(self) -> list[forms.Form]:
        return [self.booker, *self.attendees, *([self.billing] if self.payable else [])]

    def pairs(self):
        return zip(self.attendee_rows, self.attendees, strict=True)

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.all_forms])

    def errors(self) -> list[tuple[str, str, str]]:
        return [
            (field.id_for_label or field.auto_id, field.label, message)
            for form in self.all_forms
            for field in form
            for message in field.errors
        ]

    def changes(self) -> dict:
        return {a.pk: form.changes() for a, form in self.pairs()}

    def posted_seen(self) -> dt.datetime | None:
        return posted_seen(self.data)


def _attendee_initial(attendee) -> dict:
    names = [name for name in AttendeeChanges.__dataclass_fields__ if name != "answers"]
    return {name: getattr(attendee, name) for name in names}


class SubstituteForm(_StyledForm, forms_shared.SubstituteForm):
    def errors_summary(self) -> list[tuple[str, str, str]]:
        return [
            (field.id_for_label, field.label, message) for field in self for message in field.errors
        ]


class LinkRequestForm(_StyledForm):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("The address you registered with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def errors_summary(self) -> list[tuple[str, str, str]]:
        return [
            (field.id_for_label, field.label, message) for field in self for message in field.errors
        ]
