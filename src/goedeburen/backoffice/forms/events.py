from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import Event, EventStatus, Venue

from .base import BackofficeForm


class EventForm(BackofficeForm):
    """The event's own details; its status changes through `EventStatusForm`."""

    class Meta(BackofficeForm.Meta):
        model = Event
        fields = [
            "slug",
            "name_nl",
            "name_en",
            "tagline_nl",
            "tagline_en",
            "date",
            "start_time",
            "end_time",
            "venue",
            "description_nl",
            "description_en",
            "expectations_nl",
            "expectations_en",
            "audience_nl",
            "audience_en",
            "contact_name",
            "contact_email",
        ]
        help_texts = {
            "slug": _(
                "Part of the event's address on the site: lower-case letters, digits and "
                "hyphens, such as goede-buren."
            ),
            "expectations_nl": _("One point per line."),
            "expectations_en": _("One point per line."),
        }
        error_messages = {
            "slug": {"unique": _("Another event already has this web address.")},
        }

    def __init__(self, *args, organiser, **kwargs):
        self.organiser = organiser
        super().__init__(*args, **kwargs)
        if not self.instance.organiser_id:
            self.instance.organiser = organiser

    def limit_choices(self) -> None:
        self.fields["venue"].queryset = Venue.objects.filter(organiser=self.organiser)

    def clean_date(self):
        date = self.cleaned_data["date"]
        open_now = self.instance.pk and self.instance.status == EventStatus.REGISTRATION_OPEN
        if open_now and date < timezone.localdate():
            raise forms.ValidationError(
                _(
                    "Registration is open, so the date cannot be in the past: close "
                    "registration first, or choose a date to come."
                ),
                code="past",
            )
        return date


class EventStatusForm(forms.Form):
    status = forms.ChoiceField(choices=EventStatus.choices)
