"""One assignment run: its result in plain words, who sits where, moving a person, publishing.

Moving and publishing each have a page that says what will happen (a full room, a broken
rule, how many mails) before the organiser confirms it with a POST; the pages work without
JavaScript.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from goedeburen.backoffice.forms.base import ConfirmationForm
from goedeburen.events.models import Session
from goedeburen.matching import moving, queries, services
from goedeburen.matching.exceptions import MatchingError
from goedeburen.matching.models import AssignmentRun, RunStatus
from goedeburen.matching.services.publishing import mails_on_publishing
from goedeburen.matching.solver.instance import Rules
from goedeburen.matching.wording import unplaced_reason
from goedeburen.registration.enums import AttendingRole

from .assignment import AssignmentMixin

ROLE_LABELS = dict(AttendingRole.choices)
ROLES = list(AttendingRole.values)


def _run_url(run) -> str:
    return reverse("backoffice:assignment.detail", kwargs={"event": run.event.slug, "pk": run.pk})


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RunMixin(AssignmentMixin):
    def get_run(self) -> AssignmentRun:
        return get_object_or_404(
            AssignmentRun.objects.select_related("event"), pk=self.kwargs["pk"], event=self.event
        )


def _percent(part: float) -> str:
    return number_format(round(100 * part), 0)


def proof_sentence(run: AssignmentRun) -> str:
    """Return what the solver proved about this placement, in one sentence."""
    stats = run.stats or {}
    moved = stats.get("moved_by_hand", 0)
    cost, bound = run.objective, run.bound
    if run.solver_status == "infeasible":
        return _("Not everyone can be placed within the rules: see who and why below.")
    if moved:
        if bound is None:
            return _("Changed by hand after the run.")
        if cost < bound:
            return _(
                "Changed by hand after the run; it now satisfies the choices better than any "
                "placement that keeps the rules can, because it breaks them."
            )
        if cost == bound:
            return _("Changed by hand after the run, and still as good as the best possible.")
        return _("Changed by hand after the run: at most %(percent)s %% better is possible.") % {
            "percent": number_format((cost - bound) / max(cost, 1) * 100, 1)
        }
    if run.solver_status == "optimal":
        return _(
            "It cannot be done better: the solver proved that no placement within the rules "
            "gives people better choices."
        )
    gap = (cost - bound) / max(cost, 1) * 100 if bound is not None else None
    if gap is None:
        return _("The time limit ended the search before anything was proven.")
    return _("The time limit ended the search: at most %(percent)s %% better is possible.") % {
        "percent": number_format(gap, 1)
    }


def plain_figures(run: AssignmentRun) -> list[tuple[str, str]]:
    """Return (question, answer) pairs an organiser can read without knowing the solver."""
    stats = run.stats or {}
    chosen = stats.get("choice_histogram") or stats.get("rank_histogram") or []
    ranked = chosen[:-1]
    placed_by_choice = sum(chosen)
    rows = []
    mean = stats.get("mean_choice")
    if mean is not None:
        rows.append(
            (_("Average choice"), _("on average choice %(n)s") % {"n": number_format(mean, 1)})
        )
    if placed_by_choice:
        rows.append(
            (
                _("First choice"),
                _("%(percent)s %% got their first choice")
                % {"percent": _percent(stats.get("first_share", 0))},
            )
        )
        rows.append(
            (
                _("First or second choice"),
                _("%(percent)s %% got one of their first two choices")
                % {"percent": _percent(stats.get("top2_share", 0))},
            )
        )
    worst = max((k + 1 for k, n in enumerate(ranked) if n), default=None)
    if worst is not None:
        rows.append((_("Lowest choice anyone got"), _("choice %(n)s") % {"n": worst}))
    unranked = chosen[-1] if chosen else 0
    rows.append(
        (
            _("Placed in a session they did not choose"),
            ngettext("%(n)s person-round", "%(n)s person-rounds", unranked) % {"n": unranked},
        )
    )
    if stats.get("pinned"):
        rows.append((_("Hosts and speakers in their own session"), str(stats["pinned"])))
    check = stats.get("rule_check", {})
    mixed = not check.get("mix") and not check.get("spread")
    rows.append(
        (_("Every conversation mixed according to the rules"), _("yes") if mixed else _("no"))
    )
    everyone = not run.unassigned and not check.get("unplaced")
    rows.append((_("Everyone has a place"), _("yes") if everyone else _("no")))
    full = check.get("capacity", 0)
    rows.append((_("No room over its capacity"), _("yes") if not full else _("no")))
    rows.append(
        (
            _("Pairs who meet again in another round"),
            _("%(n)s (first come, first served: %(fcfs)s)")
            % {"n": stats.get("repeat_pairs", 0), "fcfs": run.fcfs.get("repeat_pairs", 0)},
        )
    )
    if stats.get("moved_by_hand"):
        rows.append((_("Moved by hand"), str(stats["moved_by_hand"])))
    return rows


def _bars(counts: dict, capacity: int) -> list[dict]:
    """Return the stacked bar of one session: x and width per role, in percent of the seats."""
    scale = 100 / max(capacity, sum(counts.values()), 1)
    x = 0.0
    bars = []
    for role in ROLES:
        n = counts.get(role, 0)
        if n:
            bars.append({"role": role, "label": ROLE_LABELS[role], "n": n, "x": x, "w": n * scale})
            x += n * scale
    return bars


def _histogram(solver: list[int], baseline: list[int]) -> list[dict]:
    total = sum(solver) or 1
    base_total = sum(baseline) or 1
    length = max(len(solver), len(baseline))
    rows = []
    for k in range(length):
        n = solver[k] if k < len(solver) else 0
        b = baseline[k] if k < len(baseline) else 0
        rows.append(
            {
                "label": _("not chosen") if k == length - 1 else _("choice %(n)d") % {"n": k + 1},
                "n": n,
                "pct": round(100 * n / total),
                "fcfs": b,
                "fcfs_pct": round(100 * b / base_total),
            }
        )
    return rows


def _check_labels() -> dict[str, str]:
    return {
        "capacity": _("Sessions over capacity"),
        "mix": _("Sessions with too many of one role"),
        "spread": _("Rounds where a role is not spread evenly"),
        "topic": _("Participants with the same topic twice"),
        "fixed": _("Pinned participants not in their session"),
        "unplaced": _("Participants without a session"),
    }


def _checks(solver: dict, baseline: dict) -> list[dict]:
    return [
        {"label": label, "n": solver.get(key, 0), "fcfs": baseline.get(key, 0)}
        for key, label in _check_labels().items()
    ]


def _mix_verdict(counts: dict, rules: Rules, mixed: bool) -> str:
    if not mixed:
        return _("not a mixed session")
    total = sum(counts.values())
    limit = rules.group_limit(total)
    over = [ROLE_LABELS.get(role, role) for role, n in counts.items() if n > limit]
    if over:
        return _("too many: %(roles)s") % {"roles": ", ".join(str(r) for r in over)}
    return _("mixed according to the rules")


class RunDetailView(RunMixin, TemplateView):
    """Progress while the run goes; then its result in plain words and who sits where."""

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
        rules = Rules(max_group_share=run.rules.get("max_group_share", 0.4))
        people = queries.placements_by_session(run)
        chart = []
        for round_ in rounds:
            rows = []
            for session in round_.sessions.all():
                counts = stats.get("composition", {}).get(str(session.pk), {})
                before = fcfs.get("composition", {}).get(str(session.pk), {})
                placed = people.get(session.pk, [])
                mixed = queries.is_mix_session(session)
                rows.append(
                    {
                        "session": session,
                        "bars": _bars(counts, session.capacity),
                        "fcfs_bars": _bars(before, session.capacity),
                        "total": sum(counts.values()),
                        "fcfs_total": sum(before.values()),
                        "mix": mixed,
                        "people": [
                            {
                                "attendee": p.attendee,
                                "role": ROLE_LABELS.get(p.attendee.role, p.attendee.role),
                                "moved": p.moved_by_hand,
                            }
                            for p in placed
                        ],
                        "full": len(placed) >= session.capacity,
                        "over": len(placed) > session.capacity,
                        "verdict": _mix_verdict(counts, rules, mixed),
                    }
                )
            chart.append((round_, rows))
        names = {}
        if run.unassigned:
            names = {
                a.pk: a.full_name
                for a in queries.participants(self.event).filter(
                    pk__in=[item["attendee"] for item in run.unassigned]
                )
            }
        chosen = stats.get("choice_histogram") or stats.get("rank_histogram", [])
        fcfs_chosen = fcfs.get("choice_histogram") or fcfs.get("rank_histogram", [])
        return {
            "stats": stats,
            "fcfs": fcfs,
            "proof": proof_sentence(run),
            "figures": plain_figures(run),
            "histogram": _histogram(chosen, fcfs_chosen),
            "checks": _checks(stats.get("rule_check", {}), fcfs.get("rule_check", {})),
            "chart": chart,
            "legend": [(role, ROLE_LABELS[role]) for role in ROLES],
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
            "can_publish": not run.unassigned and not run.is_published,
            "query": self.request.GET.get("q", "")[:100],
        }


class MoveView(RunMixin, TemplateView):
    """Find a person, choose their new session, see what it does, confirm (POST).

    GET ?q=… lists matching participants with their sessions; ?attendee=… offers the
    sessions of each round with how full they are; ?attendee=…&session=… says what the
    move would do (a full room, a rule it breaks, a choice they did not make) and asks to
    confirm. Nothing changes before the POST.
    """

    template_name = "backoffice/assignment/move.html"

    def get_context_data(self, **kwargs):
        run = self.get_run()
        kwargs["run"] = run
        query = self.request.GET.get("q", "").strip()[:100]
        kwargs["query"] = query
        attendee = self._attendee(self.request.GET.get("attendee"), run)
        if attendee is None:
            kwargs["found"] = queries.find_participants(run, text=query) if query else None
            return super().get_context_data(**kwargs)
        kwargs["attendee"] = attendee
        fill = queries.session_fill(run)
        current = {
            f.round_id: f.session_id
            for found in queries.find_participants_by_id(run, attendee_ids=[attendee.pk])
            for f in found.placements
        }
        kwargs["rounds"] = [
            (
                round_,
                current.get(round_.pk),
                [
                    {
                        "session": s,
                        "taken": fill.get(s.pk, 0),
                        "full": fill.get(s.pk, 0) >= s.capacity,
                        "current": current.get(round_.pk) == s.pk,
                    }
                    for s in round_.sessions.all()
                ],
            )
            for round_ in queries.rounds(self.event)
            if round_.pk in current
        ]
        session_id = _int_or_none(self.request.GET.get("session"))
        if session_id is not None:
            session = Session.objects.filter(pk=session_id, round__event=self.event).first()
            preview = (
                moving.move_preview(run, attendee=attendee, session=session) if session else None
            )
            if preview is None:
                kwargs["problem"] = _("Choose one of the sessions below.")
            elif preview.placement.session_id == session.pk:
                kwargs["problem"] = _("%(name)s is in that session already.") % {
                    "name": attendee.full_name
                }
            else:
                kwargs["preview"] = preview
        return super().get_context_data(**kwargs)

    def _attendee(self, value, run):
        pk = _int_or_none(value)
        if pk is None:
            return None
        return queries.participants(self.event).filter(pk=pk, placements__run=run).first()

    def post(self, request, *args, **kwargs):
        run = self.get_run()
        attendee = self._attendee(request.POST.get("attendee"), run)
        session = Session.objects.filter(
            pk=_int_or_none(request.POST.get("session")), round__event=self.event
        ).first()
        if attendee is None or session is None or request.POST.get("confirm") != "yes":
            messages.error(request, _("Choose a participant and a session, then confirm."))
            return HttpResponseRedirect(_run_url(run) + "#move")
        try:
            services.move_placement(run, attendee=attendee, session=session, by=request.user)
        except MatchingError as error:
            messages.error(request, error.message)
        else:
            text = _("%(name)s moved to %(session)s; the figures and the rule check are updated.")
            if run.is_published:
                text = _(
                    "%(name)s moved to %(session)s; they get their new programme by mail, "
                    "with a calendar file that replaces the old one."
                )
            messages.success(request, text % {"name": attendee.full_name, "session": session})
        return HttpResponseRedirect(_run_url(run))


class PublishView(RunMixin, TemplateView):
    """Say how many mails publishing sends and which rules it breaks; publish on POST."""

    template_name = "backoffice/assignment/publish.html"

    def get_context_data(self, **kwargs):
        run = self.get_run()
        labels = _check_labels()
        kwargs.update(
            run=run,
            mails=mails_on_publishing(run) if run.status == RunStatus.DONE else 0,
            people=queries.session_people_count(run),
            breaks=[(labels[key], n) for key, n in queries.rule_breaks(run).items()],
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        run = self.get_run()
        form = ConfirmationForm(request.POST)
        if not form.is_valid():
            # Not from this page's button: show the page (what publishing does), change nothing.
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.publish_run(
                run, by=request.user, breaks_accepted=request.POST.get("accept_breaks") == "yes"
            )
        except MatchingError as error:
            messages.error(request, error.message)
            if error.code == "rule_breaks":
                return self.render_to_response(self.get_context_data(), status=400)
            return HttpResponseRedirect(_run_url(run))
        messages.success(
            request, _("Published: participants see their programme and get it by mail.")
        )
        return HttpResponseRedirect(_run_url(run))
