"""A placement round by round: for when the joint model finds none within the time limit.

The joint model (`model.py`) ties the rounds together only through the topic rule (nobody
takes a topic twice); without it each round is a far smaller and easier problem (3,000
people in 4 rounds of 30 sessions: about 1 s a round, where the joint model needs 8 s for
its first placement). Each round is placed with the exact rules of the joint model
(`_Model`: capacity, the group share rounded up, the spread rule, pins) over every session
whose topic the participant does not hold yet from the rounds placed before or from a pin;
the tightest rounds (fewest seats per participant) first. A topic that is someone's only
cheapest one in a round still to come (by the reduced costs of that round's LP alone,
which price the seats others want too) costs, in the rounds before, what taking it away
would cost them there, so that an early round does not take it for little gain.

Then, while time is left, each round is placed again with the others kept (the topics of
all other rounds held, no look-ahead costs); a placement that costs less is kept.

A round that cannot place everyone (the topics held take away the only places left) is
placed again without the topics of those left out; the rounds those then take a topic
twice with are placed again after it.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

import highspy
import numpy as np

from . import check
from .instance import Instance, Participant, Round
from .model import _Data, _Model, _placement_from

Assignment = dict[str, dict[str, str]]

FREE_SLOTS = 300  # slots placed whole by the LP that a round's MILP may place again
COMPLETION_GAP = 0.002  # of a round's MILP (`_complete`)
REPAIRS = 2  # times a round that left someone out is placed again without their topics


def by_round_placement(
    instance: Instance,
    *,
    deadline: float,
    improve: float = 1.0,
    previous: Assignment | None = None,
) -> Assignment | None:
    """Return a placement found round by round before `deadline`, or None.

    The placement keeps every rule; it may leave out whom a round could not place, and
    None means a round ran out of time. Rounds are placed again to lower the cost in the
    share `improve` of the time left after the first placement. With `previous`, as in
    the joint model, moving someone placed before costs more than any preference.
    """
    sessions = instance.sessions()
    attending = {
        r.id: [p for p in instance.participants if r.id in p.rounds] for r in instance.rounds
    }
    rounds = {r.id: r for r in instance.rounds}

    def tightness(round_: Round) -> float:
        seats = sum(min(s.capacity, len(attending[round_.id])) for s in round_.sessions)
        return len(attending[round_.id]) / max(seats, 1)

    pins = {p.id: p.fixed for p in instance.participants}
    queue = sorted(instance.rounds, key=tightness, reverse=True)
    placement: Assignment = defaultdict(dict)
    repairs = 0
    free: set[str] = set()  # people whose held topics do not count in the next round placed

    def held_in(round_id: str, *, without: set[str] = frozenset()) -> dict[str, set[str]]:
        # The topics of the rounds placed, and of the pins of the others.
        return {
            p.id: {
                sessions[s].topic
                for r, s in {**pins[p.id], **placement.get(p.id, {})}.items()
                if r != round_id and s in sessions
            }
            for p in attending[round_id]
            if p.id not in without
        }

    # Each round's LP alone, with the pins' topics held: the prices of its seats.
    prices = {
        r.id: _round_prices(
            instance, r, attending[r.id], held_in(r.id), previous, deadline=deadline
        )
        for r in queue[1:]
    }
    while queue:
        round_ = queue.pop(0)
        held = held_in(round_.id, without=free)
        later = [r for r in queue if r.id != round_.id]
        ahead = _look_ahead(later, attending[round_.id], held, prices)
        placed, left_out = _place_round(
            instance, round_, attending[round_.id], held, ahead, previous, deadline=deadline
        )
        if placed is None:
            return None
        for pid in list(placement):
            placement[pid].pop(round_.id, None)
        for pid, session_id in placed.items():
            placement[pid][round_.id] = session_id
        clashing = set()
        for pid in free:
            here = placement[pid].get(round_.id)
            for r, s in placement[pid].items():
                if r != round_.id and here and sessions[s].topic == sessions[here].topic:
                    clashing.add(r)
        free = set()
        if clashing:
            # Those placed without their topics took one again: those rounds go again.
            for r in clashing:
                for placed_rounds in placement.values():
                    placed_rounds.pop(r, None)
                if rounds[r] not in queue:
                    queue.append(rounds[r])
        elif left_out and repairs < REPAIRS:
            repairs += 1
            free = set(left_out)
            queue.insert(0, round_)
    placement = {pid: placed for pid, placed in placement.items() if placed}
    improve_until = time.monotonic() + improve * max(deadline - time.monotonic(), 0)

    def weighed(placement: Assignment) -> tuple[int, int]:
        moved = sum(
            1
            for pid, rounds in (previous or {}).items()
            for r, s in rounds.items()
            if placement.get(pid, {}).get(r, s) != s
        )
        return moved, check.placement_cost(instance, placement)

    cost = weighed(placement)
    while True:
        before = cost
        for round_ in sorted(instance.rounds, key=tightness):
            if time.monotonic() >= improve_until:
                return placement
            placed, left_out = _place_round(
                instance,
                round_,
                attending[round_.id],
                held_in(round_.id),
                {},
                previous,
                deadline=improve_until,
            )
            if placed is None or left_out:
                continue
            other = {pid: dict(r) for pid, r in placement.items()}
            for pid, session_id in placed.items():
                other.setdefault(pid, {})[round_.id] = session_id
            other_cost = weighed(other)
            if other_cost < cost:
                placement, cost = other, other_cost
        if cost >= before:
            return placement


def _look_ahead(
    later: list[Round],
    attending: list[Participant],
    held: dict[str, set[str]],
    prices: dict[str, dict[str, dict[str, float]]],
) -> dict[tuple[str, str], float]:
    """Return (participant, topic) → what taking it now costs them in the rounds to come.

    In each later round, by the reduced costs of its LP alone (`_round_prices`): when the
    topic is the only cheapest one there, the difference to the next cheapest topic.
    """
    extra: dict[tuple[str, str], float] = defaultdict(float)
    for person in attending:
        mine = held.get(person.id, set())
        for r in later:
            costs = {
                t: v for t, v in prices.get(r.id, {}).get(person.id, {}).items() if t not in mine
            }
            if len(costs) < 2:
                continue
            first, second = sorted(costs.values())[:2]
            if second > first + 1e-9:
                extra[(person.id, min(costs, key=costs.__getitem__))] += second - first
    return extra


def _round_columns(
    instance: Instance,
    round_: Round,
    attending: list[Participant],
    held: dict[str, set[str]],
    previous: Assignment | None,
) -> tuple[Instance, _Data, list[tuple[int, int]], list[str]]:
    """Return (the round as an instance, its data, its columns, each session's topic).

    The columns: every session of the round whose topic the participant does not hold,
    or their pin.
    """
    rid = round_.id
    sub = Instance(
        rounds=(round_,),
        participants=tuple(
            Participant(
                id=p.id,
                group=p.group,
                preferences={rid: p.preferences[rid]} if rid in p.preferences else {},
                fixed={rid: p.fixed[rid]} if rid in p.fixed else {},
            )
            for p in attending
        ),
        rules=instance.rules,
    )
    data = _Data(sub, previous)
    topics = [data.topic_names[t] for t in data.topic]
    columns = []
    for i, slot in enumerate(data.slots):
        if slot.fixed is not None:
            columns.append((i, slot.fixed))
            continue
        mine = held.get(sub.participants[slot.participant].id, set())
        columns.extend((i, s) for s in data.round_sessions[0] if topics[s] not in mine)
    return sub, data, columns, topics


def _round_prices(
    instance: Instance,
    round_: Round,
    attending: list[Participant],
    held: dict[str, set[str]],
    previous: Assignment | None,
    deadline: float,
) -> dict[str, dict[str, float]]:
    """Return participant → topic → its least reduced cost in the round's LP alone.

    What a participant's placement in the round costs beyond the LP's, at a session of
    that topic: the LP's duals price the seats others want too, which their own ranking
    does not show. Pinned participants have none.
    """
    sub, data, columns, topics = _round_columns(instance, round_, attending, held, previous)
    model = _Model(data, columns, tight=True)
    h = model.highs(integer=False, deadline=deadline)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return {}
    reduced = np.array(h.getSolution().col_dual)[: model.n_x] * data.scale
    prices: dict[str, dict[str, float]] = defaultdict(dict)
    for (slot_i, session), value in zip(model.columns, reduced.tolist(), strict=True):
        slot = data.slots[slot_i]
        if slot.fixed is not None:
            continue
        mine = prices[sub.participants[slot.participant].id]
        topic = topics[session]
        mine[topic] = min(mine.get(topic, value), value)
    return prices


def _place_round(
    instance: Instance,
    round_: Round,
    attending: list[Participant],
    held: dict[str, set[str]],
    ahead: dict[tuple[str, str], float],
    previous: Assignment | None,
    *,
    deadline: float,
) -> tuple[dict[str, str] | None, list[str]]:
    """Return (participant → session, participants left out) of one round, or (None, [])."""
    sub, data, columns, topics = _round_columns(instance, round_, attending, held, previous)

    def look_ahead(model: _Model) -> None:
        if not ahead:
            return
        costs = model.col_cost.copy()
        for c, (slot_i, session) in enumerate(model.columns):
            pid = sub.participants[data.slots[slot_i].participant].id
            costs[c] += ahead.get((pid, topics[session]), 0.0) / data.scale
        model.col_cost = costs

    chosen = _solve_round(data, columns, look_ahead, deadline)
    if chosen is None:
        return None, []
    placed = {
        sub.participants[data.slots[i].participant].id: data.sessions[s].id
        for i, s in chosen.items()
    }
    left_out = [
        sub.participants[slot.participant].id
        for i, slot in enumerate(data.slots)
        if i not in chosen
    ]
    return placed, left_out


def _solve_round(data: _Data, columns, adjust, deadline: float) -> dict[int, int] | None:
    """Return slot → session of a round: its LP, then a MILP over what the LP left open.

    The LP of one round is nearly integral (some dozens of fractional columns among 80,000
    at 2,700 people, in 0.4 s), where HiGHS's MILP over every column takes 20 s: the slots
    the LP places whole keep their session, and a small MILP places the rest; when that
    leaves no room, only the slots outside the sessions the LP shares out in parts keep
    theirs. The LP may mix spread levels (L = 1.5), which the placements it fixed then
    need both of: then the level nearest its mean is fixed and the same done, then the
    level below its mean. When that fails too, HiGHS's MILP over every column has what is left
    of the time. `adjust(model)`: changes its costs.
    """
    best: dict[int, int] | None = None
    fewest = len(data.slots) + 1

    def complete(model: _Model, values: np.ndarray, box: dict) -> bool:
        nonlocal best, fewest
        x = values[: model.n_x]
        whole = x > 1 - 1e-6
        keep = {model.columns[c][0]: model.columns[c][1] for c in np.nonzero(whole)[0].tolist()}
        # The sessions the LP shares out in parts, those with the most shared out first.
        shared: dict[int, float] = defaultdict(float)
        for c in np.nonzero((x > 1e-6) & ~whole)[0].tolist():
            shared[model.columns[c][1]] += float(x[c])
        size: dict[int, int] = defaultdict(int)
        for s in keep.values():
            size[s] += 1
        freed, parts = 0, set()
        for session in sorted(shared, key=lambda s: -shared[s]):
            if freed and freed + size[session] > FREE_SLOTS:
                break
            parts.add(session)
            freed += size[session]
        # Freeing many more is nearly HiGHS's MILP over the round (11 s at 880 people, where
        # the first took 1 s): left for the last resort.
        fewer = {slot: s for slot, s in keep.items() if s not in parts}
        worth = len(fewer) < len(keep)
        for kept in [keep] + [fewer] * worth:
            if time.monotonic() >= deadline:
                return False
            placed, left_out = _complete(data, model, kept, box, adjust, deadline)
            if placed is not None and left_out < fewest:
                best, fewest = placed, left_out
            if placed is not None and not left_out:
                return True
        return False

    boxes: list[dict] = [{}]
    while boxes:
        box = boxes.pop(0)
        if time.monotonic() >= deadline:
            return best
        model = _Model(data, columns, tight=True, box=box)
        adjust(model)
        h = model.highs(integer=False, deadline=deadline)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return best
        lp = np.array(h.getSolution().col_value)
        if not box:
            # The levels the LP leans to: the one with the largest share, the one below
            # its mean (one and the same when the LP takes one level).
            boxes = [_leaning_levels(model, lp, k) for k in range(2)]
            boxes = [b for k, b in enumerate(boxes) if b and b not in boxes[:k]]
            if len(boxes) > 1:
                continue  # the LP mixes levels: fix them first
            boxes = []
        if complete(model, lp, box):
            return best
    if time.monotonic() < deadline:
        full = _Model(data, columns, tight=True)
        adjust(full)
        complete(full, np.zeros(full.n_cols), {})
    return best


def _complete(data, model, keep, box, adjust, deadline) -> tuple[dict[int, int] | None, int]:
    """Return (slot → session, slots left out) of a MILP with the slots of `keep` fixed.

    None when it found no placement that keeps the spread rule.
    """
    small = _Model(
        data,
        [(slot, s) for slot, s in model.columns if slot not in keep or keep[slot] == s],
        tight=True,
        box=box,
    )
    adjust(small)
    h = small.highs(integer=True, deadline=deadline)
    if keep:
        # Its presolve took 0.7 s of HiGHS's 0.75 on 755 columns, and saves nothing here.
        h.setOptionValue("presolve", "off")
    # A placement within 0.2 % of the best of this MILP is good enough: proving the rest
    # took as long again.
    h.setOptionValue("mip_rel_gap", COMPLETION_GAP)
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None, 0
    values = np.array(h.getSolution().col_value)
    placed = _placement_from(small.columns, values, small.n_x)
    left_out = len(data.slots) - len(placed)
    if small.incomplete(values) != left_out:  # a spread bound missed: no placement
        return None, 0
    return placed, left_out


def _leaning_levels(model: _Model, lp: np.ndarray, attempt: int) -> dict:
    """Return a box that fixes each spread level of the round where the LP leans to.

    The LP's level: its mean over the level binaries, or the whole-number level L as it
    is. `attempt` 0: that rounded; 1: rounded down. (The level with the largest share was
    often far off: 1 where the mean was 10, and an LP 45 % dearer.)
    """
    box = {}
    means = [
        (g, sum(level * float(lp[model.first_extra + first + i]) for i, level in enumerate(levels)))
        for _sessions, g, first, levels in model.levels
    ]
    means += [(g, float(lp[model.first_extra + k])) for _sessions, g, k in model.free_levels]
    for g, mean in means:
        level = round(mean) if attempt == 0 else math.floor(mean + 1e-6)
        box[(0, g)] = (level, level)
    return box
