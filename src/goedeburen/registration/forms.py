"""Form fields and forms shared by the public form and the back office: the event's
questions, and the colleague who goes instead of an attendee."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.common.formfields import TidyCharField

from .billing import einvoice_problem, tidy_vat_number
from .enums import NO, YES, QuestionKind
from .models import VAT_NUMBER, Answer, Question
from .services.questions import MAX_ANSWER_LENGTH, number_text
from .services.self_service import Substitute


def seen_value(registration) -> str:
    """Return what an edit form sends back in its field "seen": the registration's
    `updated` as the form showed it (`services.change_registration(seen=…)`)."""
    return registration.updated.isoformat()


def posted_seen(data) -> dt.datetime | None:
    """Return the registration's `updated` as a sent edit form showed it; None when the
    form did not say (a page from before this field) or said nonsense."""
    try:
        return dt.datetime.fromisoformat((data or {}).get("seen", ""))
    except ValueError:
        return None


def add_einvoice_problem(
    form: forms.Form, *, org_id: str = "org_id", peppol_id: str = "peppol_id", einvoice="einvoice"
) -> None:
    """Put the booking service's e-invoice rule (`billing.einvoice_problem`) at the field of
    `form` to fill in (named `org_id`), from its cleaned data; not when a number given is
    wrong: its own message says why."""
    cleaned = form.cleaned_data
    problem = einvoice_problem(
        org_id=cleaned.get(org_id, ""),
        peppol_id=cleaned.get(peppol_id, ""),
        einvoice=bool(cleaned.get(einvoice)),
    )
    if problem and not {org_id, peppol_id} & set(form.errors):
        form.add_error(org_id, problem)


VAT_NUMBER_HELP = _(
    "Only if your organisation wants its VAT number on the invoice. Start with the "
    "country code, such as NL001234567B01."
)


def vat_number_field(*, help_text=VAT_NUMBER_HELP) -> TidyCharField:
    """Return the optional field for the buyer's VAT number that the public form and the
    walk-in form at the door ask: tidied to the compact form an invoice and an e-invoice
    name (`billing.tidy_vat_number`), refused with `billing.vat_number_problem`'s reason."""
    return TidyCharField(
        tidy=tidy_vat_number,
        label=_("VAT number"),
        max_length=20,
        required=False,
        validators=[VAT_NUMBER],
        help_text=help_text,
    )


# The NL Design System look of a text box; forms add question fields after styling theirs.
TEXT_INPUT_CLASS = "utrecht-textbox utrecht-textbox--html-input"


class NumberAnswerField(forms.CharField):
    """A number answer, cleaned to its plain decimal text; "2,5" is read as 2.5."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})
    default_error_messages = {"invalid": _("Enter a number, such as 12 or 2.5.")}

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        try:
            return number_text(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


_CHOOSE_GIVEN = _("Choose one of the options given.")


def question_field(question: Question) -> forms.Field:
    """Return the form field that asks `question` (options and ticket types prefetched)."""
    kind = question.kind
    if kind == QuestionKind.TEXT:
        field = TidyCharField(max_length=MAX_ANSWER_LENGTH)
        field.widget.attrs["class"] = TEXT_INPUT_CLASS
    elif kind == QuestionKind.NUMBER:
        field = NumberAnswerField(max_length=30)
        field.widget.attrs["class"] = TEXT_INPUT_CLASS
    elif kind == QuestionKind.YES_NO:
        field = forms.ChoiceField(
            choices=[(YES, _("Yes")), (NO, _("No"))],
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": _CHOOSE_GIVEN},
        )
    else:
        many = kind == QuestionKind.MULTIPLE_CHOICE
        field = (forms.MultipleChoiceField if many else forms.ChoiceField)(
            choices=[(str(o.pk), o.t.label) for o in question.options.all()],
            widget=forms.CheckboxSelectMultiple if many else forms.RadioSelect,
            error_messages={"invalid_choice": _CHOOSE_GIVEN, "invalid_list": _CHOOSE_GIVEN},
        )
    field.label = question.t.label
    field.required = question.required
    help_texts = [question.t.help_text] if question.t.help_text else []
    limited_to = [t.t.name for t in question.ticket_types.all()]
    if limited_to:
        help_texts.append(
            _("Only for the ticket: %(tickets)s.") % {"tickets": ", ".join(limited_to)}
        )
    field.help_text = " ".join(str(text) for text in help_texts)
    return field


def initial_answer(answer: Answer):
    """Return a stored answer as its question's form field takes it."""
    chosen = [str(option.pk) for option in answer.options.all()]
    if answer.question.kind == QuestionKind.MULTIPLE_CHOICE:
        return chosen
    if answer.question.kind == QuestionKind.SINGLE_CHOICE:
        return chosen[0] if chosen else ""
    return answer.value


class SubstituteForm(forms.Form):
    """The colleague who goes instead of an attendee (`services.substitute_attendee`): the
    booker's page and the organiser's screen ask the same, with the same limits."""

    given_name = TidyCharField(label=_("First name"), max_length=100)
    family_name = TidyCharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email address"), max_length=254, required=False)
    organisation = TidyCharField(label=_("Organisation"), max_length=200, required=False)

    def substitute(self) -> Substitute:
        """Return the valid form's colleague (other fields of a subclass left out)."""
        return Substitute(
            **{name: self.cleaned_data[name] for name in Substitute.__dataclass_fields__}
        )
