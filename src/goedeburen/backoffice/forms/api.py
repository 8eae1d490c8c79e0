"""Forms of the API screens: a new token, a webhook endpoint."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goedeburen.api.models import WebhookEventType
from goedeburen.api.scopes import SCOPES
from goedeburen.common.formfields import TidyCharField

from .base import style

_EVENT_TYPES = [(v, label) for v, label in WebhookEventType.choices if v != WebhookEventType.PING]


class _OrganiserEventField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name_nl} ({obj.date:%d-%m-%Y})"


class TokenForm(forms.Form):
    name = TidyCharField(
        label=_("Name"), max_length=100, help_text=_("Which program uses it, such as “CRM”.")
    )
    event = _OrganiserEventField(
        label=_("Event"),
        queryset=None,
        required=False,
        empty_label=_("All events of the organiser"),
    )
    scopes = forms.MultipleChoiceField(
        label=_("May read or do"), choices=list(SCOPES.items()), widget=forms.CheckboxSelectMultiple
    )
    expires = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("At most a year from today."),
    )

    def __init__(self, *args, organiser, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = organiser.events.order_by("-date")
        self.initial.setdefault("expires", timezone.localdate() + dt.timedelta(days=90))
        for field in self.fields.values():
            style(field)

    def expiry(self) -> dt.datetime:
        day = self.cleaned_data["expires"]
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where we send a signed POST for each event type chosen."),
    )
    event = _OrganiserEventField(
        label=_("Event"),
        queryset=None,
        required=False,
        empty_label=_("All events of the organiser"),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Send for"), choices=_EVENT_TYPES, widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label=_("Switched on"), required=False, initial=True)

    def __init__(self, *args, organiser, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = organiser.events.order_by("-date")
        for field in self.fields.values():
            style(field)
