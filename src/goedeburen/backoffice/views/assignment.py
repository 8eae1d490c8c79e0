"""The assignment screens: rules, runs with their progress and result, move, publish, lists."""

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
from goedeburen.matching.models import AssignmentRun, Pin, RunStatus, SessionHost
from goedeburen.matching.wording import unplaced_reason
from goedeburen.registration.enums import AttendingRole
from goedeburen.registration.models import Attendee

from ..forms.assignment import MatchingSettingsForm, MoveForm, PinForm, SessionHostForm


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


class RunMixin(AssignmentMixin):
    def get_run(self) -> AssignmentRun:
        return get_object_or_404(AssignmentRun, pk=self.kwargs["pk"], event=self.event)


ROLE_LABELS = dict(AttendingRole.choices)


class RunDetailView(RunMixin, TemplateView):
    """Progress while the run goes; then its figures beside first come, first served."""

    template_name = "backoffice/assignment/detail.html"

    def get_context_data(self, **kwargs):
        run = self.get_run()
        kwargs["run"] = run
        if run.status == RunStatus.DONE:
            kwargs.update(self.result_context(run))
        return super().get_context_data(**kwargs)

    def result_context(self, run: AssignmentRun) -> dict:
        rounds = queries.rounds(self.event)
        stats, fcfs = run.stats, run.fcfs
        roles = [r for r in AttendingRole.values]
        chart = []
        for round_ in rounds:
            rows = []
            for session in round_.sessions.all():
                counts = stats.get("composition", {}).get(str(session.pk), {})
                before = fcfs.get("composition", {}).get(str(session.pk), {})
                rows.append(
                    {
                        "session": session,
                        "bars": _bars(counts, roles, session.capacity),
                        "fcfs_bars": _bars(before, roles, session.capacity),
                        "total": sum(counts.values()),
                        "fcfs_total": sum(before.values()),
                        "mix": queries.is_mix_session(session),
                    }
                )
            chart.append((round_, rows))
        attendees = list(queries.participants(self.event))
        names = {a.pk: a.full_name for a in attendees}
        return {
            "stats": stats,
            "fcfs": fcfs,
            "histogram": _histogram(
                stats.get("rank_histogram", []), fcfs.get("rank_histogram", [])
            ),
            "checks": _checks(stats.get("rule_check", {}), fcfs.get("rule_check", {})),
            "chart": chart,
            "legend": [(role, ROLE_LABELS[role]) for role in roles],
            "unassigned": [
                {
                    "name": names.get(item["attendee"], item["attendee"]),
                    "reason": unplaced_reason(
                        item.get("why"),
                        rounds={r.pk: r for r in rounds},
                        sessions={s.pk: s for r in rounds for s in r.sessions.all()},
                        fallback=item["reason"],
                    ),
                }
                for item in run.unassigned
            ],
            "move_form": MoveForm(
                prefix="move",
                attendees=attendees,
                sessions=[s for r in rounds for s in r.sessions.all()],
            ),
            "can_publish": not run.unassigned and not run.is_published,
        }


def _bars(counts: dict, roles: list[str], capacity: int) -> list[dict]:
    """Return the stacked bar of one session: x and width per role, in a 0–100 box."""
    scale = 100 / max(capacity, 1)
    x = 0.0
    bars = []
    for role in roles:
        n = counts.get(role, 0)
        if n:
            bars.append({"role": role, "label": ROLE_LABELS[role], "n": n, "x": x, "w": n * scale})
            x += n * scale
    return bars


def _histogram(solver: list[int], baseline: list[int]) -> list[dict]:
    total = sum(solver) or 1
    base_total = sum(baseline) or 1
    rows = []
    for k in range(max(len(solver), len(baseline))):
        last = k == max(len(solver), len(baseline)) - 1
        n = solver[k] if k < len(solver) else 0
        b = baseline[k] if k < len(baseline) else 0
        rows.append(
            {
                "label": _("not ranked") if last else _("choice %(n)d") % {"n": k + 1},
                "n": n,
                "pct": round(100 * n / total),
                "fcfs": b,
                "fcfs_pct": round(100 * b / base_total),
            }
        )
    return rows


def _checks(solver: dict, baseline: dict) -> list[dict]:
    labels = {
        "capacity": _("Sessions over capacity"),
        "mix": _("Sessions with too many of one role"),
        "spread": _("Rounds where a role is not spread evenly"),
        "topic": _("Participants with the same topic twice"),
        "fixed": _("Pinned participants not in their session"),
        "unplaced": _("Participants without a session"),
    }
    return [
        {"label": label, "n": solver.get(key, 0), "fcfs": baseline.get(key, 0)}
        for key, label in labels.items()
    ]


class MoveView(RunMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        run = self.get_run()
        form = MoveForm(
            request.POST,
            prefix="move",
            attendees=queries.participants(self.event),
            sessions=Session.objects.filter(round__event=self.event).select_related("round"),
        )
        if not form.is_valid():
            messages.error(request, _("Choose a participant and a session."))
            return HttpResponseRedirect(_run_url(run))
        attendee = get_object_or_404(Attendee, pk=form.cleaned_data["attendee"])
        session = get_object_or_404(
            Session.objects.select_related("round"), pk=form.cleaned_data["session"]
        )
        try:
            services.move_placement(run, attendee=attendee, session=session, by=request.user)
        except MatchingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s moved to %(session)s; the rule check is updated.")
                % {"name": attendee.full_name, "session": session.t.title},
            )
        return HttpResponseRedirect(_run_url(run))


class PublishView(RunMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        run = self.get_run()
        try:
            services.publish_run(run, by=request.user)
        except MatchingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Published: participants see their programme and get it by mail."),
            )
        return HttpResponseRedirect(_run_url(run))


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
