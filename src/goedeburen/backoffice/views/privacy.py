"""The organiser's privacy screens: retention periods and the statement, erasure requests,
and erasing a registration (on request, by phone too) after a dry-run preview."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from goedeburen.privacy import queries, services, statement
from goedeburen.privacy.enums import RequestSource
from goedeburen.privacy.exceptions import PrivacyError
from goedeburen.privacy.models import ErasureRequest
from goedeburen.registration.models import Registration

from ..forms.privacy import PrivacySettingsForm, StatementForm
from ..permissions import EventPermissionMixin
from .base import UNKNOWN_FORM
from .confirm import ConfirmFirstMixin


class PrivacySettingsView(EventPermissionMixin, TemplateView):
    """Retention periods and the privacy statement (each save is a new version)."""

    permission_required = "privacy.manage_privacy"
    template_name = "backoffice/privacy/settings.html"

    def forms(self, data=None):
        which = (data or {}).get("form")
        settings_form = PrivacySettingsForm(
            data if which == "settings" else None,
            instance=queries.privacy_settings(self.event),
            event=self.event,
        )
        latest = queries.latest_statement(self.event)
        if latest is None:
            with translation.override("nl"):
                nl = statement.default_text()
            with translation.override("en"):
                en = statement.default_text()
            initial = {"text_nl": nl, "text_en": en}
        else:
            initial = {"text_nl": latest.text_nl, "text_en": latest.text_en}
        statement_form = StatementForm(data if which == "statement" else None, initial=initial)
        return settings_form, statement_form

    def get(self, request, *args, **kwargs):
        settings_form, statement_form = self.forms()
        return self.render_to_response(
            self.get_context_data(form=settings_form, statement_form=statement_form)
        )

    def post(self, request, *args, **kwargs):
        settings_form, statement_form = self.forms(request.POST)
        if not (settings_form.is_bound or statement_form.is_bound):
            messages.error(request, UNKNOWN_FORM)
            return HttpResponseRedirect(request.path)
        if settings_form.is_bound and settings_form.is_valid():
            services.save_privacy_settings(
                settings_form.save(commit=False), event=self.event, by=request.user
            )
            messages.success(request, _("The retention periods are saved."))
            return HttpResponseRedirect(request.path)
        if statement_form.is_bound and statement_form.is_valid():
            saved = services.save_statement(
                self.event,
                text_nl=statement_form.cleaned_data["text_nl"],
                text_en=statement_form.cleaned_data["text_en"],
                by=request.user,
            )
            messages.success(
                request,
                _("The privacy statement is saved as version %(v)s.") % {"v": saved.version},
            )
            return HttpResponseRedirect(request.path)
        return self.render_to_response(
            self.get_context_data(form=settings_form, statement_form=statement_form)
        )

    def get_context_data(self, **kwargs):
        kwargs.update(
            section="privacy",
            placeholders=[(f"{{{{ {k} }}}}", v) for k, v in statement.PLACEHOLDERS.items()],
            current=statement.current(self.event),
            list_url="",
        )
        return super().get_context_data(**kwargs)


class ErasureRequestListView(EventPermissionMixin, ConfirmFirstMixin, TemplateView):
    """Every erasure request of the event, open ones first; close one without erasing
    (asked first)."""

    permission_required = "privacy.erase_registration"
    template_name = "backoffice/privacy/requests.html"
    confirm_title = gettext_lazy("Close this request without erasing?")
    confirm_text = gettext_lazy(
        "The request is closed for good and the personal data stays. Do this only for a "
        "duplicate or a request that may be refused."
    )
    confirm_button = gettext_lazy("Close without erasing")

    def needs_confirmation(self, request) -> bool:
        # Another event's request or a wrong id is refused at once, without asking.
        return self.event_request(request) is not None

    def event_request(self, request) -> ErasureRequest | None:
        pk = request.POST.get("request", "")
        return ErasureRequest.objects.filter(
            event=self.event, pk=int(pk) if pk.isdecimal() else 0
        ).first()

    def get_context_data(self, **kwargs):
        kwargs.update(
            section="privacy_requests", requests=list(queries.erasure_requests(self.event))
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        found = self.event_request(request)
        if found is None:
            messages.error(request, _("That request is not one of this event's."))
            return HttpResponseRedirect(request.path)
        try:
            services.refuse_request(found, by=request.user)
        except PrivacyError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The request is closed without erasing."))
        return HttpResponseRedirect(request.path)


class EraseRegistrationView(EventPermissionMixin, TemplateView):
    """The dry-run preview of erasing one registration, and the erasure on confirmation."""

    permission_required = "privacy.erase_registration"
    template_name = "backoffice/privacy/erase.html"

    def registration(self) -> Registration:
        return get_object_or_404(Registration, event=self.event, code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        registration = kwargs.get("registration") or self.registration()
        kwargs.update(
            section="privacy_requests",
            registration=registration,
            preview=services.preview_erasure(registration),
            request_open=queries.open_request(registration),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        registration = self.registration()
        if request.POST.get("confirm") != "1":
            return self.render_to_response(
                self.get_context_data(
                    registration=registration,
                    problem=_("Tick the box to confirm that the data may be erased."),
                )
            )
        try:
            if queries.open_request(registration) is None:
                services.ask_erasure(registration, source=RequestSource.STAFF, by=request.user)
            services.erase_registration(registration, by=request.user)
        except PrivacyError as refused:
            return self.render_to_response(
                self.get_context_data(registration=registration, problem=refused.message)
            )
        messages.success(
            request, _("The personal data of %(code)s is erased.") % {"code": registration.code}
        )
        return HttpResponseRedirect(
            reverse("backoffice:privacy.requests", kwargs={"event": self.event.slug})
        )
