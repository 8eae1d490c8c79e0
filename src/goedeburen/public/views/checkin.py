"""The participant's side of the day: tickets (QR codes and the PDF), badge choices,
certificates of attendance, and the public page that confirms a certificate's code."""

from django.http import Http404, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from goedeburen.checkin import pdf, queries, services
from goedeburen.checkin.exceptions import CheckinError

from ..forms.checkin import DayChoicesForm
from .manage import AttendeeMixin, ManageMixin
from .pages import EventPageMixin


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class TicketsPdfView(ManageMixin, View):
    def get(self, request, *args, **kwargs):
        content = pdf.tickets.render_tickets(self.registration)
        if not content:
            raise Http404
        return _pdf(content, f"tickets-{self.registration.code}.pdf")


class CertificatesPdfView(ManageMixin, View):
    def get(self, request, *args, **kwargs):
        found = queries.certificates_of(self.registration)
        if not found:
            raise Http404
        content = pdf.certificates.render_certificates(found)
        return _pdf(content, f"certificate-{self.registration.code}.pdf")


class DayChoicesView(AttendeeMixin, ManageMixin, TemplateView):
    """An attendee's badge (name, pronouns, organisation) and the caterer's name consent."""

    template_name = "public/registration/manage/badge.html"

    def get(self, request, *args, **kwargs):
        attendee = self.get_attendee()
        choices = queries.day_choices([attendee])[attendee.pk]
        form = DayChoicesForm(
            initial={
                "badge_name": attendee.badge_name,
                "pronouns": choices.pronouns,
                "show_organisation": choices.show_organisation,
                "name_for_caterer": choices.name_for_caterer,
            }
        )
        return self.render_to_response(self.get_context_data(form=form, attendee=attendee))

    def post(self, request, *args, **kwargs):
        attendee = self.get_attendee()
        form = DayChoicesForm(request.POST)
        context = {"form": form, "attendee": attendee}
        if not form.is_valid():
            return self.render_to_response(
                self.get_context_data(errors=form.errors_summary(), **context)
            )
        try:
            services.change_badge(attendee, **form.cleaned_data)
        except CheckinError as refused:
            return self.render_to_response(
                self.get_context_data(problem=refused.message, **context)
            )
        return self.done(_("Your badge is saved."))


@method_decorator(never_cache, name="dispatch")
class CertificateVerifyView(EventPageMixin, TemplateView):
    """Confirm a certificate's code, showing no more than the name and the event."""

    template_name = "public/certificate_verify.html"
    cache_seconds = 0

    def get_context_data(self, **kwargs):
        typed = (self.request.GET.get("code") or "")[:40]
        code = services.normalise_code(typed)
        certificate = queries.certificate_by_code(code)
        if certificate is not None and certificate.event_id != self.event.pk:
            certificate = None
        kwargs.update(typed=typed, asked=bool(typed), certificate=certificate)
        return super().get_context_data(**kwargs)
