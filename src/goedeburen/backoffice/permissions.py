"""The back office's one guard: a login, then a declared permission on a declared object.

Every back-office view declares `permission_required` (a django-rules permission, see
`events.rules`) and `permission_object`: "event" (the event in the URL) or "organiser"
(the organiser in the URL, or the event's organiser for the organiser's own screens under an
event's address, such as its bank statements). tests/backoffice/test_permission_table.py
walks the URL configuration and fails for a view that declares neither.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from goedeburen.events.models import Event, Organiser
from goedeburen.events.rules import is_on_team


class StaffRequiredMixin(LoginRequiredMixin):
    """Any signed-in user: screens about the user's own account and work."""

    permission_required = None  # declared: a login and nothing more
    permission_object = "user"


class EventPermissionMixin(LoginRequiredMixin):
    """Load `self.event` from the URL's `event` slug and require `permission_required` on it
    (or, with `permission_object = "organiser"`, on its organiser).

    Someone without any role for the event gets a 404, so event names do not leak.
    """

    permission_required = "events.change_event"
    permission_object = "event"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.event = get_object_or_404(
            Event.objects.select_related("organiser", "venue"), slug=kwargs["event"]
        )
        if not request.user.has_perm("events.view_event", self.event):
            raise Http404
        if not request.user.has_perm(self.permission_required, self.permission_target()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def permission_target(self):
        if self.permission_object == "event":
            return self.event
        if self.permission_object == "organiser":
            return self.event.organiser
        raise ImproperlyConfigured(f"{type(self).__name__}: unknown permission_object")

    def get_context_data(self, **kwargs):
        kwargs["event"] = self.event  # the object, not the URL's slug
        return super().get_context_data(**kwargs)


class OrganiserPermissionMixin(LoginRequiredMixin):
    """Load `self.organiser` from the URL's `organiser` slug and require `permission_required`.

    Someone who is on no team of the organiser gets a 404, like `EventPermissionMixin`.
    """

    permission_required = "events.add_event"
    permission_object = "organiser"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.organiser = get_object_or_404(Organiser, slug=kwargs["organiser"])
        if not (request.user.is_superuser or is_on_team(request.user, self.organiser)):
            raise Http404
        if not request.user.has_perm(self.permission_required, self.organiser):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["organiser"] = self.organiser
        return super().get_context_data(**kwargs)
