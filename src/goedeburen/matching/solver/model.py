"""The exact assignment model, solved with HiGHS (MILP).

Variables x[p, s] = 1 when participant p sits in session s, one "slot" (p, round) each, plus
an elastic variable per slot ("not placed") that costs more than any placement: an instance
whose rules cannot all hold still gets a placement of everyone who fits, and the slots left
over say who could not be placed (see `reasons.py`).

Why it is fast enough (2,000 people in seconds rather than minutes):
1. Column generation: the model starts with each slot's ranked sessions plus a few spare
   fallbacks; the LP relaxation is solved, and every left-out x[p, s] is priced with the LP
   duals (numpy, all at once). Columns with a negative reduced cost are added until none is
   left, so the LP value is the LP bound of the *full* model.
2. Reduced-cost argument: any placement that uses a left-out column costs at least
   LP bound + its reduced cost. The MILP over the kept columns is therefore globally optimal
   when that sum is not below its objective, and otherwise the columns that could still
   improve are added and the MILP solved again. The bound reported is
   max(LP bound, min(MILP bound, LP bound + least left-out reduced cost)): proven, not hoped.
3. A warm start: the LP is nearly integral, so the slots whose LP value is integral are fixed
   and a small MILP places the rest; HiGHS then starts from that placement.
The mix rule "at most ceil(share × n) of one group" is written exactly with share = a/b:
b·n_g − a·n ≤ b − 1. The spread rule picks one level L per (round, group) with binaries.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from .instance import Instance

Progress = Callable[[float, str], None]

FALLBACKS = 4  # spare unranked sessions per slot in the first model (pricing adds the rest)
EPS = 1e-6


@dataclass
class Slot:
    participant: int
    round: int
    fixed: int | None  # session index
    cost: dict[int, int]  # session index → cost, for the sessions that are not unranked


@dataclass
class ModelOutcome:
    placement: dict[int, int]  # slot index → session index
    unplaced: list[int]  # slot indices
    weighted_objective: float
    weighted_bound: float
    lp_bound: float
    proven: bool
    columns: int


class _Data:
    """The instance as index arrays."""

    def __init__(self, instance: Instance, previous: dict[str, dict[str, str]] | None):
        self.instance = instance
        rules = instance.rules
        self.sessions = [s for r in instance.rounds for s in r.sessions]
        self.session_index = {s.id: i for i, s in enumerate(self.sessions)}
        self.session_round = np.array(
            [ri for ri, r in enumerate(instance.rounds) for _ in r.sessions], dtype=np.int64
        )
        self.round_sessions = [
            [self.session_index[s.id] for s in r.sessions] for r in instance.rounds
        ]
        self.round_index = {r.id: i for i, r in enumerate(instance.rounds)}
        self.capacity = np.array([s.capacity for s in self.sessions], dtype=np.float64)
        self.mix = np.array([s.mix for s in self.sessions], dtype=bool)
        topics = sorted({s.topic for s in self.sessions})
        topic_index = {t: i for i, t in enumerate(topics)}
        self.topic = np.array([topic_index[s.topic] for s in self.sessions], dtype=np.int64)
        groups = sorted({p.group for p in instance.participants} | set(rules.spread_groups))
        self.groups = groups
        group_index = {g: i for i, g in enumerate(groups)}
        self.group = np.array([group_index[p.group] for p in instance.participants], np.int64)
        self.spread_groups = [group_index[g] for g in rules.spread_groups]
        share = rules.share_fraction
        self.share_num, self.share_den = share.numerator, share.denominator
        self.slots: list[Slot] = []
        self.previous: dict[int, int] = {}  # slot → session index it had before
        for pi, person in enumerate(instance.participants):
            for round_id in sorted(person.rounds, key=self.round_index.__getitem__):
                ri = self.round_index[round_id]
                fixed = person.fixed.get(round_id)
                cost = {
                    self.session_index[sid]: rules.choice_cost(k)
                    for k, sid in enumerate(person.preferences.get(round_id, ()))
                }
                slot = Slot(
                    participant=pi,
                    round=ri,
                    fixed=None if fixed is None else self.session_index[fixed],
                    cost=cost,
                )
                before = (previous or {}).get(person.id, {}).get(round_id)
                if (
                    before in self.session_index
                    and self.session_round[self.session_index[before]] == ri
                ):
                    self.previous[len(self.slots)] = self.session_index[before]
                self.slots.append(slot)
        self.unranked_cost = rules.unranked_cost
        top = max([rules.unranked_cost, *rules.rank_cost, 0])
        # Moving someone placed before outweighs any difference in placement cost, and
        # leaving someone out outweighs any number of moves.
        self.move_cost = (top + 1) * (len(self.slots) + 1) if self.previous else 0
        self.unplaced_cost = (top + 1) * (len(self.slots) + 1) + self.move_cost * (
            len(self.slots) + 1
        )

    def cost(self, slot_index: int, session: int) -> float:
        slot = self.slots[slot_index]
        if slot.fixed is not None:
            return 0.0
        value = slot.cost.get(session, self.unranked_cost)
        before = self.previous.get(slot_index)
        if before is not None and before != session:
            value += self.move_cost
        return float(value)

    def allowed(self, slot_index: int, session: int) -> bool:
        slot = self.slots[slot_index]
        return slot.fixed is None or slot.fixed == session


class _Model:
    """One HiGHS model over a set of columns (slot, session)."""

    def __init__(self, data: _Data, columns: list[tuple[int, int]]):
        self.data = data
        self.columns = columns
        d = data
        rows_lower: list[float] = []
        rows_upper: list[float] = []
        entries: dict[int, list[tuple[int, float]]] = defaultdict(list)  # column → (row, coef)

        def new_row(lower: float, upper: float) -> int:
            rows_lower.append(lower)
            rows_upper.append(upper)
            return len(rows_lower) - 1

        n_x = len(columns)
        self.slot_row = [new_row(1.0, 1.0) for _ in d.slots]
        by_session: dict[int, list[int]] = defaultdict(list)
        for c, (slot, session) in enumerate(columns):
            entries[c].append((self.slot_row[slot], 1.0))
            by_session[session].append(c)
        self.capacity_row = {}
        for session, cols in by_session.items():
            if len(cols) > d.capacity[session]:
                row = new_row(-highspy.kHighsInf, d.capacity[session])
                self.capacity_row[session] = row
                for c in cols:
                    entries[c].append((row, 1.0))
        # Topic: one row per participant and topic with more than one candidate column.
        by_topic: dict[tuple[int, int], list[int]] = defaultdict(list)
        for c, (slot, session) in enumerate(columns):
            by_topic[(d.slots[slot].participant, int(d.topic[session]))].append(c)
        self.topic_row = {}
        for key, cols in by_topic.items():
            if len({columns[c][0] for c in cols}) > 1:
                row = new_row(-highspy.kHighsInf, 1.0)
                self.topic_row[key] = row
                for c in cols:
                    entries[c].append((row, 1.0))
        # Mix: b·n_g − a·n ≤ b − 1, for each group that could break it.
        a, b = d.share_num, d.share_den
        self.mix_row = {}
        if a < b:
            for session, cols in by_session.items():
                if not d.mix[session]:
                    continue
                per_group: dict[int, int] = defaultdict(int)
                for c in cols:
                    per_group[int(d.group[d.slots[columns[c][0]].participant])] += 1
                for g, count in per_group.items():
                    if count < 2:
                        continue  # one member never breaks ceil(share × n) ≥ 1
                    row = new_row(-highspy.kHighsInf, b - 1.0)
                    self.mix_row[(session, g)] = row
                    for c in cols:
                        own = int(d.group[d.slots[columns[c][0]].participant]) == g
                        entries[c].append((row, (b if own else 0) - a))
        # Spread: per (round, group) a level L (binaries y_l); min(L, cap) ≤ n_g(s) ≤ L + 1.
        self.spread_rows = {}
        self.levels: list[tuple[list[int], int, int, int]] = []  # sessions, group, first, top
        extra_columns: list[tuple[float, list[tuple[int, float]]]] = []
        closed: list[int] = []  # level columns no complete placement can use
        for ri, sessions in enumerate(d.round_sessions):
            mix_sessions = [s for s in sessions if d.mix[s]]
            if len(mix_sessions) < 2:
                continue
            for g in d.spread_groups:
                members = {
                    slot_i
                    for slot_i, slot in enumerate(d.slots)
                    if slot.round == ri and d.group[slot.participant] == g
                }
                if not members:
                    continue
                top = math.ceil(len(members) / len(mix_sessions))
                levels_allowed = set(range(top + 1))
                if len(mix_sessions) == len(sessions):
                    tight = _spread_levels(len(members), [d.capacity[s] for s in mix_sessions], top)
                    # Only while this model's columns can fill every session to that level:
                    # with fewer candidates the tight rows would make the LP infeasible.
                    offered: dict[int, int] = defaultdict(int)
                    for slot, session in columns:
                        if slot in members:
                            offered[session] += 1
                    if tight and all(
                        offered[s] >= min(min(tight), d.capacity[s]) for s in mix_sessions
                    ):
                        levels_allowed = tight
                choose = new_row(1.0, 1.0)
                level_columns = [[(choose, 1.0)] for _ in range(top + 1)]
                for s in mix_sessions:
                    low = new_row(0.0, highspy.kHighsInf)
                    high = new_row(-highspy.kHighsInf, 0.0)
                    self.spread_rows[(s, g)] = (low, high)
                    for level in range(top + 1):
                        level_columns[level].append((low, -min(level, d.capacity[s])))
                        level_columns[level].append((high, -(level + 1.0)))
                for c in by_session_all(columns, mix_sessions):
                    slot, session = columns[c]
                    if d.group[d.slots[slot].participant] == g:
                        low, high = self.spread_rows[(session, g)]
                        entries[c].append((low, 1.0))
                        entries[c].append((high, 1.0))
                self.levels.append((mix_sessions, g, len(extra_columns), top))
                closed.extend(
                    len(extra_columns) + level
                    for level in range(top + 1)
                    if level not in levels_allowed
                )
                extra_columns.extend((0.0, col) for col in level_columns)
        # Elastic "not placed" per slot.
        self.first_slack = n_x
        n_slack = len(d.slots)
        self.first_level = n_x + n_slack
        n_cols = n_x + n_slack + len(extra_columns)
        costs = np.empty(n_cols)
        costs[:n_x] = [d.cost(slot, session) for slot, session in columns]
        costs[n_x : n_x + n_slack] = d.unplaced_cost
        costs[n_x + n_slack :] = 0.0
        starts = [0]
        index: list[int] = []
        value: list[float] = []
        for c in range(n_x):
            for row, coef in entries[c]:
                index.append(row)
                value.append(coef)
            starts.append(len(index))
        for slot_i in range(n_slack):
            index.append(self.slot_row[slot_i])
            value.append(1.0)
            starts.append(len(index))
        for _, col in extra_columns:
            for row, coef in col:
                index.append(row)
                value.append(coef)
            starts.append(len(index))
        lp = highspy.HighsLp()
        lp.num_col_ = n_cols
        lp.num_row_ = len(rows_lower)
        lp.col_cost_ = costs
        lp.col_lower_ = np.zeros(n_cols)
        upper = np.ones(n_cols)
        upper[[n_x + n_slack + i for i in closed]] = 0.0
        lp.col_upper_ = upper
        lp.row_lower_ = np.array(rows_lower)
        lp.row_upper_ = np.array(rows_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value)
        self.lp = lp
        self.n_cols = n_cols

    def highs(self, *, integer: bool, time_limit: float | None) -> highspy.Highs:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("random_seed", 1)
        if time_limit is not None:
            h.setOptionValue("time_limit", max(float(time_limit), 0.05))
        lp = self.lp
        if integer:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * self.n_cols
            # Costs are whole numbers: a gap below 1 is no gap.
            h.setOptionValue("mip_rel_gap", 0.0)
            h.setOptionValue("mip_abs_gap", 1.0 - 1e-4)
        else:
            lp.integrality_ = []
        h.passModel(lp)
        return h

    def duals(self, h: highspy.Highs) -> np.ndarray:
        return np.array(h.getSolution().row_dual)


def _spread_levels(members: int, capacities: list[int], top: int) -> set[int]:
    """Return the levels L a complete placement of `members` can have over these sessions.

    When every session of the round obeys the mix rules, all members of the group sit in
    them, so Σ min(L, cap) ≤ members ≤ Σ min(L + 1, cap). Keeping only those levels gives
    the same complete placements and a much tighter LP relaxation. (A placement that
    leaves people out is infeasible anyway; the caller then solves with every level.)
    """
    return {
        level
        for level in range(top + 1)
        if sum(min(level, cap) for cap in capacities)
        <= members
        <= sum(min(level + 1, cap) for cap in capacities)
    }


def by_session_all(columns, sessions) -> list[int]:
    wanted = set(sessions)
    return [c for c, (_, session) in enumerate(columns) if session in wanted]


def _reduced_costs(data: _Data, model: _Model, y: np.ndarray):
    """Return (slots, sessions, reduced costs) of every column of the full model not in `model`.

    The duals of rows that `model` leaves out (they could not bind yet) count as zero, which
    keeps `y` a feasible dual of the full model when no reduced cost is negative.
    """
    d = data
    a, b = d.share_num, d.share_den
    n_groups = len(d.groups)
    n_sessions = len(d.sessions)
    # q[s, h]: what the capacity, mix and spread rows of s give back for a member of group h.
    q = np.zeros((n_sessions, n_groups))
    for session, row in model.capacity_row.items():
        q[session, :] += y[row]
    for (session, g), row in model.mix_row.items():
        q[session, :] += -a * y[row]
        q[session, g] += b * y[row]
    for (session, g), (low, high) in model.spread_rows.items():
        q[session, g] += y[low] + y[high]
    slot_dual = y[np.array(model.slot_row, dtype=np.int64)]
    present: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for slot, session in model.columns:
        present[d.slots[slot].round].append((slot, session))
    topic_duals: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for (participant, topic), row in model.topic_row.items():
        if abs(y[row]) > 1e-12:
            topic_duals[participant].append((topic, y[row]))
    all_slots, all_sessions, all_reduced = [], [], []
    for ri, sessions in enumerate(d.round_sessions):
        slot_ids = [i for i, slot in enumerate(d.slots) if slot.round == ri]
        if not slot_ids or not sessions:
            continue
        sess = np.array(sessions)
        slot_arr = np.array(slot_ids)
        row_of = {slot_i: k for k, slot_i in enumerate(slot_ids)}
        position = {s: k for k, s in enumerate(sessions)}
        groups = d.group[[d.slots[i].participant for i in slot_ids]]
        cost = np.full((len(slot_ids), len(sessions)), float(d.unranked_cost))
        for row_i, slot_i in enumerate(slot_ids):
            slot = d.slots[slot_i]
            for session, value in slot.cost.items():
                cost[row_i, position[session]] = value
            before = d.previous.get(slot_i)
            if before is not None:
                cost[row_i, :] += d.move_cost
                cost[row_i, position[before]] -= d.move_cost
            if slot.fixed is not None:
                cost[row_i, :] = np.inf
            for topic, w in topic_duals.get(slot.participant, ()):
                cost[row_i, d.topic[sess] == topic] -= w
        reduced = cost - slot_dual[slot_arr][:, None] - q[sess].T[groups, :]
        for slot_i, session in present[ri]:
            reduced[row_of[slot_i], position[session]] = np.inf
        rows, cols = np.nonzero(np.isfinite(reduced))
        all_slots.append(slot_arr[rows])
        all_sessions.append(sess[cols])
        all_reduced.append(reduced[rows, cols])
    if not all_slots:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(all_slots), np.concatenate(all_sessions), np.concatenate(all_reduced)


def _initial_columns(data: _Data) -> list[tuple[int, int]]:
    d = data
    # Fallbacks: the sessions of a round least in demand for their size.
    demand = np.zeros(len(d.sessions))
    for slot in d.slots:
        for session, cost in slot.cost.items():
            demand[session] += 1.0 / (1.0 + cost)
    spare = {
        ri: sorted(sessions, key=lambda s: (demand[s] / max(d.capacity[s], 0.5), s))
        for ri, sessions in enumerate(d.round_sessions)
    }
    columns = []
    for i, slot in enumerate(d.slots):
        if slot.fixed is not None:
            columns.append((i, slot.fixed))
            continue
        chosen = dict.fromkeys(slot.cost)
        if i in d.previous:
            chosen[d.previous[i]] = None
        for session in spare[slot.round]:
            if len(chosen) >= len(slot.cost) + FALLBACKS:
                break
            chosen.setdefault(session, None)
        columns.extend((i, session) for session in chosen)
    return columns


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.monotonic(), 0.05)


def solve_model(
    instance: Instance,
    *,
    deadline: float | None = None,
    previous: dict[str, dict[str, str]] | None = None,
    progress: Progress | None = None,
) -> tuple[_Data, ModelOutcome]:
    """Solve the primary problem (fewest unplaced, then fewest moves, then least cost)."""
    report = progress or (lambda fraction, phase: None)
    data = _Data(instance, previous)
    columns = _initial_columns(data)
    # 1. Column generation on the LP relaxation.
    for _round in range(100):
        report(0.1, "lp")
        model = _Model(data, columns)
        h = model.highs(integer=False, time_limit=_remaining(deadline))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise TimeoutError("the LP relaxation was not solved within the time limit")
        lp_value = h.getInfo().objective_function_value
        y = model.duals(h)
        out_slot, out_session, out_reduced = _reduced_costs(data, model, y)
        negative = out_reduced < -EPS
        if not negative.any():
            break
        columns = columns + list(
            zip(out_slot[negative].tolist(), out_session[negative].tolist(), strict=True)
        )
    lp_solution = np.array(h.getSolution().col_value)
    report(0.3, "start")
    start = _warm_start(data, model, lp_solution, deadline)
    # 2. Only columns that could beat the start can be in a better placement: add them all.
    if start is not None:
        start_cost = (
            sum(data.cost(slot, session) for slot, session in start.items())
            + (len(data.slots) - len(start)) * data.unplaced_cost
        )
        model, out_slot, out_session, out_reduced = _add_improving(
            data,
            model,
            out_slot,
            out_session,
            out_reduced,
            lp_value + out_reduced < start_cost - 0.5,
        )
    # 3. MILP; should it end above the start, add the columns that could still improve.
    while True:
        report(0.4, "milp")
        h = model.highs(integer=True, time_limit=_remaining(deadline))
        if start is not None:
            _set_start(h, model, start)
        h.run()
        info = h.getInfo()
        if info.primal_solution_status != 2:
            # The elastic model is never infeasible; without any solution the time ran out.
            raise TimeoutError("no placement found within the time limit")
        values = np.array(h.getSolution().col_value)
        objective = info.objective_function_value
        milp_bound = info.mip_dual_bound
        improving = lp_value + out_reduced < objective - 0.5
        out_of_time = deadline is not None and time.monotonic() >= deadline - 0.05
        if not improving.any() or out_of_time:
            break
        start = _placement_from(model.columns, values, len(model.columns))
        model, out_slot, out_session, out_reduced = _add_improving(
            data, model, out_slot, out_session, out_reduced, improving
        )
    least_outside = float(out_reduced.min()) if out_reduced.size else math.inf
    bound = max(lp_value, min(milp_bound, lp_value + least_outside))
    placement = _placement_from(model.columns, values, len(model.columns))
    unplaced = [slot_i for slot_i in range(len(data.slots)) if slot_i not in placement]
    if unplaced and bound < len(unplaced) * data.unplaced_cost - 0.5:
        # Not proven: a placement of more people may exist, the time ran out first.
        raise TimeoutError(
            f"no placement of everyone found within the time limit ({len(unplaced)} not "
            "placed, and not proven impossible); allow more time"
        )
    bound = math.ceil(bound - 1e-6)
    objective = round(objective)
    return data, ModelOutcome(
        placement=placement,
        unplaced=unplaced,
        weighted_objective=objective,
        weighted_bound=min(bound, objective),
        lp_bound=lp_value,
        proven=bound >= objective,
        columns=len(model.columns),
    )


def _add_improving(data, model, out_slot, out_session, out_reduced, improving):
    if not improving.any():
        return model, out_slot, out_session, out_reduced
    added = list(zip(out_slot[improving].tolist(), out_session[improving].tolist(), strict=True))
    keep = ~improving
    return _Model(data, model.columns + added), out_slot[keep], out_session[keep], out_reduced[keep]


def _placement_from(columns_before, values, n_x) -> dict[int, int]:
    return {columns_before[c][0]: columns_before[c][1] for c in range(n_x) if values[c] > 0.5}


def _set_start(h: highspy.Highs, model: _Model, start: dict[int, int]) -> None:
    index = {col: c for c, col in enumerate(model.columns)}
    values = np.zeros(model.n_cols)
    for slot, session in start.items():
        c = index.get((slot, session))
        if c is None:
            return
        values[c] = 1.0
    for slot_i in range(len(model.data.slots)):
        if slot_i not in start:
            values[model.first_slack + slot_i] = 1.0
    # The spread level of each (round, group) follows from the placement's counts.
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for slot, session in start.items():
        counts[(session, int(model.data.group[model.data.slots[slot].participant]))] += 1
    for sessions, g, first, top in model.levels:
        level = max([counts[(s, g)] for s in sessions] + [1]) - 1
        values[model.first_level + first + min(level, top)] = 1.0
    solution = highspy.HighsSolution()
    solution.col_value = values.tolist()
    solution.value_valid = True
    h.setSolution(solution)


def _warm_start(data: _Data, model: _Model, lp_solution, deadline) -> dict[int, int] | None:
    """Fix the slots the LP places integrally; place the rest with a small MILP."""
    if model is None or lp_solution is None:
        return None
    n_x = len(model.columns)
    fixed: dict[int, int] = {}
    for c in range(n_x):
        if lp_solution[c] > 1 - 1e-6:
            slot, session = model.columns[c]
            fixed[slot] = session
    if len(fixed) == len(data.slots):
        return fixed
    keep = [
        (slot, session)
        for slot, session in model.columns
        if slot not in fixed or fixed[slot] == session
    ]
    small = _Model(data, keep)
    budget = _remaining(deadline)
    # Most of the time may go here: without a start HiGHS spends it looking for any placement.
    h = small.highs(integer=True, time_limit=None if budget is None else budget * 0.6)
    h.setOptionValue("mip_rel_gap", 1e-3)
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    values = np.array(h.getSolution().col_value)
    start = _placement_from(small.columns, values, len(small.columns))
    return start
