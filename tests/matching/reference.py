"""An independent compact MILP of an instance, written from the format document alone.

One binary x[participant, round, session] for every session of every round a participant
takes part in (only the fixed one when pinned): no column generation, nothing of the
solver's code. Two ways to write the mix and spread rules:

- `literal`: the rules as the format says them, in the most obvious linear form: the mix
  rule as b·k − a·n ≤ b − 1 (k of one group among n, share a/b), the spread rule with a
  level binary y_L for every L = 0 … G: min(L, cap)·y ≤ count ≤ (L + 1)·y summed over L.
- `tight`: the same integer points, with each rule replaced by the convex hull of its own
  integer points: the mix rule by every line through two points (n, min(n, ⌈share·n⌉)) that
  has all such points below it (found by trying all pairs); in a round whose sessions are
  all mixed, each count lies between the least and the most it has among all count
  vectors that add up to G and keep the rule (found by enumerating them); in other rounds,
  level binaries only for levels that some count vector can have (Σ min(L, cap) ≤ G) up to
  the largest capacity (every higher level means the same: all full), with min(L + 1, cap).

`solve_reference` returns the LP relaxation's value and the MILP optimum (costs of every
placement, pinned ones included, as the format defines the objective).
"""

import itertools
import math
from fractions import Fraction

import highspy
import numpy as np

from .checker import breaks, cost


def _without_nulls(doc: dict) -> dict:
    """Return `doc` with the optional keys that are null left out (the same, as the docs read)."""
    return {
        **{key: value for key, value in doc.items() if value is not None},
        "rules": {k: v for k, v in (doc.get("rules") or {}).items() if v is not None},
        "rounds": [
            {
                **r,
                "sessions": [{k: v for k, v in s.items() if v is not None} for s in r["sessions"]],
            }
            for r in doc["rounds"]
        ],
        "participants": [
            {k: v for k, v in p.items() if v is not None} for p in doc["participants"]
        ],
    }


def _cost(rules: dict, ranked: list, session: str) -> int:
    rank_cost = rules.get("rank_cost", [0, 1, 3, 6, 10])
    unranked = rules.get("unranked_cost", 25)
    if session in ranked:
        return int(rank_cost[min(ranked.index(session), len(rank_cost) - 1)])
    return int(unranked)


def _spread_ok(counts, capacities) -> bool:
    top = max(counts, default=0) + 1
    return any(
        all(min(level, cap) <= n <= level + 1 for n, cap in zip(counts, capacities, strict=True))
        for level in range(top + 1)
    )


def _hull_lines(capacity: int, share: Fraction) -> list[tuple[Fraction, Fraction]]:
    points = [(n, min(n, math.ceil(share * n))) for n in range(capacity + 1)]
    lines = set()
    for (n1, k1), (n2, k2) in itertools.combinations(points, 2):
        slope = Fraction(k2 - k1, n2 - n1)
        if slope >= 1:
            continue
        intercept = k1 - slope * n1
        if all(k <= slope * n + intercept for n, k in points):
            lines.add((slope, intercept))
    return sorted(lines)


def _count_ranges(members: int, caps: list[int]) -> list[tuple[int, int]] | None:
    """Return each session's least and most members over the count vectors the rule allows.

    Small rounds: by enumerating every vector that adds up to `members`. Larger ones (the
    benchmark's): per level L, each count lies in [min(L, cap), min(L + 1, cap)] and the
    others must make up the rest; the union over the levels that fit.
    """
    size = math.prod(min(cap, members) + 1 for cap in caps)
    if size <= 200_000:
        vectors = [
            v
            for v in itertools.product(*(range(min(cap, members) + 1) for cap in caps))
            if sum(v) == members and _spread_ok(v, caps)
        ]
        if not vectors:
            return None
        return [(min(v[k] for v in vectors), max(v[k] for v in vectors)) for k in range(len(caps))]
    ranges = None
    for level in range(max(caps) + 1):
        lows = [min(level, cap) for cap in caps]
        highs = [min(level + 1, cap) for cap in caps]
        if not sum(lows) <= members <= sum(highs):
            continue
        here = [
            (max(lo, members - (sum(highs) - hi)), min(hi, members - (sum(lows) - lo)))
            for lo, hi in zip(lows, highs, strict=True)
        ]
        ranges = (
            here
            if ranges is None
            else [(min(a, c), max(b, d)) for (a, b), (c, d) in zip(ranges, here, strict=True)]
        )
    return ranges


def solve_reference(doc: dict, *, tight: bool, time_limit: float = 60.0, milp: bool = True) -> dict:
    """Return {"lp": …, "optimum": …, "status": …} of the compact MILP of `doc`.

    `milp=False` solves the LP relaxation only (its value is a lower bound on any placement).
    """
    doc = _without_nulls(doc)
    rules = doc.get("rules", {})
    # The decimal number written: 0.7 × 10 is 7 (a float's 0.7 is a little less or more).
    share = Fraction(str(rules.get("max_group_share", 0.4)))
    spread_groups = rules.get("spread_groups", ["resident"])
    rounds = {r["id"]: r["sessions"] for r in doc["rounds"]}
    # A missing topic is the session's own, a missing mix false; 12.0 seats are 12.
    session_info = {
        s["id"]: {**s, "topic": s.get("topic", s["id"]), "capacity": int(s["capacity"])}
        for r in doc["rounds"]
        for s in r["sessions"]
    }
    columns = []  # (participant, round, session)
    costs = []
    for p in doc["participants"]:
        prefs, fixed = p.get("preferences", {}), p.get("fixed", {})
        for rid in rounds:
            if rid not in prefs and rid not in fixed:
                continue
            for s in rounds[rid]:
                if rid in fixed and fixed[rid] != s["id"]:
                    continue
                columns.append((p["id"], rid, s["id"]))
                costs.append(_cost(rules, prefs.get(rid, []), s["id"]))
    group = {p["id"]: p["group"] for p in doc["participants"]}
    rows: list[tuple[dict[int, float], float, float]] = []  # coefficients, lower, upper
    extra_costs: list[float] = []
    inf = highspy.kHighsInf

    extra_upper: list[float] = []

    def column_of_new_variable(cost: float, upper: float = 1.0) -> int:
        extra_costs.append(cost)
        extra_upper.append(upper)
        return len(columns) + len(extra_costs) - 1

    # Every (participant, round) needs a place, also one with no session to take (pinned to a
    # session of another round): its row then has no column, and the MILP is infeasible.
    slots: dict[tuple, list[int]] = {
        (p["id"], rid): []
        for p in doc["participants"]
        for rid in rounds
        if rid in p.get("preferences", {}) or rid in p.get("fixed", {})
    }
    in_session: dict[str, list[int]] = {}
    topic_of_person: dict[tuple, list[int]] = {}
    for c, (pid, rid, sid) in enumerate(columns):
        slots.setdefault((pid, rid), []).append(c)
        in_session.setdefault(sid, []).append(c)
        topic_of_person.setdefault((pid, session_info[sid]["topic"]), []).append(c)
    if any(not cols for cols in slots.values()):
        return {"lp": None, "optimum": None}  # someone has no session to take
    if not columns:
        return {"lp": 0.0, "optimum": 0.0}  # nobody to place
    for cols in slots.values():
        rows.append(({c: 1.0 for c in cols}, 1.0, 1.0))
    for sid, cols in in_session.items():
        rows.append(({c: 1.0 for c in cols}, -inf, session_info[sid]["capacity"]))
    for cols in topic_of_person.values():
        if len(cols) > 1:
            rows.append(({c: 1.0 for c in cols}, -inf, 1.0))
    # Mix. The session's head count n is a variable of its own (n = Σ x, one row), so that a
    # group's row holds that group's placements and n, not every placement of the session
    # once per group (at 2,000 people that is 10 million coefficients fewer).
    for sid, cols in in_session.items():
        if not session_info[sid].get("mix") or share >= 1:
            continue
        head = column_of_new_variable(0.0, upper=session_info[sid]["capacity"])
        rows.append(({**{c: 1.0 for c in cols}, head: -1.0}, 0.0, 0.0))
        for g in {group[columns[c][0]] for c in cols}:
            mine = [c for c in cols if group[columns[c][0]] == g]
            if tight:
                for slope, intercept in _hull_lines(session_info[sid]["capacity"], share):
                    # k − slope·n ≤ intercept
                    coef = {**{c: 1.0 for c in mine}, head: -float(slope)}
                    rows.append((coef, -inf, float(intercept) + 1e-9))
            else:
                a, b = share.numerator, share.denominator
                rows.append(({**{c: float(b) for c in mine}, head: -float(a)}, -inf, b - 1.0))
    # Spread.
    for rid, sessions in rounds.items():
        mixed = [session_info[s["id"]] for s in sessions if s.get("mix")]
        if len(mixed) < 2:
            continue
        caps = [s["capacity"] for s in mixed]
        for g in spread_groups:
            members = sum(
                1
                for p in doc["participants"]
                if p["group"] == g
                and (rid in p.get("preferences", {}) or rid in p.get("fixed", {}))
            )
            if not members:
                continue
            counted = [
                [c for c in in_session.get(s["id"], []) if group[columns[c][0]] == g] for s in mixed
            ]
            if tight and len(mixed) == len(sessions):
                ranges = _count_ranges(members, caps)
                if ranges:
                    for cols, (low, high) in zip(counted, ranges, strict=True):
                        rows.append(({c: 1.0 for c in cols}, float(low), float(high)))
                    continue
            if tight:
                levels = [
                    L for L in range(max(caps) + 1) if sum(min(L, cap) for cap in caps) <= members
                ]
            else:
                levels = list(range(members + 1))
            y = [column_of_new_variable(0.0) for _ in levels]
            rows.append(({v: 1.0 for v in y}, 1.0, 1.0))
            for cols, cap in zip(counted, caps, strict=True):
                low = {c: 1.0 for c in cols}
                high = {c: 1.0 for c in cols}
                for v, level in zip(y, levels, strict=True):
                    low[v] = -float(min(level, cap))
                    high[v] = -float(min(level + 1, cap) if tight else level + 1)
                rows.append((low, 0.0, inf))
                rows.append((high, -inf, 0.0))
    n = len(columns) + len(extra_costs)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.array(costs + extra_costs, dtype=float)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.array([1.0] * len(columns) + extra_upper)
    lp.row_lower_ = np.array([r[1] for r in rows], dtype=float)
    lp.row_upper_ = np.array([r[2] for r in rows], dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    starts, index, value = [0], [], []
    for coef, _, _ in rows:
        for c, v in coef.items():
            if v:
                index.append(c)
                value.append(v)
        starts.append(len(index))
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    result = {}
    for integer in (False, True) if milp else (False,):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", time_limit)
        if integer:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * n
            h.setOptionValue("mip_rel_gap", 0.0)
        h.passModel(lp)
        h.run()
        status = h.getModelStatus()
        key = "optimum" if integer else "lp"
        if status == highspy.HighsModelStatus.kOptimal:
            result[key] = h.getInfo().objective_function_value
        elif status == highspy.HighsModelStatus.kInfeasible:
            result[key] = None
        else:
            result[key] = None
            result[f"{key}_status"] = h.modelStatusToString(status)
        if integer:
            result["bound"] = h.getInfo().mip_dual_bound
            if h.getInfo().primal_solution_status == 2:
                values = np.array(h.getSolution().col_value)
                result["incumbent"] = h.getInfo().objective_function_value
                result["assignment"] = {}
                for c, (pid, rid, sid) in enumerate(columns):
                    if values[c] > 0.5:
                        result["assignment"].setdefault(pid, {})[rid] = sid
    return result


def brute_force_optimum(doc) -> int | None:
    """Return the least cost over every placement that keeps all rules (None: none does)."""
    doc = _without_nulls(doc)
    people = doc["participants"]
    options = []
    for p in people:
        per_round = [
            [(rd["id"], s["id"]) for s in rd["sessions"]]
            for rd in doc["rounds"]
            if rd["id"] in p.get("preferences", {}) or rd["id"] in p.get("fixed", {})
        ]
        options.append(list(itertools.product(*per_round)))
    best = None
    for combo in itertools.product(*options):
        assignment = {p["id"]: dict(choice) for p, choice in zip(people, combo, strict=True)}
        value = cost(doc, assignment)
        if best is not None and value >= best:
            continue
        if not breaks(doc, {"assignment": assignment}):
            best = value
    return best
