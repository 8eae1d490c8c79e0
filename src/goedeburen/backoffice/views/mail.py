"""The mail screens: the outbox (retry or cancel a mail), the organiser's mail texts,
bulk mailings, and the mail settings with the publication."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView, TemplateView

from goedeburen.backoffice.forms.mail import (
    MailingForm,
    MailSettingsForm,
    MailTemplateForm,
    PublicationForm,
)
from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.backoffice.views.base import SentOnceMixin
from goedeburen.backoffice.views.confirm import ConfirmFirstMixin
from goedeburen.mail import composing, placeholders, queries, services
from goedeburen.mail.enums import (
    EDITABLE_KINDS,
    NON_ESSENTIAL_KINDS,
    MailingState,
    MailKind,
    MailState,
)
from goedeburen.mail.exceptions import MailError
from goedeburen.mail.models import Mailing, OutgoingMail
from goedeburen.registration import queries as registration_queries
from goedeburen.registration.models import Registration


def _list_url(event, state: str) -> str:
    url = reverse("backoffice:mail.list", kwargs={"event": event.slug})
    return f"{url}?{urlencode({'state': state})}" if state in MailState.values else url


class MailListView(EventPermissionMixin, ListView):
    """The outbox, newest first, filtered by state with `?state=failed`."""

    permission_required = "events.change_event"
    template_name = "backoffice/mail/list.html"
    paginate_by = 50

    def get_queryset(self):
        return queries.outbox(self.event, state=self.request.GET.get("state", ""))

    def get_context_data(self, **kwargs):
        state = self.request.GET.get("state", "")
        kwargs.update(
            section="mail",
            state=state if state in MailState.values else "",
            states=MailState.choices,
            retryable=[MailState.FAILED, MailState.CANCELLED],
            cancellable=[MailState.QUEUED, MailState.FAILED],
        )
        return super().get_context_data(**kwargs)


class MailActionView(EventPermissionMixin, ConfirmFirstMixin, View):
    """Apply `action` (a service) to one mail of the event, then go back to the list."""

    def needs_confirmation(self, request) -> bool:
        return bool(self.confirm_text)

    def check_target(self) -> None:
        get_object_or_404(OutgoingMail, pk=self.kwargs["pk"], event=self.event)

    permission_required = "events.change_event"
    http_method_names = ["post"]
    action = None
    done_message = ""

    def post(self, request, *args, **kwargs):
        mail = get_object_or_404(OutgoingMail, pk=kwargs["pk"], event=self.event)
        try:
            self.action(mail, by=request.user)
        except MailError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, self.done_message % {"recipient": mail.recipient})
        return HttpResponseRedirect(_list_url(self.event, request.POST.get("state", "")))


class MailRetryView(MailActionView):
    action = staticmethod(services.retry_mail)
    done_message = _("The mail to %(recipient)s is queued again.")


class MailCancelView(MailActionView):
    confirm_title = _("Cancel this mail?")
    confirm_text = _("The mail will not be sent; this cannot be undone.")
    confirm_button = _("Cancel the mail")
    action = staticmethod(services.cancel_mail)
    done_message = _("The mail to %(recipient)s is cancelled.")


# The organiser's mail texts -------------------------------------------------------------


def _languages():
    return [code for code, _name in settings.LANGUAGES]


class MailTemplateListView(EventPermissionMixin, TemplateView):
    """Every kind of mail in each language: the default text or the organiser's own."""

    permission_required = "events.change_event"
    template_name = "backoffice/mail/template_list.html"

    def get_context_data(self, **kwargs):
        own = queries.templates(self.event)
        rows = [
            (
                kind,
                [(language, own.get((kind.value, language))) for language in _languages()],
            )
            for kind in EDITABLE_KINDS
        ]
        kwargs.update(section="mail_templates", rows=rows)
        return super().get_context_data(**kwargs)


class MailTemplateEditView(EventPermissionMixin, ConfirmFirstMixin, TemplateView):
    """Edit one kind of mail in one language, preview it with a real registration, send a
    test to oneself, or go back to the default."""

    permission_required = "events.change_event"
    template_name = "backoffice/mail/template_form.html"
    confirm_title = _("Back to the default text?")
    confirm_text = _("Your own text for this mail is deleted; the default text is used again.")
    confirm_button = _("Back to the default text")

    def needs_confirmation(self, request) -> bool:
        return request.POST.get("action") == "reset"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in EDITABLE_KINDS or kwargs["language"] not in _languages():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def kind(self) -> str:
        return self.kwargs["kind"]

    @property
    def language(self) -> str:
        return self.kwargs["language"]

    def get(self, request, *args, **kwargs):
        template = queries.template_for(self.event, kind=self.kind, language=self.language)
        if template is not None:
            initial = {"subject": template.subject, "body": template.body}
        else:
            subject, body = composing.starter_text(self.kind, language=self.language)
            initial = {"subject": subject, "body": body}
        form = MailTemplateForm(initial=initial, event=self.event)
        return self.render_to_response(self.get_context_data(form=form, own=template))

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "preview")
        if action == "reset":
            services.reset_mail_template(
                self.event, kind=self.kind, language=self.language, by=request.user
            )
            messages.success(request, _("The mail is back to the default text."))
            return HttpResponseRedirect(request.path)
        form = MailTemplateForm(request.POST, event=self.event)
        context = {"form": form}
        if form.is_valid():
            data = form.cleaned_data
            registration = data["registration"] or self._any_registration()
            try:
                if action == "save":
                    services.save_mail_template(
                        self.event,
                        kind=self.kind,
                        language=self.language,
                        subject=data["subject"],
                        body=data["body"],
                        by=request.user,
                    )
                    messages.success(request, _("The mail text is saved."))
                    return HttpResponseRedirect(request.path)
                if registration is None:
                    raise MailError(
                        _("There is no registration yet to preview or test the mail with."),
                        code="no_registration",
                    )
                if action == "test":
                    services.send_test_mail(
                        self.event,
                        kind=self.kind,
                        language=self.language,
                        registration=registration,
                        to=request.user.email,
                        subject=data["subject"],
                        body=data["body"],
                        by=request.user,
                    )
                    messages.success(
                        request,
                        _("A test mail is on its way to %(email)s.")
                        % {"email": request.user.email},
                    )
                context["preview"] = self._preview(registration, data)
            except MailError as error:
                form.add_error(None, error.message)
        own = queries.template_for(self.event, kind=self.kind, language=self.language)
        return self.render_to_response(self.get_context_data(own=own, **context))

    def _any_registration(self):
        return Registration.objects.filter(event=self.event).order_by("-created").first()

    def _preview(self, registration, data):
        with translation.override(self.language):
            return composing.compose_text(
                self.event,
                kind=self.kind,
                language=self.language,
                registration=registration_queries.registration_detail(registration.pk),
                subject=data["subject"],
                body=data["body"],
                essential=self.kind not in NON_ESSENTIAL_KINDS,
            )

    def get_context_data(self, **kwargs):
        kwargs.update(
            section="mail_templates",
            kind_label=MailKind(self.kind).label,
            language=self.language,
            placeholder_rows=placeholders.help_rows(),
        )
        return super().get_context_data(**kwargs)


# Bulk mailings ----------------------------------------------------------------------------


class MailingListView(EventPermissionMixin, ListView):
    permission_required = "events.change_event"
    template_name = "backoffice/mail/mailing_list.html"
    paginate_by = 50

    def get_queryset(self):
        return queries.mailings(self.event)

    def get_context_data(self, **kwargs):
        kwargs["section"] = "mailings"
        return super().get_context_data(**kwargs)


class MailingFormView(SentOnceMixin, EventPermissionMixin, TemplateView):
    """Write a new mailing or change a draft; then go to its page to count, test and send."""

    permission_required = "events.change_event"
    template_name = "backoffice/mail/mailing_form.html"

    def get_mailing(self):
        if "pk" not in self.kwargs:
            return Mailing(event=self.event, filters={"status": ["confirmed"]})
        mailing = get_object_or_404(Mailing, pk=self.kwargs["pk"], event=self.event)
        if mailing.state != MailingState.DRAFT:
            raise Http404
        return mailing

    def get(self, request, *args, **kwargs):
        form = MailingForm(instance=self.get_mailing(), event=self.event)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        if "pk" not in self.kwargs and (answer := self.sent_before()):
            return answer
        form = MailingForm(request.POST, instance=self.get_mailing(), event=self.event)
        if form.is_valid():
            mailing = form.save(commit=False)

            def save() -> str:
                services.save_mailing(mailing, event=self.event, by=request.user)
                return reverse(
                    "backoffice:mailing.detail",
                    kwargs={"event": self.event.slug, "pk": mailing.pk},
                )

            try:
                # A new draft is made once however often its form is sent; a draft's
                # changes sent again only save the same text again.
                address, _before = self.make(save) if mailing.pk is None else (save(), False)
            except MailError as error:
                form.add_error(None, error.message)
            else:
                return HttpResponseRedirect(address)
        return self.render_to_response(self.get_context_data(form=form))

    def fallback_address(self) -> str:
        return reverse("backoffice:mailing.list", kwargs={"event": self.event.slug})

    def get_context_data(self, **kwargs):
        kwargs.update(
            section="mailings",
            placeholder_rows=placeholders.help_rows(),
            list_url=reverse("backoffice:mailing.list", kwargs={"event": self.event.slug}),
        )
        return super().get_context_data(**kwargs)


# The addresses a draft mailing shows (its count says how many in all).
RECIPIENTS_SHOWN = 500


class MailingDetailView(EventPermissionMixin, ConfirmFirstMixin, TemplateView):
    """A mailing: who it goes to (count), a preview, a test, the start, and its progress."""

    permission_required = "events.change_event"
    template_name = "backoffice/mail/mailing_detail.html"
    confirm_title = _("Send the mailing now?")
    confirm_text = _(
        "The mailing goes to all its recipients at once; a mail sent cannot be taken back."
    )
    confirm_button = _("Send the mailing")

    def needs_confirmation(self, request) -> bool:
        return request.POST.get("action") == "start"

    def check_target(self) -> None:
        self.get_mailing()

    def get_mailing(self) -> Mailing:
        return get_object_or_404(Mailing, pk=self.kwargs["pk"], event=self.event)

    def get_context_data(self, **kwargs):
        mailing = self.get_mailing()
        kwargs.update(section="mailings", mailing=mailing)
        if mailing.state == MailingState.DRAFT:
            recipients, skipped = services.audience(mailing)
            kwargs.update(
                count=len(recipients),
                skipped=skipped,
                recipients=[r.email for r in recipients[:RECIPIENTS_SHOWN]],
            )
            if recipients:
                first = recipients[0]
                registration = registration_queries.registration_detail(first.registration_id)
                with translation.override(first.language):
                    kwargs["preview"] = composing.compose_text(
                        self.event,
                        kind=MailKind.MAILING,
                        language=first.language,
                        registration=registration,
                        attendee=next(
                            (a for a in registration.attendees.all() if a.pk == first.attendee_id),
                            None,
                        ),
                        recipient=first.email,
                        mailing=mailing,
                        essential=mailing.essential,
                    )
        else:
            progress = queries.mailing_progress(mailing)
            kwargs.update(
                progress=progress,
                # Refresh the page (no script: the CSP forbids inline code) while mails are
                # still being written or on their way.
                refresh=mailing.queued_at is None
                or progress[MailState.QUEUED] + progress[MailState.SENDING] > 0,
            )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        mailing = self.get_mailing()
        action = request.POST.get("action")
        try:
            if action == "test":
                services.send_mailing_test(mailing, to=request.user.email, by=request.user)
                messages.success(
                    request,
                    _("A test mail is on its way to %(email)s.") % {"email": request.user.email},
                )
            elif action == "start":
                services.start_mailing(mailing, by=request.user)
                messages.success(request, _("The mailing is being sent."))
        except MailError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(request.path)


class MailingDeleteView(EventPermissionMixin, ConfirmFirstMixin, View):
    """Delete a draft mailing, after its confirm page."""

    permission_required = "events.change_event"
    http_method_names = ["post"]
    confirm_title = _("Delete this draft mailing?")
    confirm_text = _("The draft is deleted; nothing has been sent of it.")
    confirm_button = _("Delete")

    def check_target(self) -> None:
        get_object_or_404(Mailing, pk=self.kwargs["pk"], event=self.event)

    def post(self, request, *args, **kwargs):
        mailing = get_object_or_404(Mailing, pk=self.kwargs["pk"], event=self.event)
        try:
            services.delete_mailing(mailing, by=request.user)
        except MailError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(
                reverse("backoffice:mailing.detail", args=[self.event.slug, mailing.pk])
            )
        messages.success(request, _("The draft mailing is deleted."))
        return HttpResponseRedirect(reverse("backoffice:mailing.list", args=[self.event.slug]))


# Settings and the publication -------------------------------------------------------------


class MailSettingsView(EventPermissionMixin, TemplateView):
    """When the scheduled mails go, the evaluation link, and the publication."""

    permission_required = "events.change_event"
    template_name = "backoffice/mail/settings.html"

    def forms(self, data=None, files=None):
        current = queries.mail_settings(self.event)
        upload = data is not None and "publication" in (files or {})
        settings_form = MailSettingsForm(
            None if upload else data, instance=current, event=self.event
        )
        publication_form = PublicationForm(data if upload else None, files if upload else None)
        return current, settings_form, publication_form

    def get(self, request, *args, **kwargs):
        current, settings_form, publication_form = self.forms()
        return self.render_to_response(
            self.get_context_data(
                current=current, form=settings_form, publication_form=publication_form
            )
        )

    def post(self, request, *args, **kwargs):
        current, settings_form, publication_form = self.forms(request.POST, request.FILES)
        if publication_form.is_bound:
            if publication_form.is_valid():
                try:
                    services.upload_publication(
                        self.event,
                        upload=publication_form.cleaned_data["publication"],
                        by=request.user,
                    )
                except MailError as error:
                    publication_form.add_error("publication", error.message)
                else:
                    messages.success(request, _("The publication is uploaded."))
                    return HttpResponseRedirect(request.path)
        elif settings_form.is_valid():
            services.save_mail_settings(
                settings_form.save(commit=False),
                event=self.event,
                by=request.user,
                save_related=settings_form.save_m2m,
            )
            messages.success(request, _("The mail settings are saved."))
            return HttpResponseRedirect(request.path)
        return self.render_to_response(
            self.get_context_data(
                current=current, form=settings_form, publication_form=publication_form
            )
        )

    def get_context_data(self, **kwargs):
        kwargs["section"] = "mail_settings"
        return super().get_context_data(**kwargs)
