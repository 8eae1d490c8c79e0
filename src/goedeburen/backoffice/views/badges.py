"""Badges: all of them, a selection (the attendee list's filters), one on demand, and the
alignment test page for label sheets."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from goedeburen.backoffice.exports import BOOKINGS, bad_filters
from goedeburen.backoffice.forms.registrations import RegistrationSearchForm
from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.checkin import queries
from goedeburen.checkin.enums import BadgeLayout
from goedeburen.checkin.pdf import badges
from goedeburen.registration import queries as registration_queries
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, TicketType

from .registrations import ATTENDEE_SORTS


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class BadgeMixin(EventPermissionMixin):
    permission_required = "checkin.print_badges"

    def layout(self) -> str:
        chosen = self.request.GET.get("layout") or ""
        if chosen in BadgeLayout.values:
            return chosen
        return queries.checkin_settings(self.event).badge_layout


class BadgesView(BadgeMixin, TemplateView):
    """Choose which badges to print: all confirmed attendees, or those the filters find."""

    template_name = "backoffice/checkin/badges.html"

    def get_context_data(self, **kwargs):
        form = RegistrationSearchForm(
            self.request.GET or None,
            ticket_types=list(TicketType.objects.filter(event=self.event)),
            sorts=ATTENDEE_SORTS,
            show_role=False,
            names_only=True,
            # Choosing by ticket is for those who see bookings: for the check-in role it
            # would print the residents' badges (their free ticket), which its lists hide.
            show_tickets=self.request.user.has_perm(BOOKINGS, self.event),
        )
        kwargs.update(
            section="badges",
            form=form,
            layout=self.layout(),
            layouts=BadgeLayout.choices,
            query=self.request.GET.urlencode(),
        )
        return super().get_context_data(**kwargs)


class BadgesPdfView(BadgeMixin, View):
    """The badges of the attendees the attendee list's filters find (all confirmed ones
    without filters), in name order."""

    def get(self, request, *args, **kwargs):
        form = RegistrationSearchForm(
            request.GET,
            ticket_types=list(TicketType.objects.filter(event=self.event)),
            sorts=ATTENDEE_SORTS,
            show_role=False,
            names_only=True,
            show_tickets=request.user.has_perm(BOOKINGS, self.event),
        )
        filters = form.filters()
        if error := bad_filters(form):
            # A filter with a wrong value filters nothing: every badge would be printed.
            messages.error(request, error)
            screen = reverse("backoffice:checkin.badges", kwargs={"event": self.event.slug})
            return redirect(f"{screen}?{request.GET.urlencode()}")
        attendees = registration_queries.search_attendees(self.event, filters=filters, sort="name")
        if not filters.status:
            attendees = attendees.filter(registration__status=RegistrationStatus.CONFIRMED)
        found = badges.badges_for(self.event, attendees)
        content = badges.render_badges(found, layout=self.layout(), title=_("Badges"))
        return pdf_response(content, f"badges-{self.event.slug}.pdf")


class BadgePdfView(BadgeMixin, View):
    """One attendee's badge, on demand (from the check-in screen)."""

    permission_required = "checkin.check_in"

    def get(self, request, *args, **kwargs):
        attendee = get_object_or_404(
            Attendee.objects.select_related("registration"),
            pk=kwargs["attendee"],
            registration__event=self.event,
        )
        if attendee.registration.status == RegistrationStatus.WAITING_LIST:
            raise Http404
        found = badges.badges_for(self.event, [attendee])
        content = badges.render_badges(found, layout=self.layout(), title=_("Badge"))
        return pdf_response(content, f"badge-{attendee.pk}.pdf")


class AlignmentPdfView(BadgeMixin, View):
    def get(self, request, *args, **kwargs):
        return pdf_response(badges.render_alignment(self.layout()), "alignment.pdf")
