"""The privacy part of the booker's own page: consents, a copy of their data, erasure.

Behind the secret manage link like every page of the registration (`ManageMixin`); the
privacy statement of the event is public.
"""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from goedeburen.privacy import queries, services, statement
from goedeburen.privacy.enums import ConsentKind
from goedeburen.privacy.exceptions import PrivacyError
from goedeburen.privacy.services import export

from .manage import ManageMixin
from .pages import EventPageMixin

WITHDRAWABLE = (ConsentKind.SPECIAL_CATEGORIES, ConsentKind.PHOTOS, ConsentKind.ATTENDEE_LIST)


class PrivacyStatementView(EventPageMixin, TemplateView):
    """The event's privacy statement: the organiser's current version or the default."""

    template_name = "public/privacy.html"
    cache_seconds = 0  # a new version of the statement shows at once

    def get_context_data(self, **kwargs):
        kwargs["statement"] = statement.current(self.event)
        return super().get_context_data(**kwargs)


class YourDataView(ManageMixin, TemplateView):
    """What the booker consented to (and may withdraw), a copy of their data, erasure."""

    template_name = "public/registration/manage/privacy.html"

    def get_context_data(self, **kwargs):
        consents = queries.current_consents(self.registration)
        attendees = list(self.registration.attendees.all())
        rows = []
        for attendee in attendees:
            for kind in WITHDRAWABLE:
                record = consents.get((attendee.pk, kind))
                rows.append((attendee, ConsentKind(kind), record))
        kwargs.update(
            consent_rows=rows,
            statement_record=consents.get((None, ConsentKind.PRIVACY_STATEMENT)),
            erasure_request=queries.open_request(self.registration),
            erased=queries.is_erased(self.registration),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if action == "withdraw":
                kind = request.POST.get("kind", "")
                attendee = self._attendee(request.POST.get("attendee", ""))
                if kind not in WITHDRAWABLE or attendee is None:
                    raise PrivacyError(_("This consent cannot be withdrawn here."), code="invalid")
                services.withdraw_consent(self.registration, kind=kind, attendee=attendee)
                return self.done(_("Your consent is withdrawn; it took effect at once."))
            if action == "erase":
                services.ask_erasure(self.registration)
                return self.done(
                    _(
                        "Your request to erase your data has reached the organisers. They "
                        "will handle it and tell you what had to be kept, and why."
                    )
                )
        except PrivacyError as refused:
            return self.render_to_response(self.get_context_data(problem=refused.message))
        return self.render_to_response(
            self.get_context_data(problem=_("That did not work; please try again.")), status=400
        )

    def _attendee(self, value: str):
        try:
            pk = int(value)
        except ValueError:
            return None
        return next((a for a in self.registration.attendees.all() if a.pk == pk), None)

    def done(self, message: str):
        response = super().done(message)
        response["Location"] = self.request.path
        return response


class ExportView(ManageMixin, TemplateView):
    """A copy of every datum about the registration, as JSON or as a PDF."""

    def get(self, request, *args, **kwargs):
        form = self.kwargs["format"]
        if form == "json":
            content, content_type = export.export_json(self.registration), "application/json"
        elif form == "pdf":
            content, content_type = export.export_pdf(self.registration), "application/pdf"
        else:
            raise Http404
        response = HttpResponse(content, content_type=content_type)
        filename = f"{self.event.slug}-{self.registration.code}.{form}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
