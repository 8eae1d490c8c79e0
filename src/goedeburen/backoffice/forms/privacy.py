"""Forms of the privacy screens: retention periods and the privacy statement."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.common.formfields import TidyCharField
from goedeburen.common.text import tidy_text
from goedeburen.privacy.models import PrivacySettings

from .base import BackofficeForm, style


class PrivacySettingsForm(BackofficeForm):
    class Meta(BackofficeForm.Meta):
        model = PrivacySettings
        fields = ["special_category_days", "anonymise_months"]


class StatementForm(forms.Form):
    text_nl = TidyCharField(
        tidy=tidy_text,
        label=_("Privacy statement (NL)"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Paragraphs separated by an empty line; a line starting with “## ” is a heading. "
            "Placeholders are filled in when shown."
        ),
    )
    text_en = TidyCharField(
        tidy=tidy_text,
        label=_("Privacy statement (EN)"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Leave empty to show the Dutch text to English visitors."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style(field)
