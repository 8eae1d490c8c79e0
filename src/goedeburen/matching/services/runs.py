"""Assignment runs: start one, carry it out in the worker, move a person by hand.

A run is carried out by the `run_assignment` task; its progress is written to the run's row
as it goes (outside any transaction, so the back office sees it), its placements and figures
in one transaction at the end. An incremental run (after a late registration or a
cancellation) starts from the published placements, moves only whom the rules force, and is
published by itself when it keeps every rule.
"""

import logging
import time

from django.db import transaction
from django.db.models import Exists, OuterRef

from goedeburen.common import locks
from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event, Session
from goedeburen.registration.models import Attendee, Registration

from .. import exceptions, queries, tasks
from ..building import build_instance, pk
from ..exceptions import MatchingError
from ..models import AssignmentRun, Placement, RunStatus
from ..solver import Instance, first_come_first_served, solve
from ..solver.check import figures, group_counts
from .preferences import lock_registration
from .publishing import lock_event, publish_run, queue_programme_mail

logger = logging.getLogger(__name__)

ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
# The phase of a run superseded because another placement was published while it solved.
BASE_CHANGED = "base_changed"


def start_run(event: Event, *, by, base: AssignmentRun | None = None) -> AssignmentRun:
    """Queue a run of the solver for `event` (incremental from `base` when given).

    Side effects: the run row; the `run_assignment` task enqueued on commit; a log entry.
    """

    with transaction.atomic():
        if base is None:
            # Two organisers pressing "run" at once start one run, not two.
            lock_event(event.pk)
            if AssignmentRun.objects.filter(event=event, status__in=ACTIVE).exists():
                raise MatchingError(exceptions.RUN_BUSY, code="busy")
        run = AssignmentRun.objects.create(event=event, created_by=_user(by), base=base)
        log_action(event, action="matching.run_started", by=by, data={"run": run.pk})
        enqueue_on_commit(tasks.run_assignment, run.pk)
    return run


def rerun_after_change(event: Event) -> AssignmentRun | None:
    """Queue an incremental run when the event has a published placement; return it.

    Called when an attendee comes or goes after publishing. Side effects: those of
    `start_run`.
    """
    published = queries.published_run(event)
    if published is None:
        return None
    return start_run(event, by=None, base=published)


def execute_run(run_id: int) -> AssignmentRun | None:
    """Carry out a queued run: solve, store placements and figures; publish if incremental.

    Returns None when another worker has the run already. Side effects: progress on the run
    row while it goes; Placement rows, figures and a log entry at the end; for a clean
    incremental run, those of `publish_run`. A failure is stored on the run, never raised.

    An incremental run with a later one queued behind it is not solved but marked
    superseded: each change after publishing queues a run (approving 700 residents queued
    700 solves of ten seconds each, one after the other), and the later run, queued by a
    change committed after this run's, reads the event only when it starts. An incremental
    run holds no row while it solves (see `_replaced_while_solving`).
    """
    later = AssignmentRun.objects.filter(
        event_id=OuterRef("event_id"),
        base__isnull=False,
        status=RunStatus.QUEUED,
        pk__gt=OuterRef("pk"),
    )
    superseded = AssignmentRun.objects.filter(
        Exists(later), pk=run_id, base__isnull=False, status=RunStatus.QUEUED
    ).update(status=RunStatus.SUPERSEDED, progress=100, phase="done")
    if superseded:
        return AssignmentRun.objects.get(pk=run_id)
    claimed = AssignmentRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, progress=1, phase="build"
    )
    if not claimed:
        return None
    run = AssignmentRun.objects.select_related("event", "base").get(pk=run_id)
    try:
        if run.base_id is not None:
            # One incremental run at a time per event: each starts from the last published.
            # Not the event's row lock: the solve may take a minute, and a request that locks
            # the event (publish, start a run, its status) would wait that long.
            with locks.held("incremental-run", str(run.event_id)):
                _solve_and_store(run, incremental=True)
        else:
            _solve_and_store(run, incremental=False)
    except Exception as error:  # a broken run is shown to the organiser, not lost
        logger.exception("Assignment run %s failed", run.pk)
        AssignmentRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        log_action(run.event, action="matching.run_failed", data={"run": run.pk})
    run.refresh_from_db()
    return run


def _solve_and_store(run: AssignmentRun, *, incremental: bool) -> None:
    event = run.event
    instance = build_instance(event)
    previous = published = None
    if incremental:
        published = queries.published_run(event)
        previous = _assignment_of(published or run.base)
    last = [0.0]

    def progress(fraction: float, phase: str) -> None:
        # At most a few writes a second; each is its own small UPDATE, seen at once.
        if time.monotonic() - last[0] > 0.3 or fraction >= 1:
            last[0] = time.monotonic()
            AssignmentRun.objects.filter(pk=run.pk).update(
                progress=max(1, min(99, round(fraction * 100))), phase=phase
            )

    time_limit = queries.matching_settings(event).time_limit
    result = solve(instance, time_limit=time_limit, previous=previous, progress=progress)
    fcfs = first_come_first_served(instance)
    with transaction.atomic():
        if incremental:
            lock_event(event.pk)
            if _replaced_while_solving(run, published):
                return
        _store_placements(run, instance, result.assignment)
        stats = result.to_json()["stats"]
        stats.update(figures_of(instance, result.assignment))
        AssignmentRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE,
            progress=100,
            phase="done",
            solver_status=result.status,
            objective=result.objective,
            bound=result.bound,
            seconds=result.seconds,
            rules=_rules_json(instance),
            stats=stats,
            unassigned=[
                {
                    "attendee": pk(u.participant),
                    "round": pk(u.round),
                    "reason": u.reason,
                    "why": u.why,
                }
                for u in result.unassigned
            ],
            fcfs=figures_of(instance, fcfs),
        )
        log_action(
            event,
            action="matching.run_done",
            data={"run": run.pk, "status": result.status, "objective": result.objective},
        )
        run.refresh_from_db()
        # In the transaction that holds the event: nobody publishes in between.
        if incremental and not run.unassigned and run.stats["rule_check"]["total"] == 0:
            publish_run(run, by=None, only_changed_from=previous)


def _replaced_while_solving(run: AssignmentRun, published: AssignmentRun | None) -> bool:
    """Whether another placement was published since `run` read `published`; if so, mark it.

    Its result would undo that placement: it is marked superseded (phase "base_changed")
    and a new incremental run queued from what is published now, which reads the event
    when it starts and so takes in this run's change too. The event is locked.
    """
    now_published = queries.published_run(run.event)
    if getattr(now_published, "pk", None) == getattr(published, "pk", None):
        return False
    AssignmentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUPERSEDED, progress=100, phase=BASE_CHANGED
    )
    if now_published is not None:
        start_run(run.event, by=None, base=now_published)
    return True


def _rules_json(instance: Instance) -> dict:
    rules = instance.rules
    return {
        "max_group_share": rules.max_group_share,
        "spread_groups": list(rules.spread_groups),
        "rank_cost": list(rules.rank_cost),
        "unranked_cost": rules.unranked_cost,
        "avoid_repeat_meetings": rules.avoid_repeat_meetings,
    }


def figures_of(instance: Instance, assignment: dict) -> dict:
    """Return the figures the result screen shows for a placement (JSON-ready)."""
    result = figures(instance, assignment)
    check = result.rule_check.as_dict()
    check["total"] = result.rule_breaks
    return {
        "cost": result.cost,
        "rank_histogram": result.rank_histogram,
        "choice_histogram": result.choice_histogram,
        "pinned": result.pinned,
        "mean_choice": result.mean_choice,
        "first_share": result.first_share,
        "top2_share": result.top2_share,
        "unranked": result.unranked,
        "worst_rank": result.worst_rank,
        "repeat_pairs": result.repeat_pairs,
        "rule_check": check,
        "composition": {
            str(pk(s)): dict(counts) for s, counts in group_counts(instance, assignment).items()
        },
    }


def _assignment_of(run: AssignmentRun) -> dict[str, dict[str, str]]:
    assignment: dict[str, dict[str, str]] = {}
    for attendee_id, round_id, session_id in Placement.objects.filter(run=run).values_list(
        "attendee_id", "round_id", "session_id"
    ):
        assignment.setdefault(f"a{attendee_id}", {})[f"r{round_id}"] = f"s{session_id}"
    return assignment


def _store_placements(run: AssignmentRun, instance: Instance, assignment: dict) -> None:
    people = {p.id: p for p in instance.participants}
    rows = []
    for participant_id, rounds in assignment.items():
        person = people[participant_id]
        for round_id, session_id in rounds.items():
            ranked = person.preferences.get(round_id, ())
            rows.append(
                Placement(
                    run=run,
                    attendee_id=pk(participant_id),
                    round_id=pk(round_id),
                    session_id=pk(session_id),
                    rank=ranked.index(session_id) + 1 if session_id in ranked else None,
                )
            )
    Placement.objects.bulk_create(rows)


def move_placement(run: AssignmentRun, *, attendee: Attendee, session: Session, by) -> Placement:
    """Put `attendee` in `session` (same round) in this run and check the rules again.

    The run's figures are recomputed (its bound stays the solver's, and the screen no longer
    calls it optimal). A move in the published run raises the placement's calendar sequence
    and mails the person their programme again, with a calendar file that replaces the old
    one. Side effects: the placement changes; the run's figures and rule check; a log entry
    on the run's event; for a published run, a personal programme mail queued.
    """
    if run.status != RunStatus.DONE:
        raise MatchingError(exceptions.RUN_NOT_DONE, code="run_not_done")
    if session.round.event_id != run.event_id:
        raise MatchingError(exceptions.UNKNOWN_SESSION, code="unknown_session")
    with transaction.atomic():
        placement = _lock_placement(run, attendee=attendee, round_id=session.round_id)
        if placement is None:
            raise MatchingError(exceptions.WRONG_ROUND, code="wrong_session")
        before = placement.session_id
        if before == session.pk:
            return placement
        instance = build_instance(run.event)
        ranked = next(
            (
                p.preferences.get(f"r{session.round_id}", ())
                for p in instance.participants
                if p.id == f"a{attendee.pk}"
            ),
            (),
        )
        run = AssignmentRun.objects.select_for_update().get(pk=run.pk)
        placement.session = session
        placement.rank = ranked.index(f"s{session.pk}") + 1 if f"s{session.pk}" in ranked else None
        placement.moved_by_hand = True
        placement.sequence += 1 if run.is_published else 0
        placement.save(update_fields=["session", "rank", "moved_by_hand", "sequence"])
        stats = dict(run.stats)
        stats.update(figures_of(instance, _assignment_of(run)))
        stats["moved_by_hand"] = Placement.objects.filter(run=run, moved_by_hand=True).count()
        AssignmentRun.objects.filter(pk=run.pk).update(stats=stats, objective=stats["cost"])
        mailed = run.is_published
        if mailed:
            queue_programme_mail(placement.attendee.registration)
        log_action(
            run.event,
            action="matching.moved",
            by=by,
            data={
                "run": run.pk,
                "attendee": attendee.pk,
                "session": [before, session.pk],
                "mailed": mailed,
            },
        )
    return placement


def _lock_placement(run: AssignmentRun, *, attendee: Attendee, round_id: int) -> Placement | None:
    """Return the attendee's placement in the round of `run` with their registration, locked
    until the transaction ends: first the registration's row, then the placement's (None:
    the attendee or the placement is gone).

    In the order of every change of a registration (a cancellation of the attendee locks
    the registration, then deletes the attendee's placements): locking the placement first
    met such a change in a deadlock.
    """
    registration = Registration.objects.filter(attendees=attendee.pk).first()
    if registration is None:
        return None
    lock_registration(registration)
    return (
        Placement.objects.select_for_update(of=("self",))
        .select_related("attendee__registration")
        .filter(run=run, attendee=attendee, round_id=round_id)
        .first()
    )


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None
