"""Forms of the survey screens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.common.formfields import TidyCharField
from goedeburen.survey.models import QuestionKind, Survey

from .base import BackofficeForm, style


class SurveyForm(BackofficeForm):
    class Meta(BackofficeForm.Meta):
        model = Survey
        fields = ["intro_nl", "intro_en", "anonymous", "reminder_days"]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    label_nl = TidyCharField(label=_("Question (NL)"), max_length=300)
    label_en = TidyCharField(label=_("Question (EN)"), max_length=300, required=False)
    options = TidyCharField(
        label=_("Options (one per line)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only for a question with choices."),
    )
    per_session = forms.BooleanField(
        label=_("Ask it for every session the person took part in"), required=False
    )
    required = forms.BooleanField(label=_("Answer required"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style(field)
