"""The assignment screens: rules, runs, pins, hosts, session lists (one run: `assignment_run`)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.events.models import Role, Session
from goedeburen.matching import queries, services
from goedeburen.matching.exceptions import MatchingError
from goedeburen.matching.models import Pin, SessionHost

from ..forms.assignment import MatchingSettingsForm, PinForm, SessionHostForm


def _list_url(event) -> str:
    return reverse("backoffice:assignment.list", kwargs={"event": event.slug})


def _run_url(run) -> str:
    return reverse("backoffice:assignment.detail", kwargs={"event": run.event.slug, "pk": run.pk})


class AssignmentMixin(EventPermissionMixin):
    permission_required = "matching.run_assignment"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("section", "assignment")
        return super().get_context_data(**kwargs)

    def pin_form(self, data=None) -> PinForm:
        return PinForm(
            data,
            prefix="pin",
            attendees=queries.participants(self.event),
            sessions=Session.objects.filter(round__event=self.event).select_related("round"),
        )

    def host_form(self, data=None) -> SessionHostForm:
        hosts = (
            get_user_model()
            .objects.filter(
                Q(memberships__event=self.event) | Q(memberships__event__isnull=True),
                memberships__organiser=self.event.organiser,
                memberships__role=Role.HOST,
            )
            .distinct()
            .order_by("username")
        )
        return SessionHostForm(
            data,
            prefix="host",
            hosts=hosts,
            sessions=Session.objects.filter(round__event=self.event).select_related("round"),
        )


class SessionHostView(AssignmentMixin, View):
    """Link a host's login to a session (POST "user" and "session"), or unlink ("remove")."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if "remove" in request.POST:
            host = get_object_or_404(
                SessionHost.objects.select_related("session__round__event", "user"),
                pk=_int_or_none(request.POST["remove"]),
                session__round__event=self.event,
            )
            services.unlink_session_host(host, by=request.user)
            messages.success(request, _("%(name)s no longer sees that list.") % {"name": host.user})
            return HttpResponseRedirect(_list_url(self.event))
        form = self.host_form(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a host and a session."))
            return HttpResponseRedirect(_list_url(self.event))
        session = get_object_or_404(
            Session.objects.select_related("round__event__organiser"),
            pk=form.cleaned_data["session"],
            round__event=self.event,
        )
        user = get_object_or_404(get_user_model(), pk=form.cleaned_data["user"])
        try:
            services.link_session_host(session, user=user, by=request.user)
        except MatchingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s now sees the list of %(session)s.")
                % {"name": user.get_full_name() or user.get_username(), "session": session.t.title},
            )
        return HttpResponseRedirect(_list_url(self.event))


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AssignmentListView(AssignmentMixin, TemplateView):
    """The runs of the event, newest first, the rules in short, pinned hosts and speakers."""

    template_name = "backoffice/assignment/list.html"

    def get_context_data(self, **kwargs):
        kwargs.update(
            runs=queries.runs(self.event)[:50],
            settings=queries.matching_settings(self.event),
            participants=queries.participants(self.event).count(),
            pins=Pin.objects.filter(attendee__registration__event=self.event).select_related(
                "attendee", "session__round"
            ),
        )
        kwargs.setdefault("pin_form", self.pin_form())
        kwargs["host_form"] = self.host_form()
        kwargs["session_hosts"] = SessionHost.objects.filter(
            session__round__event=self.event
        ).select_related("user", "session__round")
        return super().get_context_data(**kwargs)


class StartRunView(AssignmentMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            run = services.start_run(self.event, by=request.user)
        except MatchingError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(_list_url(self.event))
        return HttpResponseRedirect(_run_url(run))


class PinView(AssignmentMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = self.pin_form(request.POST)
        if form.is_valid():
            attendee = get_object_or_404(
                queries.participants(self.event), pk=form.cleaned_data["attendee"]
            )
            session = get_object_or_404(
                Session.objects.select_related("round"),
                pk=form.cleaned_data["session"],
                round__event=self.event,
            )
            try:
                services.pin_attendee(attendee, session=session, by=request.user)
            except MatchingError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("%(name)s is pinned to %(session)s.")
                    % {"name": attendee.full_name, "session": session.t.title},
                )
        else:
            messages.error(request, _("Choose a participant and a session."))
        return HttpResponseRedirect(_list_url(self.event))


class RulesView(AssignmentMixin, TemplateView):
    template_name = "backoffice/assignment/rules.html"

    def form(self, data=None):
        return MatchingSettingsForm(data, instance=queries.matching_settings(self.event))

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.form()))

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        services.save_matching_settings(form.save(commit=False), by=request.user)
        messages.success(request, _("The assignment rules are saved."))
        return HttpResponseRedirect(_list_url(self.event))


class SessionListsView(EventPermissionMixin, TemplateView):
    """The published participant list of each session: all for organisers, own for hosts."""

    permission_required = "matching.view_session_lists"
    template_name = "backoffice/assignment/lists.html"

    def get_context_data(self, **kwargs):
        run = queries.published_run(self.event)
        sessions = Session.objects.filter(round__event=self.event).select_related("round", "room")
        if not self.request.user.has_perm("matching.view_all_session_lists", self.event):
            own = SessionHost.objects.filter(user=self.request.user).values("session_id")
            sessions = sessions.filter(pk__in=own)
        sessions = list(sessions.order_by("round__start", "order", "pk"))
        lists = queries.session_lists(run, session_ids=[s.pk for s in sessions]) if run else {}
        kwargs.update(
            section="lists",
            run=run,
            sessions=[(s, lists.get(s.pk, [])) for s in sessions],
        )
        return super().get_context_data(**kwargs)
