"""The event site's contact form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.common.formfields import TidyCharField
from goedeburen.common.text import tidy_text

from .registration import _StyledForm


class ContactForm(_StyledForm):
    name = TidyCharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("The secretariat replies to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = TidyCharField(
        tidy=tidy_text,
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    # The spam trap: hidden from people (the `hidden` attribute), filled in by robots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def errors_summary(self) -> list[tuple[str, str, str]]:
        return [
            (field.id_for_label, field.label, message) for field in self for message in field.errors
        ]
