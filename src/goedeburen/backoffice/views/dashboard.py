from django.db.models import Q
from django.views.generic import TemplateView

from goedeburen.backoffice.permissions import StaffRequiredMixin
from goedeburen.events.models import Event


class DashboardView(StaffRequiredMixin, TemplateView):
    """The events this user works on."""

    template_name = "backoffice/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        events = Event.objects.select_related("organiser", "venue")
        if not user.is_superuser:
            events = events.filter(
                Q(organiser__team__user=user, organiser__team__event__isnull=True)
                | Q(team__user=user)
            ).distinct()
        return super().get_context_data(events=events.order_by("-date"), **kwargs)
