"""A placement round by round: for when the joint model finds none within the time limit.

The joint model (`model.py`) ties the rounds together only through the topic rule (nobody
takes a topic twice); without it each round is a far smaller and easier problem (3,000
people in 4 rounds of 30 sessions: a tenth of a second or two a round, where the joint
model needs 8 s for its first placement). Each round is placed with the exact rules of the
joint model (`_Model` over the round's part of its data: capacity, the group share rounded
up, the spread rule, pins) over every session whose topic the participant does not hold
yet from the rounds placed before or from a pin; the tightest rounds (fewest seats per
participant) first. A round's LP starts from each participant's ranked sessions and a few
of the least wanted ones and takes in the others its duals price below their cost (column
generation, as in the joint model): its value is that of the LP over every session, at a
fraction of the time (80,000 columns at 2,700 people, of which a few thousand are ever
needed).

A topic that is someone's only cheapest one in a round still to come (by the reduced
costs of that round's LP alone, which price the seats others want too) costs, in the
rounds before, what taking it away would cost them there, so that an early round does not
take it for little gain. Without `look_ahead` (the first placement of a short time limit)
these prices are not computed: three LPs fewer, at some per cent more cost.

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
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from . import check
from .instance import Instance
from .model import EPS, _Data, _Model, _placement_from, _reduced_costs, _spread_columns

Assignment = dict[str, dict[str, str]]
Placement = dict[int, int]  # slot → session, as indices of `_Data`
# (slots, sessions) → what placing them there costs beyond their own cost (scaled units).
Extra = Callable[[_Data, np.ndarray, np.ndarray], np.ndarray]

FALLBACKS = 2  # least wanted sessions per slot in a round's first LP (pricing adds the rest)
FREE_SLOTS = 300  # slots placed whole by the LP that a round's MILP may place again
COMPLETION_GAP = 0.002  # of a round's MILP (`_complete`)
REPAIRS = 2  # times a round that left someone out is placed again without their topics


def by_round_placement(
    instance: Instance,
    *,
    deadline: float,
    improve: float = 1.0,
    previous: Assignment | None = None,
    quick: bool = False,
) -> Assignment:
    """Return a placement found round by round before `deadline`.

    The placement keeps every rule; it may leave out whom a round could not place, and
    the rounds not placed when the deadline came. Rounds are placed again to lower the cost in the
    share `improve` of the time left after the first placement. With `previous`, as in
    the joint model, moving someone placed before costs more than any preference. `quick`:
    the first placement without the later rounds' prices, and each round's LP over the
    first columns that place everyone (see the module's docstring).
    """
    data = _Data(instance, previous)
    return data.assignment(place_by_round(data, deadline=deadline, improve=improve, quick=quick))


def place_by_round(
    data: _Data, *, deadline: float, improve: float = 1.0, quick: bool = False
) -> Placement:
    """Return `by_round_placement` as slot → session of `data`."""
    n_rounds = len(data.round_sessions)
    n_people = len(data.instance.participants)
    parts = [data.round_part(r) for r in range(n_rounds)]
    pin = np.array([-1 if s.fixed is None else s.fixed for s in data.slots], dtype=np.int64)
    at = np.full(len(data.slots), -1, dtype=np.int64)  # the placement: session, or -1
    slot_of = np.full((n_people, n_rounds), -1, dtype=np.int64)
    slot_of[data.slot_participant, data.slot_round] = np.arange(len(data.slots))

    def tightness(r: int) -> float:
        attending = len(parts[r][1])
        seats = sum(min(data.capacity[s], attending) for s in data.round_sessions[r])
        return attending / max(seats, 1)

    def held(r: int, *, without: set[int] = frozenset()) -> np.ndarray:
        # participant × topic: the topics of the rounds placed, and of the pins of the others.
        return _held(data, np.where(at >= 0, at, pin), r, without)

    # A round nobody takes part in has nothing to place.
    taken = [r for r in range(n_rounds) if len(parts[r][1])]
    queue = sorted(taken, key=tightness, reverse=True)
    # Each later round's LP alone, with the pins' topics held: the prices of its seats.
    prices = {}
    if not quick:
        for r in queue[1:]:
            prices[r] = _round_prices(*parts[r], held(r), deadline=deadline)
            if prices[r] is None:
                return {}
    repairs = 0
    free: set[int] = set()  # people whose held topics do not count in the next round placed
    took = 0.0  # the longest a round took
    while queue:
        began = time.monotonic()
        r = queue.pop(0)
        mine = held(r, without=free)
        later = [prices[q] for q in queue if q != r and q in prices]
        extra = _look_ahead(data, later, mine) if later else None
        chosen = _place_round(*parts[r], mine, extra, deadline=deadline, price=not quick)
        if chosen is None:
            return _as_placement(at)  # the rounds placed before the deadline
        took = max(took, time.monotonic() - began)
        slots = parts[r][1]
        at[slots] = -1
        for view_i, session in chosen.items():
            at[slots[view_i]] = session
        left_out = set(data.slot_participant[slots[at[slots] < 0]].tolist())
        clashing = set()
        for person in free:
            here = at[slot_of[person, r]]
            for q in range(n_rounds):
                there = at[slot_of[person, q]] if slot_of[person, q] >= 0 else -1
                if q != r and here >= 0 and there >= 0 and data.topic[there] == data.topic[here]:
                    clashing.add(q)
        free = set()
        if clashing:
            # Those placed without their topics took one again: those rounds go again.
            for q in clashing:
                at[parts[q][1]] = -1
                if q not in queue:
                    queue.append(q)
        elif left_out and repairs < REPAIRS:
            repairs += 1
            free = left_out
            queue.insert(0, r)
    improve_until = time.monotonic() + improve * max(deadline - time.monotonic(), 0)
    cost = _weighted_cost(data, at)
    while True:
        before = cost
        for r in sorted(taken, key=tightness):
            # Not begun when it would not end in time (with every column priced it takes
            # about twice as long as the first time): the time after it is someone else's.
            if time.monotonic() + (2 * took if quick else took) >= improve_until:
                return _as_placement(at)
            began = time.monotonic()
            chosen = _place_round(*parts[r], held(r), None, deadline=improve_until)
            took = max(took, time.monotonic() - began)
            slots = parts[r][1]
            if chosen is None or len(chosen) < len(slots):
                continue
            other = at.copy()
            for view_i, session in chosen.items():
                other[slots[view_i]] = session
            other_cost = _weighted_cost(data, other)
            if other_cost < cost:
                at, cost = other, other_cost
        if cost >= before:
            return _as_placement(at)


def _as_placement(at: np.ndarray) -> Placement:
    placed = np.nonzero(at >= 0)[0]
    return dict(zip(placed.tolist(), at[placed].tolist(), strict=True))


def _weighted_cost(data: _Data, at: np.ndarray) -> float:
    """Return the weighted objective of a placement (moves and people left out included)."""
    placed = np.nonzero(at >= 0)[0]
    return float(data.column_costs(placed, at[placed]).sum()) + data.unplaced_cost * (
        len(at) - len(placed)
    )


def _held(data: _Data, sessions: np.ndarray, r: int, without: set[int]) -> np.ndarray:
    """Return participant × topic: whom a session of another round in `sessions` gives it."""
    table = np.zeros((len(data.instance.participants), len(data.topic_names)), dtype=bool)
    other = (data.slot_round != r) & (sessions >= 0)
    table[data.slot_participant[other], data.topic[sessions[other]]] = True
    if without:
        table[list(without)] = False
    return table


def _look_ahead(data: _Data, later: list[np.ndarray], held: np.ndarray) -> Extra:
    """Return what taking a topic now costs each participant in the rounds to come.

    In each later round, by the reduced costs of its LP alone (`_round_prices`): when the
    topic is the only cheapest one there, the difference to the next cheapest topic.
    """
    extra = np.zeros(held.shape)
    rows = np.arange(held.shape[0])
    for prices in later:
        costs = np.where(held, np.inf, prices)
        if costs.shape[1] < 2:
            continue
        first, second = np.partition(costs, 1, axis=1)[:, :2].T
        best = np.argmin(costs, axis=1)
        counts = np.isfinite(second)  # then `first` is finite too
        gain = np.where(counts, second, 0.0) - np.where(counts, first, 0.0)
        counts &= gain > 1e-9
        extra[rows[counts], best[counts]] += gain[counts]

    def cost(part: _Data, slots: np.ndarray, sessions: np.ndarray) -> np.ndarray:
        return extra[part.slot_participant[slots], data.topic[sessions]]

    return cost


def _round_prices(
    part: _Data, slots: np.ndarray, held: np.ndarray, *, deadline: float
) -> np.ndarray | None:
    """Return participant × topic: the least reduced cost of its sessions in the round's LP.

    What a participant's placement in the round costs beyond the LP's, at a session of
    that topic: the LP's duals price the seats others want too, which their own ranking
    does not show. Infinite where the topic has no session for them (held, or pinned);
    None when the time ended first.
    """
    allowed = _allowed(part, held)
    lp = _round_lp(part, _first_columns(part, allowed), allowed, None, deadline=deadline)
    if lp is None:
        return None
    slot_all = np.concatenate([lp.model.pairs[:, 0], lp.out_slot])
    session_all = np.concatenate([lp.model.pairs[:, 1], lp.out_session])
    reduced_all = np.concatenate([lp.reduced[: lp.model.n_x], lp.out_reduced])
    free = ~part.slot_fixed[slot_all]
    prices = np.full(held.shape, np.inf)
    np.minimum.at(
        prices,
        (part.slot_participant[slot_all[free]], part.topic[session_all[free]]),
        reduced_all[free],
    )
    return prices


def _allowed(part: _Data, held: np.ndarray) -> np.ndarray:
    """Return slot × session of the round's part: the columns a slot may take.

    Every session of the round whose topic the participant does not hold; a pinned slot
    its pin only.
    """
    n = len(part.sessions)
    allowed = np.zeros((len(part.slots), n), dtype=bool)
    sessions = np.array(part.round_sessions[int(part.slot_round[0])], dtype=np.int64)
    allowed[:, sessions] = ~held[part.slot_participant][:, part.topic[sessions]]
    pinned = np.nonzero(part.slot_fixed)[0]
    allowed[pinned] = False
    allowed[pinned, [part.slots[i].fixed for i in pinned.tolist()]] = True
    return allowed


def _first_columns(part: _Data, allowed: np.ndarray) -> list[tuple[int, int]]:
    """Return the columns of a round's first LP: ranked, a few spare, and spread members.

    Each slot's ranked sessions (and the one it had before), `FALLBACKS` of the least
    wanted sessions for their size (each slot from another place among them, so that not
    everyone gets the same ones), and enough candidates of every spread group in every mix
    session (`_spread_columns`). Only columns in `allowed`.
    """
    n = len(part.sessions)
    wanted = np.zeros(allowed.shape, dtype=bool)
    key_slot, key_session = part._ranked_key // n, part._ranked_key % n
    wanted[key_slot, key_session] = True
    before = np.nonzero(part._previous >= 0)[0]
    wanted[before, part._previous[before]] = True
    wanted &= allowed
    pinned = np.nonzero(part.slot_fixed)[0]
    wanted[pinned] = allowed[pinned]  # the pin alone
    demand = np.zeros(n)
    np.add.at(demand, key_session, 1.0 / (1.0 + part._ranked_cost))
    sessions = part.round_sessions[int(part.slot_round[0])]
    pool = sorted(sessions, key=lambda s: (demand[s] / max(part.capacity[s], 0.5), s))
    pool = np.array(pool[: max(FALLBACKS, (len(pool) + 1) // 2)], dtype=np.int64)
    turn = (np.arange(len(part.slots))[:, None] * FALLBACKS + np.arange(len(pool))) % len(pool)
    spare = pool[turn]  # slot × place in the pool
    rows = np.arange(len(part.slots))[:, None]
    fits = allowed[rows, spare] & ~wanted[rows, spare]
    fits &= np.cumsum(fits, axis=1) <= FALLBACKS
    wanted[np.nonzero(fits)[0], spare[fits]] = True
    slots, chosen = np.nonzero(wanted)
    columns = list(zip(slots.tolist(), chosen.tolist(), strict=True))
    return columns + [c for c in _spread_columns(part, columns) if allowed[c]]


@dataclass
class _RoundLp:
    model: _Model
    solution: np.ndarray
    reduced: np.ndarray  # of the model's columns
    out_slot: np.ndarray  # the allowed columns outside the model, and their reduced costs
    out_session: np.ndarray
    out_reduced: np.ndarray


def _round_lp(
    part: _Data,
    columns: list[tuple[int, int]],
    allowed: np.ndarray,
    extra: Extra | None,
    *,
    deadline: float,
    box: dict | None = None,
    price: bool = True,
) -> _RoundLp | None:
    """Return a round's LP over the columns of `allowed`, or None when the time ended first.

    Column generation: columns whose reduced cost (with `extra`) is negative are added
    until none is left, so the LP's value is that over every allowed column (when the
    deadline comes first, the last LP solved). Without `price`, only until the LP places
    everyone: each LP took 0.2 s at 3,000 people in 300 sessions, and the first, over the
    ranked and a few spare sessions, placed everyone at some per cent more cost.
    """
    while True:
        model = _Model(part, columns, tight=True, box=box)
        if extra is not None:
            _add_extra(part, model, extra)
        h = model.highs(integer=False, deadline=deadline)
        h.setBasis(model.start_basis())
        # Devex: the dual steepest edge weights of a basis other than the slack one cost
        # as much as the LP (0.07 s of 0.12 at 3,000 people).
        h.setOptionValue("simplex_dual_edge_weight_strategy", 1)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = h.getSolution()
        values = np.array(solution.col_value)
        if not price and not model.incomplete(values):
            nothing = np.zeros(0, dtype=np.int64)
            return _RoundLp(model, values, model.column_duals(h), nothing, nothing, nothing)
        out_slot, out_session, out_reduced = _reduced_costs(part, model, model.duals(h))
        keep = allowed[out_slot, out_session]
        out_slot, out_session, out_reduced = out_slot[keep], out_session[keep], out_reduced[keep]
        if extra is not None:
            out_reduced = out_reduced + extra(part, out_slot, out_session)
        negative = out_reduced < -EPS
        if not negative.any() or time.monotonic() >= deadline:
            duals = model.column_duals(h)
            return _RoundLp(model, values, duals, out_slot, out_session, out_reduced)
        columns = columns + list(
            zip(out_slot[negative].tolist(), out_session[negative].tolist(), strict=True)
        )


def _add_extra(part: _Data, model: _Model, extra: Extra) -> None:
    model.col_cost = model.col_cost.copy()
    model.col_cost[: model.n_x] += extra(part, model.pairs[:, 0], model.pairs[:, 1])


def _place_round(
    part: _Data,
    slots: np.ndarray,
    held: np.ndarray,
    extra: Extra | None,
    *,
    deadline: float,
    price: bool = True,
) -> Placement | None:
    """Return slot → session of one round (slots of `part`; some may be left out), or None.

    The round's LP (`_round_lp`), then a MILP over what it left open. The LP of one round
    is nearly integral (some dozens of fractional columns among 80,000 at 2,700 people):
    the slots it places whole keep their session, and a small MILP places the rest; when
    that leaves no room, only the slots outside the sessions the LP shares out in parts
    keep theirs. The LP may mix spread levels (L = 1.5), which the placements it fixed then
    need both of: then the level nearest its mean is fixed and the same done, then the
    level below its mean. When that fails too, HiGHS's MILP over every allowed column has
    what is left of the time. None when the time ended before any placement.
    """
    allowed = _allowed(part, held)
    best: Placement | None = None
    fewest = len(part.slots) + 1

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
        # The LP places everyone whole (most rounds): no MILP needed, when its spread levels,
        # which the LP may leave in parts, allow these counts.
        whole_lp = len(keep) == len(part.slots) and not model.incomplete(values)
        if whole_lp and _spread_holds(part, keep):
            best, fewest = keep, 0
            return True
        for kept in [keep] + [fewer] * worth:
            if time.monotonic() >= deadline:
                return False
            placed, left_out = _complete(part, model, kept, box, extra, deadline)
            if placed is not None and left_out < fewest:
                best, fewest = placed, left_out
            if placed is not None and not left_out:
                return True
        return False

    columns = _first_columns(part, allowed)
    boxes: list[dict] = [{}]
    while boxes:
        box = boxes.pop(0)
        if time.monotonic() >= deadline:
            return best
        solved = _round_lp(part, columns, allowed, extra, deadline=deadline, box=box, price=price)
        if solved is None:
            return best
        model, lp = solved.model, solved.solution
        columns = model.columns
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
        slots_all, sessions_all = np.nonzero(allowed)
        every = list(zip(slots_all.tolist(), sessions_all.tolist(), strict=True))
        full = _Model(part, every, tight=True)
        if extra is not None:
            _add_extra(part, full, extra)
        complete(full, np.zeros(full.n_cols), {})
    return best


def _spread_holds(part: _Data, placement: Placement) -> bool:
    """Return whether each spread group is spread evenly over the round's mix sessions."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for slot, session in placement.items():
        counts[(session, int(part.slot_group[slot]))] += 1
    mixed = [s for s in part.round_sessions[int(part.slot_round[0])] if part.mix[s]]
    capacities = [part.sessions[s].capacity for s in mixed]
    return all(
        check.spread_is_even([counts[(s, g)] for s in mixed], capacities)
        for g in part.spread_groups
    )


def _complete(part, model, keep, box, extra, deadline) -> tuple[Placement | None, int]:
    """Return (slot → session, slots left out) of a MILP with the slots of `keep` fixed.

    None when it found no placement that keeps the spread rule or the slots of `keep`.
    """
    small = _Model(
        part,
        [(slot, s) for slot, s in model.columns if slot not in keep or keep[slot] == s],
        tight=True,
        box=box,
    )
    if extra is not None:
        _add_extra(part, small, extra)
    # The kept slots' columns fixed at 1: HiGHS's presolve takes them out at once (a MILP
    # over 3,000 slots of which 20 are open took 0.5 s with them as columns that could
    # still go to 0, 0.01 s fixed). A `keep` that leaves no room is then infeasible.
    small.col_lower = small.col_lower.copy()
    small.col_lower[[c for c, (slot, _) in enumerate(small.columns) if slot in keep]] = 1.0
    h = small.highs(integer=True, deadline=deadline)
    # A placement within 0.2 % of the best of this MILP is good enough: proving the rest
    # took as long again.
    h.setOptionValue("mip_rel_gap", COMPLETION_GAP)
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None, 0
    values = np.array(h.getSolution().col_value)
    placed = _placement_from(small.columns, values, small.n_x)
    left_out = len(part.slots) - len(placed)
    if small.incomplete(values) != left_out:  # a spread bound missed: no placement
        return None, 0
    return placed, left_out


def _leaning_levels(model: _Model, lp: np.ndarray, attempt: int) -> dict:
    """Return a box that fixes each spread level of the round where the LP leans to.

    The LP's level: its mean over the level binaries, or the whole-number level L as it
    is. `attempt` 0: that rounded; 1: rounded down. (The level with the largest share was
    often far off: 1 where the mean was 10, and an LP 45 % dearer.)
    """
    values = lp[model.first_extra :]
    means = [
        (sessions, g, sum(level * float(values[first + i]) for i, level in enumerate(levels)))
        for sessions, g, first, levels in model.levels
    ]
    means += [(sessions, g, float(values[k])) for sessions, g, k in model.free_levels]
    box = {}
    for sessions, g, mean in means:
        level = round(mean) if attempt == 0 else math.floor(mean + 1e-6)
        box[(int(model.data.session_round[sessions[0]]), g)] = (level, level)
    return box
