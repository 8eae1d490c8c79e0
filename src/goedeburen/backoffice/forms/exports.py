"""The export screens' forms: the filters of lists whose screens have no filter form of
their own (bank lines, session lists), and naming a preset of columns."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.common.formfields import TidyCharField
from goedeburen.payments.enums import TransactionState
from goedeburen.payments.models import BankStatement

from .base import style


class _Styled:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style(field)


class BankLineFilterForm(_Styled, forms.Form):
    """Which of the organiser's bank lines: of one statement (the statement screen), in one
    state (the unmatched lines' screen), or all."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *TransactionState.choices]
    )
    statement = forms.TypedChoiceField(label=_("Statement"), required=False, coerce=int)

    def __init__(self, data, *, organiser):
        super().__init__(data)
        # Only the organiser's own statements can be chosen (another id is a bad value).
        self.fields["statement"].choices = [
            ("", _("All")),
            *BankStatement.objects.filter(organiser=organiser).values_list("pk", "filename"),
        ]

    def apply(self, lines):
        data = self.cleaned_data
        if data.get("state"):
            lines = lines.filter(state=data["state"])
        if data.get("statement"):
            lines = lines.filter(statement_id=data["statement"])
        return lines


class SessionFilterForm(forms.Form):
    """One session's list (`?session=<id>`), or all the user may see."""

    session = forms.IntegerField(label=_("Session"), required=False, min_value=1)


class PresetForm(_Styled, forms.Form):
    """Save the ticked columns under a name, for the team or for oneself."""

    name = TidyCharField(label=_("Name of the preset"), max_length=100)
    shared = forms.TypedChoiceField(
        label=_("Who may use it"),
        choices=[("yes", _("The whole team of this event")), ("no", _("Only me"))],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )


class RenamePresetForm(_Styled, forms.Form):
    name = TidyCharField(label=_("New name"), max_length=100)
