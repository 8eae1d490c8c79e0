"""Solve an instance: the exact primary placement, then fewer repeat meetings at no cost.

`solve` is the one entry point (the command line, the back office's task and the benchmark
call it). The primary goal is exact (see `model.py`); the secondary goal, fewer pairs who
meet again in a later round, is a local search and then an exact re-placement of a round's
sessions (`meetings.py`), both of which keep every rule and never raise the placement cost,
so the primary optimum is never worsened.
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import check
from .instance import Instance, ranks_in_round

if TYPE_CHECKING:
    from .model import ByRound, Progress

# HiGHS, numpy and the model are imported when the search starts, not with this module:
# loading them took 0.2 to 0.5 s on a loaded 2-core machine, more than a short time limit
# of the command line leaves after the fast pass that places everyone first (`solve`).

OPTIMAL, FEASIBLE, INFEASIBLE = "optimal", "feasible", "infeasible"


@dataclass(frozen=True)
class Unplaced:
    participant: str
    round: str
    reason: str  # in English, for the result file
    why: dict | None = None  # the same as a code with figures (`reasons.why`), to translate


@dataclass
class Result:
    status: str
    objective: int
    bound: int | None
    assignment: dict[str, dict[str, str]]
    unassigned: list[Unplaced] = field(default_factory=list)
    rank_histogram: list[int] = field(default_factory=list)
    repeat_pairs: int = 0
    seconds: float = 0.0
    # When the primary placement and its bound were settled (before the repeat search).
    model_seconds: float = 0.0
    lp_bound: float | None = None
    capacity_bound: int | None = None
    ranked_placements: int = 0
    worst_rank: int | None = None
    moved: int = 0

    @property
    def gap(self) -> float | None:
        """Return (objective − bound) / objective, 0 when proven optimal."""
        if self.bound is None:
            return None
        return (
            0.0
            if self.objective <= self.bound
            else (self.objective - self.bound) / max(self.objective, 1)
        )

    def to_json(self) -> dict:
        """Return the result document of the shared format (with a few more statistics)."""
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "assignment": self.assignment,
            "unassigned": [
                {"participant": u.participant, "round": u.round, "reason": u.reason}
                for u in self.unassigned
            ],
            "stats": {
                "rank_histogram": self.rank_histogram,
                "repeat_pairs": self.repeat_pairs,
                "seconds": round(self.seconds, 3),
                "model_seconds": round(self.model_seconds, 3),
                "gap": _finite(self.gap),
                "lp_bound": _finite(self.lp_bound),
                "capacity_bound": self.capacity_bound,
                "ranked_placements": self.ranked_placements,
                "worst_rank": self.worst_rank,
                "moved": self.moved,
            },
        }


def _finite(value: float | None) -> float | None:
    # JSON has no Infinity or NaN (Python would write them, strict readers refuse them).
    return round(value, 3) if value is not None and math.isfinite(value) else None


def solve(
    instance: Instance,
    *,
    time_limit: float | None = None,
    previous: dict[str, dict[str, str]] | None = None,
    progress: Progress | None = None,
    repeat_seconds: float = 1.0,
    started: float | None = None,
) -> Result:
    """Return the placement of `instance`: optimal, or the best found within `time_limit`.

    Within `time_limit` (model building included) the best complete placement found is
    returned, with status `feasible` and its proven bound, when the optimum is not proven
    yet. With a limit, one fast pass (`greedy.py`: pure Python, a few tenths of a second
    at thousands of people) places everyone first, so that a complete placement is in
    hand whenever the time ends (also when the search ends late, or there is no time even
    to load HiGHS); the search then starts from it and improves on it. When the pass left
    someone out and the search found no complete placement either, a second, balanced
    pass tries (`_second_pass`). Raise TimeoutError when none found a complete
    placement and none is proven impossible; `infeasible`
    comes only with that proof, or with pins that no placement can keep
    (`reasons.pinned_out`), which are left out before both, each with its reason.

    With `previous` (an earlier placement), moving someone already placed costs more than
    any difference in preference: an incremental re-run moves only whom the rules force
    (and has no fast pass first, which would move anyone).
    """
    from .reasons import english, pinned_out

    # `started`: when the caller's clock started (time.monotonic()), so that the limit also
    # covers what it did before (the command line: loading the libraries, reading the file).
    started = time.monotonic() if started is None else started
    out = pinned_out(instance)
    kept = instance.without(out)
    fast = None
    complete = balanced = False
    # Not in a re-run from `previous`: the pass would move whoever it likes, and a re-run
    # that keeps every rule is published by itself (`services.runs`).
    if time_limit is not None and not previous:
        from .greedy import greedy_placement

        deadline = started + time_limit
        slots = sum(len(p.rounds) for p in kept.participants)
        # When not even a placement in hand would leave time for a search, this pass is
        # what the file holds: it may go on until only the figures and the file are left.
        last = not _time_to_search(_model_deadline(deadline, time_limit, slots, True))
        # The first pass only: the balanced one (`_second_pass`) places at up to 3 times each
        # placement's cheapest, and its time is the search's, whose placement round by
        # round costs less (3,000 people in 4 rounds, 3 left out, a limit of 2 s: 3 times
        # its bound against 1.4). It runs now only when the first pass left out so many
        # that its way of filling failed, not a few hard cases; else when the search
        # found no placement either.
        fast = greedy_placement(
            kept,
            seconds=0.5 if last else min(0.5, FAST_SECOND_CHANCE * time_limit),
            deadline=deadline - (tail_seconds(slots) if last else finish_seconds(slots)),
            balanced=False,
        )
        balanced = _placed(fast) < (1 - FAILED_PASS_SHARE) * slots
        if balanced:
            fast = _second_pass(
                kept,
                fast,
                started=started,
                time_limit=time_limit,
                seconds=min(0.5, FAST_SECOND_CHANCE * time_limit),
            )
        complete = _complete(kept, fast)
        if not _time_to_search(_model_deadline(deadline, time_limit, slots, complete)):
            if not complete and not balanced:
                fast = _second_pass(kept, fast, started=started, time_limit=time_limit)
            if _complete(kept, fast):
                return out_of_time(instance, started=started, message=NO_SEARCH, placement=fast)
            error = TimeoutError(NO_SEARCH)
            error.fast = fast  # for the caller's `out_of_time`, as below
            raise error
    try:
        result = _solve(
            kept,
            time_limit=time_limit,
            previous=previous,
            progress=progress,
            repeat_seconds=repeat_seconds,
            started=started,
            start=fast if complete else None,
        )
    except TimeoutError as error:
        if out and time_limit is None:
            # Without a limit, a search that ended with neither a placement nor a proof
            # (HiGHS's tolerances, with costs near `instance.EXACT`) is the whole
            # instance's to settle, as before the pins were looked at first.
            return _solve(
                instance,
                time_limit=None,
                previous=previous,
                progress=progress,
                repeat_seconds=repeat_seconds,
                started=started,
                start=None,
            )
        if not complete and fast is not None and not balanced:
            fast = _second_pass(kept, fast, started=started, time_limit=time_limit)
            complete = _complete(kept, fast)
        if not complete:
            # The caller's fast pass (`out_of_time`) keeps this one if it places no more.
            error.fast = fast
            raise
        return out_of_time(
            instance,
            started=started,
            message=str(error),
            placement=fast,
            code=getattr(error, "code", "time_limit"),
        )
    if out:
        result.status = INFEASIBLE
        result.unassigned = [
            Unplaced(pid, round_id, english(reason), reason)
            for (pid, round_id), reason in out.items()
        ] + result.unassigned
        _figures_of(result, instance)
    return result


def _second_pass(
    instance: Instance,
    fast: dict[str, dict[str, str]],
    *,
    started: float,
    time_limit: float,
    seconds: float | None = None,
) -> dict[str, dict[str, str]]:
    """Return the balanced pass's placement (`greedy.py`) when it places everyone, else the
    first pass's, `fast` (cheaper: 3,000 people in 3 rounds of 300 small rooms with pins
    that overfill some, 557 left out by the first, 456 by the balanced one at 1.8 times
    the cost).

    Placing nobody more once only the figures and the file are left of the limit.
    `seconds`: its second chance (by default what is left, 0.5 s at most: after the
    search, in the time kept for a pass, `_model_deadline`).
    """
    from .greedy import greedy_placement

    slots = sum(len(p.rounds) for p in instance.participants)
    last = started + time_limit - tail_seconds(slots)
    if time.monotonic() >= last:
        # It would place nobody, yet its setup and repair take a tenth of a second at
        # 8,000 participant-rounds: time the figures and the file need.
        return fast
    if seconds is None:
        seconds = min(max(last - 0.2 - time.monotonic(), 0.0), 0.5)
    second = greedy_placement(instance, seconds=seconds, deadline=last, balanced=True)
    return second if _complete(instance, second) else fast


def _figures_of(result: Result, instance: Instance) -> None:
    """Set the result's figures from `instance` (the one read, whose rankings the figures
    count: `Instance.without` dropped those of the pins left out)."""
    figures = check.rank_figures(instance, result.assignment)
    result.rank_histogram = figures.rank_histogram
    result.repeat_pairs = figures.repeat_pairs
    result.ranked_placements = sum(figures.choice_histogram[:-1])
    result.worst_rank = figures.worst_rank


FAST_SECOND_CHANCE = 0.03  # of the time limit (0.5 s at most) for the first pass's second chance
# A first pass that leaves out this share of the participant-rounds or more failed by its way
# of filling (3,400 of 5,000 who all want the same 5 sessions): the balanced pass then runs
# before the search, whose first placement it becomes.
FAILED_PASS_SHARE = 0.05
# Loading HiGHS, numpy and the model (the first search of the process): 0.2 to 0.47 s on a
# 2-core machine at a load of 4.
LOAD_SECONDS = 0.45
SEARCH_LEAST = 0.1  # seconds of search (after loading) worth starting at all
NO_SEARCH = (
    "the fast pass placed everyone it could within the time limit, which left no time for "
    "the search; allow more time"
)


def _time_to_search(model_deadline: float) -> bool:
    """Return whether loading HiGHS (unless loaded) and a search fit before the deadline."""
    load = 0.0 if "highspy" in sys.modules else LOAD_SECONDS
    return model_deadline - time.monotonic() - load >= SEARCH_LEAST


def _complete(instance: Instance, assignment: dict[str, dict[str, str]]) -> bool:
    return all(
        round_id in assignment.get(person.id, {})
        for person in instance.participants
        for round_id in person.rounds
    )


def _placed(assignment: dict[str, dict[str, str]]) -> int:
    return sum(len(rounds) for rounds in assignment.values())


def _model_deadline(deadline: float, time_limit: float, slots: int, in_hand: bool) -> float:
    """Return when the search ends, at the latest, for a limit ending at `deadline`.

    What is left after it is for fewer repeat meetings and the figures within the limit
    after HiGHS's MILP stopped (up to 0.15 s after its interrupt callback asked it to),
    and, unless a complete placement is `in_hand` (`solve`'s fast pass), what the command
    line needs to write a placement when the model found none (`out_of_time`: 0.1 s at
    1,000 people in 3 rounds, and 0.1 s more to try again for whom it left out).
    """
    if in_hand:
        return deadline - min(2.5, max(0.1 * time_limit, 0.2 + 4e-5 * slots))
    return deadline - min(2.5, max(0.15 * time_limit, 0.35 + 7e-5 * slots))


def _solve(
    instance: Instance,
    *,
    time_limit: float | None,
    previous: dict[str, dict[str, str]] | None,
    progress: Progress | None,
    repeat_seconds: float,
    started: float,
    start: dict[str, dict[str, str]] | None,
) -> Result:
    """Return `solve`'s result by the search, from the complete placement `start` if any."""
    from .meetings import fewer_repeats_by_round
    from .model import solve_model

    deadline = model_deadline = None
    plan = None
    if time_limit is not None:
        deadline = started + time_limit
        slots = sum(len(p.rounds) for p in instance.participants)
        model_deadline, plan = _by_round_plan(
            slots,
            len(instance.rounds),
            deadline,
            _model_deadline(deadline, time_limit, slots, start is not None),
            sessions=sum(len(r.sessions) for r in instance.rounds),
        )
    report = progress or (lambda fraction, phase: None)
    data, outcome = solve_model(
        instance,
        deadline=model_deadline,
        previous=previous,
        progress=report,
        by_round=plan,
        start=start,
    )
    model_seconds = time.monotonic() - started
    assignment = data.assignment(outcome.placement)
    unplaced_slots = [
        (instance.participants[data.slots[i].participant], instance.rounds[data.slots[i].round])
        for i in outcome.unplaced
    ] + [(instance.participants[p], instance.rounds[r]) for p, r in data.impossible]
    moved = _moved(previous, assignment)
    if instance.rules.avoid_repeat_meetings and not unplaced_slots and repeat_seconds > 0:
        report(0.9, "repeats")
        budget = repeat_seconds
        if deadline is not None:
            budget = min(budget, max(deadline - 0.3 - time.monotonic(), 0.0))
        if budget > 0:
            # The quick moves first; then whole sessions of a round re-placed exactly, which
            # reaches placements no single move or swap does, in the time that is left.
            repeats_deadline = time.monotonic() + budget
            assignment = fewer_repeats(instance, assignment, seconds=budget / 2, previous=previous)
            assignment = fewer_repeats_by_round(
                instance, assignment, deadline=repeats_deadline, previous=previous
            )
    cost = check.placement_cost(instance, assignment)
    pinned = check.pinned_cost(instance)
    if unplaced_slots:
        from .reasons import english, why_all

        status = INFEASIBLE
        pairs = [(person.id, round_.id) for person, round_ in unplaced_slots]
        unassigned = [
            Unplaced(pid, round_id, english(reason), reason)
            for (pid, round_id), reason in zip(
                pairs, why_all(instance, assignment, pairs), strict=True
            )
        ]
        bound = _bound_of_some(instance, assignment, cost)
    else:
        unassigned = []
        # The weighted objective also counts moves, and not the pinned placements (the same
        # in every placement): take the one off and add the other to bound the cost.
        bound = outcome.weighted_bound - data.move_cost * data.scale * moved + pinned
        if not outcome.proven and outcome.lp_bound is None:
            # The time ended before the model's LP was complete (a placement round by
            # round): its bound may be less than each placement at its cheapest, or 0.
            bound = max(bound, data.least_cost() + pinned)
        bound = min(bound, cost)
        status = OPTIMAL if outcome.proven else FEASIBLE
    figures = check.rank_figures(instance, assignment)
    report(1.0, "done")
    return Result(
        status=status,
        objective=cost,
        bound=bound,
        assignment=assignment,
        unassigned=unassigned,
        rank_histogram=figures.rank_histogram,
        repeat_pairs=figures.repeat_pairs,
        seconds=time.monotonic() - started,
        model_seconds=model_seconds,
        lp_bound=None if data.move_cost or outcome.lp_bound is None else outcome.lp_bound + pinned,
        # A flow LP of its own (0.2 s at 600 people): only when the limit leaves room.
        capacity_bound=(
            capacity_bound(instance)
            if deadline is None or deadline - time.monotonic() > 0.1 * time_limit + 1.0
            else None
        ),
        ranked_placements=sum(figures.choice_histogram[:-1]),
        worst_rank=figures.worst_rank,
        moved=moved,
    )


# From this many participant-rounds, a limit short for the joint model's first placement
# gives the placement round by round the time before the search (the search's first
# placement took 5 to 9 s at 3,000 people in 4 rounds, round by round 0.5 to 1 s).
BY_ROUND_FIRST_SLOTS = 1000
BY_ROUND_FIRST_TIMES = 6  # … when the search has less than this many times what it needs
BY_ROUND_FIRST_SHARE = 0.75  # of the search's time, at most, when that is enough for it
BY_ROUND_IMPROVE_FIRST = 0.3  # of its time left after its first placement: lowering its cost
# Otherwise this share of the time (at least) is kept for it after the search.
BY_ROUND_KEPT_SHARE = 0.4


def by_round_seconds(slots: int, *, quick: bool = False) -> float:
    """Return how long the first placement round by round takes, about (`by_round.py`).

    CPU seconds measured on a 2-core machine at a load of 4, its data included: 0.65 to
    0.75 s `quick` and 1.6 to 2 s with the later rounds' prices for 3,000 people in 4
    rounds of 30 sessions (12,000 participant-rounds); 0.2 and 0.8 s for 300 people in 4
    crowded rounds of 10 (their MILPs take most of it). Instances with many small rooms
    take longer: 1 to 3.5 s `quick` for 3,000 people in 2 rounds of 300 rooms.
    """
    if quick:
        return 0.2 + 5e-5 * slots
    return 0.5 + 2.5e-4 * slots


def finish_seconds(slots: int) -> float:
    """Return how long `solve` takes after the placement: the figures, about.

    0.15 s at 12,000 participant-rounds (on a loaded machine: 0.3 s), and the command line
    writes the file.
    """
    return 0.1 + 2.5e-5 * slots


def tail_seconds(slots: int) -> float:
    """Return how long the figures of the fast pass's placement and writing the file take.

    0.07 s at 8,000 participant-rounds (`out_of_time` after its pass, and the file), twice
    that kept for a busy machine.
    """
    return 0.05 + 1.5e-5 * slots


def greedy_seconds(slots: int) -> float:
    """Return how long the fast pass of `out_of_time` takes to place everyone, about.

    0.15 s at 5,400 and 0.3 s at 8,000 participant-rounds in rounds of 300 small rooms
    (`greedy.py`), a third more at a load of 3 on 2 cores.
    """
    return 0.05 + 4e-5 * slots


def _by_round_plan(
    slots: int, rounds: int, deadline: float, model_deadline: float, *, sessions: int = 0
) -> tuple[float, ByRound | None]:
    """Return (the search's deadline, when the placement round by round runs).

    On a large instance whose limit is short for the search's first placement, before the
    search: in a share of its time when that is enough (the search then starts from it),
    without the later rounds' prices when only that is; and when even that needs more
    than the search's time, in the time kept for the fast pass that the command line
    writes when no placement is found (`out_of_time`), when that leaves time for a round
    or more: the fast pass then places only the rounds it did not. Otherwise after the
    search, in time kept for it: twice what it
    needs, at least a share of the time (the machine may be busy: 2 to 3 times slower at
    a load of 6 on 2 cores), when the search keeps the larger share; a search that finds
    a placement itself goes on in that time.
    """
    from .model import ByRound

    now = time.monotonic()
    left = model_deadline - now
    need = by_round_seconds(slots)
    quick = by_round_seconds(slots, quick=True)
    if slots >= BY_ROUND_FIRST_SLOTS and left < BY_ROUND_FIRST_TIMES * need:
        first = now + BY_ROUND_FIRST_SHARE * left
        if need <= BY_ROUND_FIRST_SHARE * left:
            return model_deadline, ByRound(first=first, improve=BY_ROUND_IMPROVE_FIRST)
        if quick <= BY_ROUND_FIRST_SHARE * left:
            return model_deadline, ByRound(first=first, improve=BY_ROUND_IMPROVE_FIRST, quick=True)
        # The fast pass places the rounds it does not (`out_of_time`) and needs their
        # time: of one round at least, of every round there is no time for. Rounds of
        # many small rooms take longer (`by_round_seconds`): 300 rooms, 5 times.
        last = deadline - finish_seconds(slots)
        per_round = quick * max(1.0, sessions / rounds / 60) / rounds
        placed = min(rounds - 1, int((last - now) / per_round)) if last > now else 0
        last -= greedy_seconds(slots * (rounds - placed) // rounds)
        if quick <= rounds * (last - now):
            # No time for the search after it (its first LP alone takes longer): all of it
            # lowers its cost.
            return now, ByRound(first=last, improve=1.0, quick=True)
        return model_deadline, None
    if 2 * need <= (1 - BY_ROUND_KEPT_SHARE) * left:
        kept = max(2 * need, BY_ROUND_KEPT_SHARE * left)
        return model_deadline - kept, ByRound(kept=model_deadline)
    return model_deadline, None


def out_of_time(
    instance: Instance,
    *,
    started: float,
    message: str,
    seconds: float = 0.1,
    placed: dict[str, dict[str, str]] | None = None,
    deadline: float | None = None,
    placement: dict[str, dict[str, str]] | None = None,
    code: str = "time_limit",
) -> Result:
    """Return the placement of `greedy_placement`, for when `solve` ran out of time.

    `message`: the TimeoutError's; `seconds`: how long to try again for whom one pass
    leaves out; `placed`: the rounds placed before the time ended (`NoPlacement`), which
    the pass keeps; `deadline`: when the pass places nobody more (`greedy_placement`);
    `placement`: a pass's placement made already (`solve`'s first): when it leaves
    someone out, this pass runs too if rounds were `placed` since or the time left is
    enough for a whole pass, and the one that places more is kept.
    Everyone placed: `feasible`, with the bound each placement at its cheapest session
    gives. Otherwise `infeasible`: whom one pass could not place, each with the reason
    that the time ended first (not that no place exists), and the pins that no placement
    can keep (`reasons.pinned_out`, left out of the pass) with theirs. `code`: the reason
    code of whom the pass leaves out (the TimeoutError's, `model.NoPlacement`):
    "solver_stopped" when HiGHS gave up before the time ended.
    """
    from .greedy import greedy_placement, trivial_bound
    from .reasons import english, pinned_out

    whole = instance
    out = pinned_out(instance)
    instance = instance.without(out)
    assignment = placement
    left = math.inf if deadline is None else deadline - time.monotonic()
    slots = sum(len(p.rounds) for p in instance.participants)
    if placement is None or (
        not _complete(instance, placement) and (placed and left > 0 or left > greedy_seconds(slots))
    ):
        assignment = greedy_placement(instance, seconds=seconds, placed=placed, deadline=deadline)
        if placement is not None and _placed(placement) > _placed(assignment):
            assignment = placement  # the first pass had the time this one has not
    unassigned = [
        Unplaced(pid, round_id, english(reason), reason) for (pid, round_id), reason in out.items()
    ]
    for person in instance.participants:
        for round_ in instance.rounds:
            if round_.id in person.rounds and round_.id not in assignment.get(person.id, {}):
                reason = {
                    "code": code,
                    "round": round_.id,
                    "group": person.group,
                    "message": message,
                }
                unassigned.append(Unplaced(person.id, round_.id, english_time(reason), reason))
    cost = check.placement_cost(instance, assignment)
    figures = check.rank_figures(whole, assignment)
    return Result(
        status=INFEASIBLE if unassigned else FEASIBLE,
        objective=cost,
        bound=_bound_of_some(instance, assignment, cost)
        if unassigned
        else min(trivial_bound(instance), cost),
        assignment=assignment,
        unassigned=unassigned,
        rank_histogram=figures.rank_histogram,
        repeat_pairs=figures.repeat_pairs,
        seconds=time.monotonic() - started,
        model_seconds=time.monotonic() - started,
        ranked_placements=sum(figures.choice_histogram[:-1]),
        worst_rank=figures.worst_rank,
    )


def _bound_of_some(instance: Instance, assignment: dict[str, dict[str, str]], cost: int) -> int:
    """Return the bound of an `infeasible` placement: its placements each at their cheapest.

    No complete placement exists (or none was found), so there is no optimum to bound; the
    format still has a number here, and checkers compare it with `objective` (≤).
    """
    from .greedy import trivial_bound

    return min(trivial_bound(instance, placed=assignment), cost)


def english_time(reason: dict) -> str:
    """Return the reason of a slot left out by `out_of_time` in English."""
    ended = "the solver stopped" if reason["code"] == "solver_stopped" else "the time limit ended"
    return (
        f"{ended} before a session of round {reason['round']} was found for them "
        f"({reason['message']})"
    )


def _moved(previous, assignment) -> int:
    if not previous:
        return 0
    return sum(
        1
        for pid, rounds in previous.items()
        for round_id, session_id in rounds.items()
        if pid in assignment and assignment[pid].get(round_id, session_id) != session_id
    )


def capacity_bound(instance: Instance) -> int:
    """Return how many non-fixed placements can at most be a ranked choice.

    A maximum flow from (participant, round) to ranked sessions under the seats left after the
    fixed placements: the topic and mix rules can only lower it.
    """
    sessions = instance.sessions()
    seats = {sid: s.capacity for sid, s in sessions.items()}
    for person in instance.participants:
        for session_id in person.fixed.values():
            seats[session_id] -= 1
    in_round = {r.id: {s.id for s in r.sessions} for r in instance.rounds}
    arcs = []
    for person in instance.participants:
        for round_id, ranked in person.preferences.items():
            if round_id in person.fixed:
                continue
            ranks = ranks_in_round(ranked, in_round[round_id])
            arcs.extend(((person.id, round_id), sid) for sid in ranks)
    if not arcs:
        return 0
    slot_ids = {key: i for i, key in enumerate(dict.fromkeys(a for a, _ in arcs))}
    session_ids = {sid: len(slot_ids) + i for i, sid in enumerate(seats)}
    n_rows = len(slot_ids) + len(session_ids)
    starts, index = [0], []
    for slot, sid in arcs:
        index.extend([slot_ids[slot], session_ids[sid]])
        starts.append(len(index))
    import highspy
    import numpy as np

    from .model import new_highs

    lp = highspy.HighsLp()
    lp.num_col_ = len(arcs)
    lp.num_row_ = n_rows
    lp.col_cost_ = np.full(len(arcs), -1.0)
    lp.col_lower_ = np.zeros(len(arcs))
    lp.col_upper_ = np.ones(len(arcs))
    lp.row_lower_ = np.full(n_rows, -highspy.kHighsInf)
    lp.row_upper_ = np.array([1.0] * len(slot_ids) + [max(seats[s], 0) for s in session_ids])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(index))
    h = new_highs()
    h.passModel(lp)
    h.run()
    # A bipartite flow LP has an integral optimum.
    return round(-h.getInfo().objective_function_value)


STALE_PASSES = 20  # passes on the plateau without a new best before the walk ends


def fewer_repeats(
    instance: Instance,
    assignment: dict[str, dict[str, str]],
    *,
    seconds: float,
    previous: dict[str, dict[str, str]] | None = None,
    seed: int = 1,
) -> dict[str, dict[str, str]]:
    """Return `assignment` with fewer repeat meetings, by moves that keep cost and rules.

    Someone who meets a person again is moved to another session of the round, or swaps
    places with someone else of the round, when the placement cost does not rise, every
    rule still holds (capacity, topic, fixed sessions, the group share of both sessions,
    the spread of the groups concerned) and the number of pairs meeting again falls (counted
    exactly). When no such step is left, steps that keep the number (a walk on the plateau,
    where the better placements of the same cost lie) are taken too, in the time left, and
    the best placement seen is returned. Nobody who had a place in `previous` is moved.
    """
    # From the start: counting who meets whom took 0.6 s at 3,000 people in sessions of
    # 115, where a short time limit left a few hundredths of a second for all of it.
    deadline = time.monotonic() + seconds
    rules = instance.rules
    sessions = instance.sessions()
    placement = {pid: dict(rounds) for pid, rounds in assignment.items()}
    people = {p.id: p for p in instance.participants}
    movable = {p.id for p in instance.participants if not previous or p.id not in previous}
    session_round = {s.id: r.id for r in instance.rounds for s in r.sessions}
    round_sessions = {r.id: [s.id for s in r.sessions] for r in instance.rounds}
    round_mix = {r.id: [s.id for s in r.sessions if s.mix] for r in instance.rounds}
    spread = set(rules.spread_groups)
    size: Counter = Counter()
    count: dict[str, Counter] = defaultdict(Counter)  # session → group → people
    members: dict[str, set[str]] = defaultdict(set)  # mix sessions only
    for pid, rounds in placement.items():
        for session_id in rounds.values():
            size[session_id] += 1
            count[session_id][people[pid].group] += 1
            if sessions[session_id].mix:
                members[session_id].add(pid)
    together: Counter = Counter()
    for people_in in members.values():
        if time.monotonic() >= deadline:
            return assignment
        for a in people_in:
            for b in people_in:
                if a < b:
                    together[(a, b)] += 1

    def pair(a, b):
        return (a, b) if a < b else (b, a)

    def cost(pid, round_id, session_id):
        person = people[pid]
        if round_id in person.fixed:
            return 0 if person.fixed[round_id] == session_id else math.inf
        ranked = person.preferences.get(round_id, ())
        return rules.choice_cost(ranked.index(session_id) if session_id in ranked else None)

    def topic_ok(pid, round_id, session_id):
        topic = sessions[session_id].topic
        return all(sessions[s].topic != topic for r, s in placement[pid].items() if r != round_id)

    def shift(pid, source, target) -> int:
        """Move pid; return by how much the number of pairs meeting again changed."""
        change = 0
        if source in members:
            members[source].discard(pid)
            for q in members[source]:
                key = pair(pid, q)
                change -= together[key] == 2
                together[key] -= 1
        if sessions[target].mix:
            for q in members[target]:
                key = pair(pid, q)
                change += together[key] == 1
                together[key] += 1
            members[target].add(pid)
        group = people[pid].group
        size[source] -= 1
        size[target] += 1
        count[source][group] -= 1
        count[target][group] += 1
        placement[pid][session_round[target]] = target
        return change

    def rules_hold(round_id, touched, groups) -> bool:
        for session_id in touched:
            session = sessions[session_id]
            if size[session_id] > session.capacity:
                return False
            if session.mix and size[session_id]:
                limit = rules.group_limit(size[session_id])
                if max(count[session_id].values()) > limit:
                    return False
        mixed = round_mix[round_id]
        for group in groups & spread:
            counts = [count[s][group] for s in mixed]
            if not check.spread_is_even(counts, [sessions[s].capacity for s in mixed]):
                return False
        return True

    def own_repeats(pid, session_id) -> int:
        return sum(1 for q in members[session_id] if q != pid and together[pair(pid, q)] >= 2)

    rng = random.Random(seed)  # noqa: S311 - search order, reproducible by seed
    candidates = [
        (pid, round_id)
        for pid in sorted(movable)
        for round_id, session_id in placement.get(pid, {}).items()
        if sessions[session_id].mix and round_id not in people[pid].fixed
    ]
    in_round: dict[str, list[str]] = defaultdict(list)
    for pid, round_id in candidates:
        in_round[round_id].append(pid)
    repeats = sum(1 for n in together.values() if n >= 2)
    best, best_repeats = placement, repeats
    sideways = False  # steps that keep the number of repeats are taken too
    stale = 0  # passes without a new best
    while time.monotonic() < deadline and stale < STALE_PASSES:
        improved = False
        rng.shuffle(candidates)
        for pid, round_id in candidates:
            if time.monotonic() >= deadline:
                break
            here = placement[pid][round_id]
            if not sessions[here].mix or own_repeats(pid, here) == 0:
                continue
            paid = cost(pid, round_id, here)
            group = people[pid].group
            # A move to another session of the round.
            targets = [s for s in round_sessions[round_id] if s != here]
            rng.shuffle(targets)
            moved = False
            for there in targets:
                if size[there] >= sessions[there].capacity or cost(pid, round_id, there) > paid:
                    continue
                if not topic_ok(pid, round_id, there):
                    continue
                change = shift(pid, here, there)
                if (change < 0 or (sideways and change == 0 and rng.random() < 0.2)) and (
                    rules_hold(round_id, (here, there), {group})
                ):
                    repeats += change
                    improved = improved or change < 0
                    moved = True  # `here` is no longer pid's session: no swap from it
                    break
                shift(pid, there, here)
            if moved:
                continue
            # A swap with someone in another session of the round.
            others = in_round[round_id]
            for other in rng.sample(others, min(40, len(others))):
                there = placement[other][round_id]
                if other == pid or there == here:
                    continue
                if cost(pid, round_id, there) + cost(other, round_id, here) > paid + cost(
                    other, round_id, there
                ):
                    continue
                if not (topic_ok(pid, round_id, there) and topic_ok(other, round_id, here)):
                    continue
                change = shift(pid, here, there) + shift(other, there, here)
                groups = {group, people[other].group}
                if (change < 0 or (sideways and change == 0 and rng.random() < 0.2)) and (
                    rules_hold(round_id, (here, there), groups)
                ):
                    repeats += change
                    improved = improved or change < 0
                    break
                shift(other, here, there)
                shift(pid, there, here)
            if repeats < best_repeats:
                best_repeats, stale = repeats, 0
                if sideways:  # before, every step improves: the placement is the best
                    best = {p: dict(r) for p, r in placement.items()}
        if not improved:
            if not sideways:
                sideways, best = True, {p: dict(r) for p, r in placement.items()}
            stale += 1
    return best
