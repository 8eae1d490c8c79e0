"""The waiting list: who waits, since when, the offers made and when they end; offer a
place out of turn; remove someone (the registration's cancel page, with a message)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.backoffice.views.confirm import ConfirmFirstMixin
from goedeburen.registration import queries, services
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Registration


class WaitingListView(EventPermissionMixin, TemplateView):
    permission_required = "registration.view_registrations"
    template_name = "backoffice/registrations/waiting_list.html"

    def get_context_data(self, **kwargs):
        rows = list(queries.waiting_list_screen(self.event))
        kwargs.update(
            section="waiting_list",
            rows=rows,
            now=timezone.now(),
            capacity=queries.capacity(self.event, now=timezone.now()),
            can_change=self.request.user.has_perm("registration.change_registration", self.event),
        )
        return super().get_context_data(**kwargs)


class OfferSeatView(EventPermissionMixin, ConfirmFirstMixin, View):
    """Offer one registration on the waiting list a place, out of turn."""

    permission_required = "registration.change_registration"
    http_method_names = ["post"]
    confirm_title = gettext_lazy("Offer a place out of turn?")
    confirm_text = gettext_lazy(
        "The booker gets a mail with a link to take the place; the seats are held for them "
        "until the offer ends, and nobody else on the list gets them meanwhile."
    )
    confirm_button = gettext_lazy("Offer the place")

    def registration(self) -> Registration:
        found = Registration.objects.filter(
            event=self.event, code=self.kwargs["code"].upper()
        ).first()
        if found is None:
            raise Http404
        return found

    def check_target(self) -> None:
        self.registration()

    def post(self, request, *args, **kwargs):
        registration = self.registration()
        try:
            services.offer_seat(registration, by=request.user)
        except RegistrationError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("Registration %(code)s is offered a place.") % {"code": registration.code},
            )
        return redirect("backoffice:waiting_list", event=self.event.slug)
