"""The back office's one guard: a login, then a permission on the event in the URL."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from goedeburen.events.models import Event, Organiser


class StaffRequiredMixin(LoginRequiredMixin):
    """Any signed-in user; per-object checks come from `EventPermissionMixin`."""


class EventPermissionMixin(LoginRequiredMixin):
    """Load `self.event` from the URL's `event` slug and require `permission_required` on it.

    Someone without any role for the event gets a 404, so event names do not leak.
    """

    permission_required = "events.change_event"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.event = get_object_or_404(
            Event.objects.select_related("organiser", "venue"), slug=kwargs["event"]
        )
        if not request.user.has_perm("events.view_event", self.event):
            raise Http404
        if not request.user.has_perm(self.permission_required, self.event):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["event"] = self.event  # the object, not the URL's slug
        return super().get_context_data(**kwargs)


class OrganiserPermissionMixin(LoginRequiredMixin):
    """Load `self.organiser` from the URL's `organiser` slug and require `permission_required`.

    Someone who is on no team of the organiser gets a 404, like `EventPermissionMixin`.
    """

    permission_required = "events.add_event"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.organiser = get_object_or_404(Organiser, slug=kwargs["organiser"])
        if not (
            request.user.is_superuser or self.organiser.team.filter(user=request.user).exists()
        ):
            raise Http404
        if not request.user.has_perm(self.permission_required, self.organiser):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
