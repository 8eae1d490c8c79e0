"""The organisers' own questions for the registration form, with their options."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.common.formfields import TidyCharField
from goedeburen.registration.models import Question
from goedeburen.registration.services import OptionLabels

from .base import BackofficeForm

# An option line: the Dutch text, then optionally "|" and the English one.
OPTION_SEPARATOR = "|"


class QuestionForm(BackofficeForm):
    """A question; its options are typed one per line, so the screen needs no JavaScript."""

    options = TidyCharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Only for a choice question: one option per line, at least two. Add the English "
            "text after a “|”, for example: Vegetarisch | Vegetarian"
        ),
    )

    class Meta(BackofficeForm.Meta):
        model = Question
        fields = [
            "label_nl",
            "label_en",
            "help_text_nl",
            "help_text_en",
            "kind",
            "options",
            "required",
            "special_category",
            "ticket_types",
            "order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["options"] = "\n".join(
                f"{o.label_nl} {OPTION_SEPARATOR} {o.label_en}" if o.label_en else o.label_nl
                for o in self.instance.options.all()
            )

    def limit_choices(self) -> None:
        self.fields["ticket_types"].queryset = self.event.ticket_types.all()

    def clean_options(self) -> list[OptionLabels]:
        options = []
        for line in self.cleaned_data["options"].splitlines():
            if not line.strip():
                continue
            label_nl, _sep, label_en = line.partition(OPTION_SEPARATOR)
            options.append(OptionLabels(label_nl=label_nl.strip(), label_en=label_en.strip()))
        return options
