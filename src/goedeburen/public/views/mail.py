"""Mail on the event site: the contact form, the unsubscribe link, and the participant's
files (personal calendar, the publication) behind the signed link in their mails."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from goedeburen.common.files import protected_response
from goedeburen.common.limits import over_limit
from goedeburen.events.calendar import personal_calendar
from goedeburen.mail import composing, placeholders, programme, services
from goedeburen.mail import queries as mail_queries
from goedeburen.mail.exceptions import MailError
from goedeburen.registration.models import Registration

from ..forms.contact import ContactForm
from .pages import EventPageMixin

# Messages one client address may send an hour (counted in the shared cache, per address
# the trusted proxy saw: `common.limits`), then a polite refusal.
CONTACT_MESSAGES_PER_CLIENT = "5/h"


class ContactView(EventPageMixin, TemplateView):
    """The secretariat's address and a form that mails it, with replies to the sender."""

    template_name = "public/contact.html"
    cache_seconds = 0  # the form carries a CSRF token

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=ContactForm()))

    def post(self, request, *args, **kwargs):
        form = ContactForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(
                self.get_context_data(form=form, errors=form.errors_summary())
            )
        if not form.is_spam():  # a robot is told it worked, and nothing is sent
            if over_limit(request, group="mail.contact", rate=CONTACT_MESSAGES_PER_CLIENT):
                return self.render_to_response(
                    self.get_context_data(
                        form=form,
                        problem=_(
                            "You have sent several messages already. Please try again in an "
                            "hour, or write to %(email)s."
                        )
                        % {"email": self.event.contact_email},
                    )
                )
            try:
                services.send_contact_message(
                    self.event,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    message=form.cleaned_data["message"],
                )
            except MailError as error:
                return self.render_to_response(
                    self.get_context_data(form=form, problem=error.message)
                )
        messages.success(request, _("Thank you. Your message is on its way to the secretariat."))
        return redirect("public:event.contact", event=self.event.slug)


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class UnsubscribeView(EventPageMixin, TemplateView):
    """Opt out of the event's non-essential mail from the link in such a mail.

    GET only asks (mail scanners follow links); POST opts out. A mail program's one-click
    POST (RFC 8058: `List-Unsubscribe=One-Click`, without cookies) works too: the view is
    exempt from the CSRF check, the signed token in the address is what it trusts.
    """

    template_name = "public/mail/unsubscribe.html"
    cache_seconds = 0

    def address(self) -> str:
        try:
            return services.address_from_unsubscribe_token(self.event, self.kwargs["token"])
        except MailError as error:
            raise Http404 from error

    def get(self, request, *args, **kwargs):
        email = self.address()
        return self.render_to_response(
            self.get_context_data(email=email, done=mail_queries.is_opted_out(self.event, email))
        )

    def post(self, request, *args, **kwargs):
        email = self.address()
        services.set_opt_out(self.event, email=email, opted_out=request.POST.get("opt_in") != "1")
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=204)  # a mail program: no page to show
        return redirect(request.path)


class _ParticipantMixin:
    """Load the registration a signed participant link (`placeholders.participant_token`) names."""

    def registration(self) -> Registration:
        found = placeholders.registration_for_participant(self.event, self.kwargs["token"])
        if found is None:
            raise Http404
        return found


@method_decorator(never_cache, name="dispatch")
class ParticipantCalendarView(_ParticipantMixin, EventPageMixin, View):
    """The participant's calendar file: the event and, once assigned, their own sessions."""

    cache_seconds = 0

    def get(self, request, *args, **kwargs):
        registration = self.registration()
        with translation.override(registration.language):
            content = personal_calendar(
                self.event,
                programme.entries_for(registration),
                owner=registration.code,
                name=registration.booker_name,
            )
        response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
        filename = f"{self.event.slug}-{registration.code}.ics"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@method_decorator(never_cache, name="dispatch")
class AttendeeCalendarView(EventPageMixin, View):
    """One attendee's own calendar file (the link in the mail to a colleague who goes
    instead of someone): the event and that attendee's sessions. Not found once someone
    else goes instead or the attendee or registration is cancelled."""

    cache_seconds = 0

    def get(self, request, *args, **kwargs):
        attendee = placeholders.attendee_for_calendar(self.event, self.kwargs["token"])
        if attendee is None:
            raise Http404
        with translation.override(attendee.registration.language):
            content = composing.attendee_calendar(attendee)
        response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.event.slug}.ics"'
        return response


@method_decorator(never_cache, name="dispatch")
class ParticipantPublicationView(_ParticipantMixin, EventPageMixin, View):
    """The publication, for a participant whose ticket includes it, after the event."""

    cache_seconds = 0

    def get(self, request, *args, **kwargs):
        registration = self.registration()
        if not mail_queries.gets_publication(registration):
            raise Http404
        publication = mail_queries.mail_settings(self.event).publication
        if not publication:
            raise Http404
        return protected_response(
            publication, filename=f"{self.event.slug}.pdf", content_type="application/pdf"
        )
