"""Venues and their rooms. They belong to the organiser, not to one event: the screens are
opened from an event, list all of the organiser's venues and need an organiser-wide role
to change them (`events.change_venue`)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from goedeburen.backoffice.forms.venues import RoomForm, VenueForm
from goedeburen.common.text import natural_key
from goedeburen.events import services
from goedeburen.events.models import Room, Venue

from . import base


class VenuePartMixin:
    change_permission = "events.change_venue"
    section = "venue"

    def get_success_url(self) -> str:
        return reverse("backoffice:venue.list", kwargs={"event": self.event.slug})

    def save_part(self, instance, form) -> None:
        services.save_venue_part(instance, organiser=self.event.organiser, by=self.request.user)

    def delete_part(self, instance) -> None:
        services.delete_venue_part(instance, organiser=self.event.organiser, by=self.request.user)


class VenueMixin(VenuePartMixin):
    model = Venue
    name = "venue"

    def get_queryset(self):
        return Venue.objects.filter(organiser_id=self.event.organiser_id)


class VenueListView(VenueMixin, base.EventPartListView):
    def get_queryset(self):
        return super().get_queryset().prefetch_related(Prefetch("rooms", Room.objects.all()))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for venue in context["object_list"]:
            # Rooms in natural order: Huiskamer 2 before Huiskamer 10.
            venue.sorted_rooms = sorted(venue.rooms.all(), key=lambda r: natural_key(r.name))
        return context


class VenueCreateView(VenueMixin, base.EventPartCreateView):
    form_class = VenueForm


class VenueUpdateView(VenueMixin, base.EventPartUpdateView):
    form_class = VenueForm


class VenueDeleteView(VenueMixin, base.EventPartDeleteView):
    warning = _("Its rooms are deleted with it.")


class RoomMixin(VenuePartMixin):
    model = Room
    name = "room"

    def get_queryset(self):
        return Room.objects.filter(venue__organiser_id=self.event.organiser_id).select_related(
            "venue"
        )


class RoomCreateView(RoomMixin, base.EventPartCreateView):
    """A new room in the venue named in the URL (one of the organiser's)."""

    form_class = RoomForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["venue"] = self.venue
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs["title"] = gettext("New room in %(venue)s") % {"venue": self.venue.name}
        return super().get_context_data(**kwargs)

    @cached_property
    def venue(self) -> Venue:
        # Looked up after the permission check, so that a stranger learns nothing from a 404.
        return get_object_or_404(
            Venue, pk=self.kwargs["venue"], organiser_id=self.event.organiser_id
        )


class RoomUpdateView(RoomMixin, base.EventPartUpdateView):
    form_class = RoomForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["venue"] = self.object.venue
        return kwargs


class RoomDeleteView(RoomMixin, base.EventPartDeleteView):
    warning = _("Programme items and sessions in this room keep their place without a room.")
