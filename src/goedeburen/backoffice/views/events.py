"""The event itself: create, overview with status and history, edit details."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, TemplateView, UpdateView

from goedeburen.backoffice.dashboard import dashboard
from goedeburen.backoffice.dashboard import render as dashboard_render
from goedeburen.backoffice.forms.events import EventForm, EventStatusForm
from goedeburen.backoffice.permissions import EventPermissionMixin, OrganiserPermissionMixin
from goedeburen.backoffice.views.base import SentOnceMixin
from goedeburen.backoffice.views.confirm import ConfirmFirstMixin
from goedeburen.common.audit import history
from goedeburen.common.logtypes import describe
from goedeburen.events import queries as event_queries
from goedeburen.events import services
from goedeburen.events.exceptions import EventError
from goedeburen.events.models import EventStatus
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration

HISTORY_LENGTH = 50
# The usual next step from each status; its button is the primary one.
_NEXT_STATUS = {
    EventStatus.DRAFT: EventStatus.PUBLISHED,
    EventStatus.PUBLISHED: EventStatus.REGISTRATION_OPEN,
    EventStatus.REGISTRATION_OPEN: EventStatus.CLOSED,
    EventStatus.CLOSED: EventStatus.ARCHIVED,
}


# What each move does to visitors and to those registered, said before it is done.
_STATUS_CONSEQUENCES = {
    EventStatus.DRAFT: gettext_lazy(
        "The event's pages go offline: visitors can no longer see them or register."
    ),
    EventStatus.PUBLISHED: gettext_lazy(
        "Visitors see the event's pages; nobody can register until registration is opened."
    ),
    EventStatus.REGISTRATION_OPEN: gettext_lazy(
        "Anyone can register from now on, until the places are gone or registration closes."
    ),
    EventStatus.CLOSED: gettext_lazy(
        "Nobody can register any more; those registered keep their places."
    ),
    EventStatus.ARCHIVED: gettext_lazy(
        "The event is archived: it stays visible, and nobody can register any more."
    ),
}


def _transition_label(current: str, target: str) -> str:
    if target == EventStatus.PUBLISHED and current == EventStatus.DRAFT:
        return _("Publish")
    return {
        EventStatus.DRAFT: _("Unpublish (back to draft)"),
        EventStatus.PUBLISHED: _("Stop registration for now (back to published)"),
        EventStatus.REGISTRATION_OPEN: _("Open registration"),
        EventStatus.CLOSED: _("Close registration"),
        EventStatus.ARCHIVED: _("Archive"),
    }[target]


class EventCreateView(SentOnceMixin, OrganiserPermissionMixin, CreateView):
    """A new draft event for the organiser in the URL; its creator becomes an owner."""

    form_class = EventForm
    template_name = "backoffice/event_create.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(event=None, organiser=self.organiser)
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.update(
            title=_("New event for %(organiser)s") % {"organiser": self.organiser},
            list_url=reverse("backoffice:dashboard"),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        event = form.save(commit=False)

        def create() -> str:
            services.create_event(organiser=self.organiser, by=self.request.user, event=event)
            return reverse("backoffice:event.detail", kwargs={"event": event.slug})

        try:
            address, before = self.make(create)
        except ValidationError as error:
            form.add_model_errors(error)
            return self.form_invalid(form)
        if not before:
            messages.success(
                self.request, _("Event “%(event)s” created as a draft.") % {"event": event}
            )
        return redirect(address)

    def fallback_address(self) -> str:
        return reverse("backoffice:dashboard")


class _EventOverviewMixin:
    """The event's first screen: key facts, status changes, the dashboard and its history."""

    template_name = "backoffice/event_detail.html"

    def get_context_data(self, **kwargs):
        event = self.event
        user = self.request.user
        can_publish = user.has_perm("events.publish_event", event)
        transitions = []
        if can_publish:
            transitions = [
                (
                    status.value,
                    _transition_label(event.status, status),
                    status == _NEXT_STATUS.get(event.status),
                )
                for status in services.allowed_transitions(event)
            ]
        entries = list(history(event)[:HISTORY_LENGTH])
        parts = event_queries.part_counts(event)
        figures = dashboard(event, user=user, now=timezone.now())
        kwargs.update(
            section="overview",
            can_change=user.has_perm("events.change_event", event),
            transitions=transitions,
            history=[(entry, describe(entry)) for entry in entries],
            dashboard=figures,
            dashboard_html=dashboard_render(figures),
            counts=[
                (_("Partners"), parts.partners, "partner.list"),
                (_("Programme items"), parts.items, "item.list"),
                (_("Rounds"), parts.rounds, "round.list"),
                (_("Sessions"), parts.sessions, "session.list"),
                (_("Speakers"), parts.speakers, "speaker.list"),
                (_("Projects"), parts.projects, "project.list"),
            ],
        )
        return super().get_context_data(**kwargs)


class EventDetailView(EventPermissionMixin, _EventOverviewMixin, TemplateView):
    permission_required = "events.view_event"


class EventStatusView(EventPermissionMixin, ConfirmFirstMixin, _EventOverviewMixin, TemplateView):
    """Publish, unpublish, open or close registration: POST only, asked first, then back to
    the overview (a refusal shows there)."""

    permission_required = "events.publish_event"
    http_method_names = ["post"]
    confirm_button = gettext_lazy("Yes, change the status")

    def needs_confirmation(self, request) -> bool:
        # A status not offered is refused at once: there is nothing to ask about.
        return request.POST.get("status") in services.allowed_transitions(self.event)

    def confirmation_text(self, request) -> str:
        target = EventStatus(request.POST["status"])
        return _("%(action)s: %(consequence)s") % {
            "action": _transition_label(self.event.status, target),
            "consequence": _STATUS_CONSEQUENCES[target],
        }

    def post(self, request, *args, **kwargs):
        form = EventStatusForm(request.POST)
        if not form.is_valid():
            return self._refused(_("Choose one of the statuses offered."))
        try:
            event = services.change_event_status(
                self.event, status=form.cleaned_data["status"], by=request.user
            )
        except EventError as error:
            return self._refused(error.message)
        messages.success(
            request,
            _("The event’s status is now “%(status)s”.") % {"status": event.get_status_display()},
        )
        return redirect("backoffice:event.detail", event=event.slug)

    def _refused(self, message):
        return self.render_to_response(self.get_context_data(status_error=message))


class EventUpdateView(EventPermissionMixin, UpdateView):
    """The event's details, texts in Dutch and English side by side."""

    form_class = EventForm
    template_name = "backoffice/part_form.html"
    context_object_name = "edited"  # `event` is the stored event (see EventPermissionMixin)

    def get_object(self, queryset=None):
        # A copy of `self.event`: the form changes its instance while validating, and the
        # page around the form should keep showing the event as stored.
        return type(self.event).objects.get(pk=self.event.pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(event=self.event, organiser=self.event.organiser)
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.update(
            section="details",
            title=_("Event details"),
            list_url=reverse("backoffice:event.detail", kwargs={"event": self.event.slug}),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        event = form.save(commit=False)
        moved = {"date", "start_time", "end_time"} & set(form.changed_data)
        registered = (
            Registration.objects.filter(event=self.event)
            .exclude(status=RegistrationStatus.CANCELLED)
            .count()
            if moved
            else 0
        )
        if registered and self.request.POST.get("confirm") != "yes":
            # People hold the old date: ask first, and offer to tell them.
            return self.render_to_response(
                self.get_context_data(form=form, confirm_move=registered)
            )
        try:
            services.save_event_part(event, event=event, by=self.request.user)
        except ValidationError as error:
            form.add_model_errors(error)
            return self.form_invalid(form)
        messages.success(self.request, _("Event details saved."))
        if registered and self.request.POST.get("mailing") == "yes":
            return redirect("backoffice:mailing.create", event=event.slug)
        return redirect("backoffice:event.detail", event=event.slug)
