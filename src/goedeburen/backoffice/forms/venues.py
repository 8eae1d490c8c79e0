from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import Room, Venue

from .base import BackofficeForm


class VenueForm(BackofficeForm):
    class Meta(BackofficeForm.Meta):
        model = Venue
        fields = [
            "name",
            "street",
            "postal_code",
            "city",
            "route_nl",
            "route_en",
            "accessibility_nl",
            "accessibility_en",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.organiser_id:
            self.instance.organiser = self.event.organiser


class RoomForm(BackofficeForm):
    class Meta(BackofficeForm.Meta):
        model = Room
        fields = ["name", "capacity", "step_free"]

    def __init__(self, *args, venue, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.venue_id:
            self.instance.venue = venue

    def clean_name(self):
        # `venue` is not a field of the form, so the form leaves the (venue, name) rule out.
        name = self.cleaned_data["name"]
        others = Room.objects.filter(venue_id=self.instance.venue_id, name=name)
        if others.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("This venue already has a room with this name."), code="unique")
        return name
