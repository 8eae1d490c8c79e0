"""The participant's form for their badge and the day."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.common.formfields import TidyCharField
from goedeburen.registration.enums import BadgeName

from .registration import _StyledForm


class DayChoicesForm(_StyledForm):
    badge_name = forms.ChoiceField(
        label=_("Name on the badge"), choices=BadgeName.choices, widget=forms.RadioSelect
    )
    pronouns = TidyCharField(
        label=_("Pronouns on the badge"),
        max_length=30,
        required=False,
        help_text=_("For example she/her, he/him or they/them."),
    )
    show_organisation = forms.BooleanField(
        label=_("Show my organisation on the badge"), required=False
    )
    name_for_caterer = forms.BooleanField(
        label=_("The caterer may see my name with my dietary wishes"),
        required=False,
        help_text=_("Otherwise the caterer only gets the number of people per wish."),
    )

    def errors_summary(self) -> list[tuple[str, str, str]]:
        return [
            (field.id_for_label, field.label, message) for field in self for message in field.errors
        ]
