"""Fewer repeat meetings by re-placing the people of one round exactly (a small MILP).

The local search in `solve.fewer_repeats` moves one person or swaps two; some placements
with fewer pairs meeting again are only reached by moving several people at once (a
resident leaves a session only if another resident comes in, the seat they free is taken by
a third person, ...). This re-places the people of a few sessions of one round at a time,
all others kept where they are, by a MILP that counts the pairs meeting again exactly and
keeps every rule and the placement's cost:

- each person in one session of the round, never one that repeats a topic of their other
  rounds (those stay as they are);
- seats: at most the capacity;
- the spread groups keep their number in every mix session (the spread rule then holds as
  it did);
- the group share of a mix session with n people: count ≤ ceil(share·n), written exactly
  as den·count − num·n ≤ den − 1 for share = num/den (both sides are whole numbers);
- the cost of the people re-placed does not rise.

The objective is the number of pairs who meet in this round and met exactly once in the
other rounds (a pair that met twice already is a repeat whatever happens here): a pair of
two people re-placed costs z ≥ x_a,s + x_b,s − 1 for each mix session s; a pair with one
person kept is linear in the other's placement.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict

import highspy
import numpy as np

from . import check
from .instance import Instance
from .model import mix_facets, new_highs

Assignment = dict[str, dict[str, str]]

# How many people one MILP re-places at most: 100 solve in about 0.1 s (160 took 0.5 s, 60 too
# few sessions to find anything): the pair rows grow with the square of the neighbourhood.
NEIGHBOURHOOD = 100


def fewer_repeats_by_round(
    instance: Instance,
    assignment: Assignment,
    *,
    deadline: float,
    previous: Assignment | None = None,
    seed: int = 1,
) -> Assignment:
    """Return `assignment` with no more pairs meeting again, re-placing a round's sessions.

    Round after round (the one with most repeat meetings first), the sessions where pairs
    meet again, with others drawn at random up to `NEIGHBOURHOOD` people, are re-placed
    optimally; a result is taken only when it has fewer repeat meetings, the same or a lower
    cost and breaks no rule (checked independently of the MILP). Stops at `deadline`
    (time.monotonic()) or when a whole pass over the rounds finds nothing better.
    """
    rng = random.Random(seed)  # noqa: S311 - which sessions to take, reproducible
    best = {pid: dict(rounds) for pid, rounds in assignment.items()}
    began = time.monotonic()
    best_repeats = check.repeat_pairs(instance, best)
    # A try counts who meets whom three times over (`_replace_round`, then the checks): one
    # is not started when it would end after the deadline (at 5,000 people in 3 rounds of
    # 100 sessions of 50, one try took 2 s and ended a limit of 20 s 1.8 s late).
    took = 3 * (time.monotonic() - began)
    best_cost = check.placement_cost(instance, best)
    members = check.session_members(instance, best)
    rounds = [
        r
        for r in instance.rounds
        if any(s.mix for s in r.sessions) and _two_fit(instance, members, r, previous)
    ]
    idle = 0  # rounds tried since the last improvement
    while best_repeats and rounds and idle < 2 * len(rounds):
        began = time.monotonic()
        if began + took >= deadline - 0.05:
            break
        by_repeats = _repeats_per_round(instance, best)
        round_ = max(rounds, key=lambda r: (by_repeats[r.id], rng.random()))
        if idle:
            round_ = rounds[(rounds.index(round_) + idle) % len(rounds)]
        tried = _replace_round(instance, best, round_.id, deadline, previous, rng)
        if tried is not None:
            repeats = check.repeat_pairs(instance, tried)
            cost = check.placement_cost(instance, tried)
            took = max(took, time.monotonic() - began)
            if (
                repeats < best_repeats
                and cost <= best_cost
                and not check.check_rules(instance, tried).total
            ):
                best, best_repeats, best_cost, idle = tried, repeats, cost, 0
                continue
        idle += 1
    return best


def _two_fit(instance: Instance, members: dict, round_, previous: Assignment | None) -> bool:
    """Return whether two sessions of the round fit in one neighbourhood (`_replace_round`).

    Otherwise nothing is re-placed there, and counting who meets whom for it took seconds
    at 3,000 people in sessions of 110.
    """
    pinned = {p.id for p in instance.participants if round_.id in p.fixed}
    sizes = sorted(
        sum(1 for p in members[s.id] if p not in pinned and not (previous and p in previous))
        for s in round_.sessions
    )
    return len(sizes) >= 2 and sizes[0] + sizes[1] <= NEIGHBOURHOOD


def _repeats_per_round(instance: Instance, assignment: Assignment) -> Counter:
    """Return round id → how many repeat pairs meet in that round."""
    mix_round = {s.id: r.id for r in instance.rounds for s in r.sessions if s.mix}
    meetings: dict[tuple[str, str], list[str]] = defaultdict(list)
    for session_id, people in check.session_members(instance, assignment).items():
        if session_id in mix_round:
            people = sorted(people)
            for i, a in enumerate(people):
                for b in people[i + 1 :]:
                    meetings[(a, b)].append(mix_round[session_id])
    counts: Counter = Counter()
    for rounds in meetings.values():
        if len(rounds) > 1:
            counts.update(rounds)
    return counts


def _replace_round(
    instance: Instance,
    assignment: Assignment,
    round_id: str,
    deadline: float,
    previous: Assignment | None,
    rng: random.Random,
) -> Assignment | None:
    """Return the assignment with some sessions of `round_id` re-placed optimally, or None."""
    rules = instance.rules
    sessions = instance.sessions()
    people = {p.id: p for p in instance.participants}
    round_sessions = next(r.sessions for r in instance.rounds if r.id == round_id)
    members = check.session_members(instance, assignment)

    def movable(pid: str) -> bool:
        return round_id not in people[pid].fixed and not (previous and pid in previous)

    # Pairs by how often they meet in the other rounds' mix sessions.
    this_round = {s.id for s in round_sessions}
    met: Counter = Counter()
    for session_id, present in members.items():
        session = sessions.get(session_id)
        if session is None or not session.mix or session_id in this_round:
            continue
        present = sorted(present)
        for i, a in enumerate(present):
            for b in present[i + 1 :]:
                met[(a, b)] += 1

    # The sessions to re-place: those where pairs meet again, then others at random.
    def repeats_in(session_id: str) -> int:
        present = sorted(members[session_id])
        return sum(
            1 for i, a in enumerate(present) for b in present[i + 1 :] if met.get((a, b), 0) >= 1
        )

    candidates = [s for s in round_sessions if any(movable(p) for p in members[s.id])]
    hot = [s for s in candidates if s.mix and repeats_in(s.id)]
    rest = [s for s in candidates if s not in hot]
    rng.shuffle(hot)
    rng.shuffle(rest)
    chosen, size = [], 0
    for session in hot + rest:
        n = sum(1 for p in members[session.id] if movable(p))
        if chosen and size + n > NEIGHBOURHOOD:
            continue
        chosen.append(session)
        size += n
    if len(chosen) < 2 or not hot:
        return None
    chosen_ids = [s.id for s in chosen]
    free = [p for s in chosen_ids for p in members[s] if movable(p)]
    kept = {s: [p for p in members[s] if not movable(p)] for s in chosen_ids}

    def cost(pid: str, session_id: str) -> int:
        ranked = people[pid].preferences.get(round_id, ())
        return rules.choice_cost(ranked.index(session_id) if session_id in ranked else None)

    # Columns: x[p, s] for the sessions p may take; then z per pair of free people.
    columns: list[tuple[int, int]] = []  # (free index, chosen index)
    col_cost: list[float] = []
    for i, pid in enumerate(free):
        other_topics = {sessions[s].topic for r, s in assignment[pid].items() if r != round_id}
        for j, session in enumerate(chosen):
            if session.topic not in other_topics:
                columns.append((i, j))
                col_cost.append(0.0)
    col_of = {key: c for c, key in enumerate(columns)}
    rows_lower: list[float] = []
    rows_upper: list[float] = []
    entries: list[tuple[int, int, float]] = []  # (row, column, value)

    def row(lower: float, upper: float, terms) -> None:
        r = len(rows_lower)
        rows_lower.append(lower)
        rows_upper.append(upper)
        entries.extend((r, c, v) for c, v in terms)

    inf = highspy.kHighsInf
    for i in range(len(free)):
        row(1.0, 1.0, [(col_of[(i, j)], 1.0) for j in range(len(chosen)) if (i, j) in col_of])
    current_cost = sum(cost(p, s) for s in chosen_ids for p in members[s] if movable(p))
    row(
        -inf,
        float(current_cost),
        [(c, float(cost(free[i], chosen_ids[j]))) for c, (i, j) in enumerate(columns)],
    )
    share = rules.share_fraction
    spread = set(rules.spread_groups)
    groups = sorted(
        {people[p].group for p in free} | {people[p].group for s in kept for p in kept[s]}
    )
    for j, session in enumerate(chosen):
        in_session = [(c, i) for c, (i, jj) in enumerate(columns) if jj == j]
        held = kept[session.id]
        row(-inf, float(session.capacity - len(held)), [(c, 1.0) for c, _ in in_session])
        if not session.mix:
            continue
        for group in groups:
            own = [(c, i) for c, i in in_session if people[free[i]].group == group]
            held_own = sum(1 for p in held if people[p].group == group)
            if group in spread:
                now = sum(1 for p in members[session.id] if people[p].group == group)
                row(now - held_own, now - held_own, [(c, 1.0) for c, _ in own])
            # The exact rule as the facets of its hull (`model.mix_facets`): own·count +
            # other·(size − count) ≤ limit, the kept people moved to the right. Whole
            # coefficients up to the capacity, where den·count − num·size ≤ den − 1 would
            # need den = 10**9 for a share of 1e-09.
            others = [(c, i) for c, i in in_session if people[free[i]].group != group]
            capacity = min(session.capacity, len(free) + len(held))
            for own_k, other_k, limit in mix_facets(capacity, share.numerator, share.denominator):
                terms = [(c, float(own_k)) for c, _ in own]
                terms += [(c, float(other_k)) for c, _ in others]
                upper = limit - own_k * held_own - other_k * (len(held) - held_own)
                row(-inf, float(upper), terms)
    # The objective: pairs meeting here who met once elsewhere.
    index = {pid: i for i, pid in enumerate(free)}
    pair_columns = 0
    n_x = len(columns)
    for j, session in enumerate(chosen):
        if not session.mix:
            continue
        for p in kept[session.id]:
            for i, pid in enumerate(free):
                if met.get(tuple(sorted((p, pid))), 0) == 1 and (i, j) in col_of:
                    col_cost[col_of[(i, j)]] += 1.0
    pairs = [
        (index[a], index[b]) for (a, b), n in met.items() if n == 1 and a in index and b in index
    ]
    for ia, ib in pairs:
        z = n_x + pair_columns
        pair_columns += 1
        for j, session in enumerate(chosen):
            if session.mix and (ia, j) in col_of and (ib, j) in col_of:
                # x_a + x_b − z ≤ 1
                row(-inf, 1.0, [(col_of[(ia, j)], 1.0), (col_of[(ib, j)], 1.0), (z, -1.0)])
    n_cols = n_x + pair_columns
    costs = np.array(col_cost + [1.0] * pair_columns)
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = len(rows_lower)
    lp.col_cost_ = costs
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.ones(n_cols)
    lp.row_lower_ = np.array(rows_lower)
    lp.row_upper_ = np.array(rows_upper)
    r_idx = np.array([e[0] for e in entries], dtype=np.int64)
    c_idx = np.array([e[1] for e in entries], dtype=np.int64)
    vals = np.array([e[2] for e in entries], dtype=np.float64)
    order = np.lexsort((r_idx, c_idx))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.searchsorted(c_idx[order], np.arange(n_cols + 1)).astype(np.int32)
    lp.a_matrix_.index_ = r_idx[order].astype(np.int32)
    lp.a_matrix_.value_ = vals[order]
    # Only the placements need to be whole: a pair's z then takes 0 or 1 at the optimum.
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_x + [
        highspy.HighsVarType.kContinuous
    ] * pair_columns
    h = new_highs()
    h.setOptionValue("random_seed", 1)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1.0 - 1e-4)
    h.passModel(lp)
    left = deadline - time.monotonic()
    if left <= 0.05:
        return None
    h.setOptionValue("time_limit", left)

    def stop_at_deadline(event) -> None:
        if time.monotonic() >= deadline:
            event.interrupt()

    h.cbMipInterrupt.subscribe(stop_at_deadline)
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # no feasible solution found
        return None
    values = h.getSolution().col_value
    result = {pid: dict(rounds) for pid, rounds in assignment.items()}
    for c, (i, j) in enumerate(columns):
        if values[c] > 0.5:
            result[free[i]][round_id] = chosen_ids[j]
    return result
