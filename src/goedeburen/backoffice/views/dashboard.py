from django.db.models import Q
from django.views.generic import TemplateView

from goedeburen.backoffice.permissions import StaffRequiredMixin
from goedeburen.events.models import Event, Organiser, Role


class DashboardView(StaffRequiredMixin, TemplateView):
    """The events this user works on, and the organisers they may add an event for."""

    template_name = "backoffice/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        events = Event.objects.select_related("organiser", "venue")
        organisers = Organiser.objects.all()
        if not user.is_superuser:
            events = events.filter(
                Q(organiser__team__user=user, organiser__team__event__isnull=True)
                | Q(team__user=user)
            ).distinct()
            # The same test as the `events.add_event` rule, for all organisers at once.
            organisers = organisers.filter(
                team__user=user, team__event__isnull=True, team__role=Role.OWNER
            ).distinct()
        return super().get_context_data(
            events=events.order_by("-date"), organisers=organisers, **kwargs
        )
