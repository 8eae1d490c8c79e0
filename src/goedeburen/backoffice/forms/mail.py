"""Forms of the mail screens: a mail text, a mailing with its segment, the mail settings and
the publication."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.common.formfields import TidyCharField
from goedeburen.common.text import tidy_text
from goedeburen.mail import segments
from goedeburen.mail.exceptions import MailError
from goedeburen.mail.models import Mailing, MailSettings
from goedeburen.mail.services import check_placeholders
from goedeburen.registration.models import Registration, TicketType

from .base import BackofficeForm, style


def _check(form: forms.Form, *names: str) -> None:
    for name in names:
        try:
            check_placeholders(form.cleaned_data.get(name) or "")
        except MailError as error:
            form.add_error(name, error.message)


class MailTemplateForm(forms.Form):
    """The organiser's subject and text of one kind of mail in one language."""

    subject = TidyCharField(label=_("Subject"), max_length=255)
    body = TidyCharField(
        tidy=tidy_text,
        label=_("Text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Plain text. An empty line starts a new paragraph; placeholders such as "
            "{{ name }} are filled in for each recipient."
        ),
    )
    registration = forms.ModelChoiceField(
        label=_("Preview and test with registration"),
        queryset=Registration.objects.none(),
        required=False,
        to_field_name="code",
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = Registration.objects.filter(event=event).order_by(
            "-created"
        )
        self.fields["registration"].label_from_instance = lambda r: f"{r.code} – {r.booker_name}"
        for field in self.fields.values():
            style(field)

    def clean(self):
        cleaned = super().clean()
        _check(self, "subject", "body")
        return cleaned


class MailingForm(BackofficeForm):
    """A mailing's texts in both languages, whether it is essential, and its segment."""

    class Meta(BackofficeForm.Meta):
        model = Mailing
        fields = ["subject_nl", "subject_en", "body_nl", "body_en", "essential"]
        widgets = {
            "body_nl": forms.Textarea(attrs={"rows": 12}),
            "body_en": forms.Textarea(attrs={"rows": 12}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.instance.filters or {}
        for segment_filter in segments.filters():
            name = f"filter_{segment_filter.key}"
            self.fields[name] = forms.MultipleChoiceField(
                label=segment_filter.label,
                choices=segment_filter.choices(self.event),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=chosen.get(segment_filter.key, []),
                help_text=_("None chosen: everyone."),
            )
            style(self.fields[name])

    def clean(self):
        cleaned = super().clean()
        _check(self, "subject_nl", "subject_en", "body_nl", "body_en")
        if bool(cleaned.get("subject_en")) != bool(cleaned.get("body_en")):
            self.add_error("body_en", _("Give the English subject and text both, or neither."))
        return cleaned

    def save(self, commit=True):
        self.instance.filters = {
            f.key: self.cleaned_data.get(f"filter_{f.key}", []) for f in segments.filters()
        }
        return super().save(commit=commit)


class MailSettingsForm(BackofficeForm):
    class Meta(BackofficeForm.Meta):
        model = MailSettings
        fields = [
            "practical_info_days_before",
            "thank_you_days_after",
            "evaluation_url",
            "publication_ticket_types",
        ]

    def limit_choices(self) -> None:
        self.fields["publication_ticket_types"].queryset = TicketType.objects.filter(
            event=self.event
        )


class PublicationForm(forms.Form):
    publication = forms.FileField(
        label=_("Publication (PDF, at most 30 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self.fields["publication"])
