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

import copy
import functools
import heapq
import itertools
import math
import os
import sys
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
# The largest cost HiGHS is given is below 2**COST_BITS: larger costs are handed over in a
# power-of-two unit (`_Data.unit`), which keeps them exact. HiGHS's dual simplex stopped
# with no result at all ("excessive dual values", model status "Not Set") on a cost of
# leaving someone out of 7·10**10 (about `instance.EXACT`), and HiGHS calls costs above
# 10**6 excessive. At the largest costs the parser accepts a cost of 1 is then 2**-13 to
# HiGHS, far above its dual feasibility tolerance of 10**-7.
COST_BITS = 24


@dataclass(slots=True)
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
        self.capacity = np.array(
            [min(s.capacity, len(instance.participants)) for s in self.sessions],
            dtype=np.float64,
        )
        self.mix = np.array([s.mix for s in self.sessions], dtype=bool)
        topics = sorted({s.topic for s in self.sessions})
        self.topic_names = topics
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
        self.members: dict[tuple[int, int], int] = defaultdict(int)  # (round, group) → slots
        self.previous: dict[int, int] = {}  # slot → session index it had before
        # (participant, round) pinned to a session of another round: nobody can keep that
        # pin in this round, so the slot is left out of the model and reported unplaced.
        self.impossible: list[tuple[int, int]] = []
        # Per round: session id → index (a ranked id of another round is no choice there).
        round_session_index = [
            {s.id: self.session_index[s.id] for s in r.sessions} for r in instance.rounds
        ]
        # Costs in units of their greatest common divisor: rank_cost [0, 10**6, 10**9] is
        # [0, 1, 1000] to HiGHS, whose dual simplex fails on costs of 10**10 (the cost of
        # leaving someone out is the largest cost times the number of slots). The outcome's
        # objective and bounds are multiplied back (`solve_model`).
        self.scale = math.gcd(*rules.rank_cost, rules.unranked_cost) or 1
        longest = max(
            (len(r) for p in instance.participants for r in p.preferences.values()), default=0
        )
        cost_of_rank = [rules.choice_cost(k) // self.scale for k in range(longest)]
        for pi, person in enumerate(instance.participants):
            for round_id in sorted(person.rounds, key=self.round_index.__getitem__):
                ri = self.round_index[round_id]
                fixed = person.fixed.get(round_id)
                here = round_session_index[ri]
                if fixed is not None and fixed not in here:
                    self.impossible.append((pi, ri))
                    continue
                # A session's choice is its first place in the list (`ranks_in_round`).
                cost: dict[int, int] = {}
                for k, sid in enumerate(person.preferences.get(round_id, ())):
                    session = here.get(sid)
                    if session is not None and session not in cost:
                        cost[session] = cost_of_rank[k]
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
                self.members[(ri, int(self.group[pi]))] += 1
        # No session holds more than the round's participants: a larger capacity is that
        # number (it changes no rule, and keeps 10**9 seats from making 10**9 mix facets).
        attending = np.bincount(
            np.array([slot.round for slot in self.slots], dtype=np.int64),
            minlength=len(instance.rounds),
        )
        self.capacity = np.minimum(self.capacity, attending[self.session_round])
        if rules.share_fraction == 0:
            # A share of 0 lets no group hold anyone: a mix session stays empty.
            self.capacity[self.mix] = 0.0
        self.slot_participant = np.array([slot.participant for slot in self.slots], np.int64)
        self.slot_round = np.array([slot.round for slot in self.slots], np.int64)
        self.slot_group = self.group[self.slot_participant].astype(np.int64)
        self.slot_fixed = np.array([slot.fixed is not None for slot in self.slots], dtype=bool)
        n_sessions = len(self.sessions)
        key = [
            i * n_sessions + session for i, slot in enumerate(self.slots) for session in slot.cost
        ]
        order = np.argsort(np.array(key, dtype=np.int64), kind="stable")
        self._ranked_key = np.array(key, dtype=np.int64)[order]
        self._ranked_cost = np.array(
            [c for slot in self.slots for c in slot.cost.values()], dtype=np.float64
        )[order]
        self._previous = np.full(len(self.slots), -1, dtype=np.int64)
        for slot_i, session in self.previous.items():
            self._previous[slot_i] = session
        self.unranked_cost = rules.unranked_cost // self.scale
        top = max([rules.unranked_cost, *rules.rank_cost, 0]) // self.scale
        # Moving someone placed before outweighs any difference in placement cost, and
        # leaving someone out outweighs any number of moves.
        self.move_cost = (top + 1) * (len(self.slots) + 1) if self.previous else 0
        self.unplaced_cost = (top + 1) * (len(self.slots) + 1) + self.move_cost * (
            len(self.slots) + 1
        )
        # What one unit of cost is to HiGHS (`COST_BITS`): a power of two, so that costs
        # times it, and HiGHS's values divided by it, stay exact.
        self.unit = 2.0 ** -max(0, self.unplaced_cost.bit_length() - COST_BITS)
        # HiGHS's model status when it stopped for another reason than the clock (`_run`).
        self.stopped: str | None = None
        # How many slots a placement leaves out, when that is settled (`_fewest_left_out`):
        # the model then has the row "not placed = this many".
        self.left_out: int | None = None

    def counting_left_out(self) -> _Data:
        """Return this data with every placement free and leaving someone out costing 1:
        its optimum is the fewest slots any placement leaves out."""
        counting = copy.copy(self)
        counting.slots = [
            Slot(slot.participant, slot.round, slot.fixed, dict.fromkeys(slot.cost, 0))
            for slot in self.slots
        ]
        counting._ranked_cost = np.zeros_like(self._ranked_cost)
        counting.unranked_cost = counting.move_cost = 0
        counting.unplaced_cost = 1
        counting.unit = 1.0
        return counting

    def round_part(self, round_index: int) -> tuple[_Data, np.ndarray]:
        """Return (this data with the slots of one round only, their indices here).

        Sessions, topics and groups keep their indices, and the costs of leaving someone
        out or moving them stay those of the whole instance: a model of one round
        (`by_round.py`) without reading the instance again (0.1 s at 3,000 people).
        """
        part = copy.copy(self)
        slots = np.nonzero(self.slot_round == round_index)[0]
        where = np.full(len(self.slots), -1, dtype=np.int64)
        where[slots] = np.arange(len(slots))
        part.slots = [self.slots[i] for i in slots.tolist()]
        for name in ("slot_participant", "slot_round", "slot_group", "slot_fixed", "_previous"):
            setattr(part, name, getattr(self, name)[slots])
        part.members = defaultdict(
            int, {key: n for key, n in self.members.items() if key[0] == round_index}
        )
        part.previous = {int(where[i]): s for i, s in self.previous.items() if where[i] >= 0}
        part.impossible = []
        # Keys stay sorted: `where` keeps the order of the slots.
        n_sessions = len(self.sessions)
        key_slot = where[self._ranked_key // n_sessions]
        mine = key_slot >= 0
        part._ranked_key = key_slot[mine] * n_sessions + self._ranked_key[mine] % n_sessions
        part._ranked_cost = self._ranked_cost[mine]
        return part, slots

    def assignment(self, placement: dict[int, int]) -> dict[str, dict[str, str]]:
        """Return slot → session as participant id → round id → session id."""
        participants, rounds = self.instance.participants, self.instance.rounds
        result: dict[str, dict[str, str]] = {}
        for slot_i, session in placement.items():
            slot = self.slots[slot_i]
            result.setdefault(participants[slot.participant].id, {})[rounds[slot.round].id] = (
                self.sessions[session].id
            )
        return result

    def placement_of(self, assignment: dict[str, dict[str, str]]) -> dict[int, int]:
        """Return `assignment` (participant id → round id → session id) as slot → session."""
        slot_of = {(slot.participant, slot.round): i for i, slot in enumerate(self.slots)}
        person = {p.id: i for i, p in enumerate(self.instance.participants)}
        placement = {}
        for pid, rounds in assignment.items():
            for round_id, session_id in rounds.items():
                slot_i = slot_of.get((person[pid], self.round_index[round_id]))
                if slot_i is not None:
                    placement[slot_i] = self.session_index[session_id]
        return placement

    def least_cost(self) -> int:
        """Return what the slots not pinned cost at the least: each at its cheapest session.

        In the instance's units (not divided by `scale`), moves not counted: a bound of
        every complete placement, less its pinned placements (`greedy.trivial_bound`'s,
        without reading the instance again).
        """
        n_sessions = len(self.sessions)
        key_slot = self._ranked_key // n_sessions
        cheapest = np.full(len(self.slots), np.inf)
        np.minimum.at(cheapest, key_slot, self._ranked_cost)
        sizes = np.array([len(sessions) for sessions in self.round_sessions], dtype=np.int64)
        ranked = np.bincount(key_slot, minlength=len(self.slots))
        unranked = ranked < sizes[self.slot_round]
        cheapest[unranked] = np.minimum(cheapest[unranked], self.unranked_cost)
        free = ~self.slot_fixed & np.isfinite(cheapest)
        return int(cheapest[free].sum()) * self.scale

    def cost(self, slot_index: int, session: int) -> float:
        slot = self.slots[slot_index]
        if slot.fixed is not None:
            return 0.0
        value = slot.cost.get(session, self.unranked_cost)
        before = self.previous.get(slot_index)
        if before is not None and before != session:
            value += self.move_cost
        return float(value)

    def column_costs(self, slots: np.ndarray, sessions: np.ndarray) -> np.ndarray:
        """Return `cost` of many columns at once."""
        costs = np.full(len(slots), float(self.unranked_cost))
        if self._ranked_key.size and len(slots):
            key = slots * len(self.sessions) + sessions
            at = np.minimum(np.searchsorted(self._ranked_key, key), self._ranked_key.size - 1)
            found = self._ranked_key[at] == key
            costs[found] = self._ranked_cost[at[found]]
        before = self._previous[slots]
        costs[(before >= 0) & (before != sessions)] += self.move_cost
        costs[self.slot_fixed[slots]] = 0.0
        return costs

    def placement_cost(self, placement: dict[int, int]) -> float:
        """Return the weighted objective of a placement (slot → session)."""
        return (
            sum(self.cost(slot, session) for slot, session in placement.items())
            + (len(self.slots) - len(placement)) * self.unplaced_cost
        )

    def allowed(self, slot_index: int, session: int) -> bool:
        slot = self.slots[slot_index]
        return slot.fixed is None or slot.fixed == session


class _Model:
    """One HiGHS model over a set of columns (slot, session).

    `tight`: the spread rule of an all-mix round is written as bounds on the counts (see
    `spread_bounds`), with a "missing member" column per bound that only an instance without
    a complete placement uses; otherwise (mixed rounds, or `tight=False`) with level binaries.
    The matrix is put together from numpy arrays (row, column, value), session by session.
    """

    def __init__(
        self,
        data: _Data,
        columns: list[tuple[int, int]],
        *,
        tight: bool = True,
        box: dict[tuple[int, int], tuple[int, int]] | None = None,
    ):
        self.data = data
        self.columns = columns
        self.tight = tight
        # (round, group) → (least, most) level L of a mixed round (`_search_by_levels`).
        self.box = box or {}
        d = data
        n_x = len(columns)
        n_slack = len(d.slots)
        self.n_x = n_x
        self.first_slack = n_x
        self.first_extra = n_x + n_slack
        pairs = np.array(columns, dtype=np.int64).reshape(-1, 2)
        self.pairs = pairs  # the columns as an array: (slot, session) each
        col_slot, col_session = pairs[:, 0], pairs[:, 1]
        col_group = d.slot_group[col_slot]
        col_participant = d.slot_participant[col_slot]
        rows_lower: list[float] = []
        rows_upper: list[float] = []
        t_row: list[np.ndarray] = []
        t_col: list[np.ndarray] = []
        t_val: list[np.ndarray] = []

        def new_rows(count: int, lower: float, upper: float) -> int:
            first = len(rows_lower)
            rows_lower.extend([lower] * count)
            rows_upper.extend([upper] * count)
            return first

        def add(rows, cols, values) -> None:
            cols = np.asarray(cols, dtype=np.int64).ravel()
            rows = np.asarray(rows, dtype=np.int64).ravel()
            values = np.asarray(values, dtype=np.float64).ravel()
            t_row.append(rows if rows.size == cols.size else np.full(cols.size, rows[0]))
            t_col.append(cols)
            t_val.append(values if values.size == cols.size else np.full(cols.size, values[0]))

        # Entries of one row with one value, kept as given and put together at the end:
        # numpy arrays made per call (`add`) took half the build at 300 sessions a round.
        one_row: list[int] = []
        one_cols: list = []
        one_value: list[float] = []

        def add_row(row: int, cols, value: float) -> None:
            one_row.append(row)
            one_cols.append(cols)
            one_value.append(value)

        # One place per slot (the slack column: "not placed").
        new_rows(n_slack, 1.0, 1.0)
        self.slot_row = list(range(n_slack))
        add(col_slot, np.arange(n_x), 1.0)
        add(np.arange(n_slack), n_x + np.arange(n_slack), 1.0)
        if d.left_out is not None:
            # The LP can no longer place fractionally whom no placement can, and its bound
            # is the cost of the placements (`_fewest_left_out`).
            row = new_rows(1, float(d.left_out), float(d.left_out))
            add(row, n_x + np.arange(n_slack), 1.0)
        order = np.argsort(col_session, kind="stable")
        bounds = np.searchsorted(col_session[order], np.arange(len(d.sessions) + 1))
        by_session = {
            s: order[bounds[s] : bounds[s + 1]]
            for s in range(len(d.sessions))
            if bounds[s + 1] > bounds[s]
        }
        # Capacity, where the columns could exceed it.
        self.capacity_row = {}
        for session, cols in by_session.items():
            if len(cols) > d.capacity[session]:
                row = new_rows(1, -highspy.kHighsInf, float(d.capacity[session]))
                self.capacity_row[session] = row
                add_row(row, cols, 1.0)
        # Topic: one row per participant and topic with more than one candidate slot.
        key = col_participant * len(d.topic_names) + d.topic[col_session]
        # (With counts: numpy's plain `unique` loads numpy.ma, 0.07 s of a command's start.)
        distinct = np.unique(key * len(d.slots) + col_slot, return_counts=True)[0] // len(d.slots)
        keys, counts = np.unique(distinct, return_counts=True)
        shared = keys[counts > 1]
        self.topic_row = {}
        if shared.size:
            first = new_rows(len(shared), -highspy.kHighsInf, 1.0)
            row_of_key = dict(zip(shared.tolist(), range(first, first + len(shared)), strict=True))
            for k, row in row_of_key.items():
                self.topic_row[divmod(k, len(d.topic_names))] = row
            mask = np.isin(key, shared)
            add([row_of_key[k] for k in key[mask].tolist()], np.nonzero(mask)[0], 1.0)
        # Mix: the group's count k and the session's count n keep k ≤ ceil(share × n). The
        # rows are the facets of the convex hull of those (n, k) up to the capacity
        # (`mix_facets`), not the single row b·k − a·n ≤ b − 1 (one of them): with full
        # sessions that row allows 5.6 of 12 at a share of 40 %, the hull 5.
        extra_cost: list[float] = []
        extra_upper: list[float] = []
        extra_lower: list[float] = []
        # With the session's count as a column n (one row n = Σ x), a facet row holds the
        # group's columns and n only, not every column of the session.
        self.mix_row: dict[tuple[int, int], list[tuple[int, float, float]]] = {}
        self.count_row: dict[int, int] = {}
        self.count_col: dict[int, int] = {}  # session → index among the extra columns
        if d.share_num < d.share_den:
            for session, cols in by_session.items():
                if not d.mix[session]:
                    continue
                groups = col_group[cols]
                present, counts = np.unique(groups, return_counts=True)
                present = present[counts > 1]
                facets = mix_facets(int(d.capacity[session]), d.share_num, d.share_den)
                if not present.size or not facets:
                    continue
                count_row = new_rows(1, 0.0, 0.0)
                count_col = self.first_extra + len(extra_cost)
                self.count_row[session] = count_row
                self.count_col[session] = len(extra_cost)
                extra_cost.append(0.0)
                extra_lower.append(0.0)
                extra_upper.append(float(d.capacity[session]))
                add_row(count_row, cols, 1.0)
                add_row(count_row, [count_col], -1.0)
                for g in present.tolist():
                    mine = cols[groups == g]
                    rows = []
                    for own, other, limit in facets:
                        row = new_rows(1, -highspy.kHighsInf, float(limit))
                        rows.append((row, float(own), float(other)))
                        add_row(row, mine, float(own - other))
                        if other:
                            add_row(row, [count_col], float(other))
                    self.mix_row[(session, g)] = rows

        # Spread.
        def missing_member(row: int, session: int, group: int, most: int) -> None:
            # As in all-mix rounds: a "missing member" column keeps the LP over few columns
            # feasible in any box of levels, priced like a person left out.
            self.missing.append((session, group, len(extra_cost), -1))
            extra_cost.append(d.unplaced_cost)
            extra_lower.append(0.0)
            extra_upper.append(float(most))
            add_row(row, [self.first_extra + len(extra_cost) - 1], 1.0)

        self.spread_rows: dict[tuple[int, int], list[int]] = {}
        self.levels: list[tuple[list[int], int, int, list[int]]] = []  # sessions, g, first, levels
        self.missing: list[tuple[int, int, int, int]] = []  # session, group, extra col, least
        # sessions, group, extra column of a continuous level (see below)
        self.free_levels: list[tuple[list[int], int, int]] = []
        empty = np.zeros(0, dtype=np.int64)
        for ri, sessions in enumerate(d.round_sessions):
            mix_sessions = [s for s in sessions if d.mix[s]]
            if len(mix_sessions) < 2:
                continue  # one session is always "spread evenly"
            capacities = [int(d.capacity[s]) for s in mix_sessions]
            for g in d.spread_groups:
                members = d.members.get((ri, g), 0)
                if not members:
                    continue
                offered = {s: by_session.get(s, empty) for s in mix_sessions}
                offered = {s: cols[col_group[cols] == g] for s, cols in offered.items()}
                spread = None
                if tight and len(mix_sessions) == len(sessions):
                    spread = spread_bounds(members, capacities)
                if spread is not None:
                    for s, (low, high) in zip(mix_sessions, spread, strict=True):
                        if low <= 0 and high >= len(offered[s]):
                            continue  # cannot bind with these columns
                        row = new_rows(1, float(low), float(high))
                        self.spread_rows[(s, g)] = [row]
                        add_row(row, offered[s], 1.0)
                        if low > 0:
                            # Lets the LP over few columns stay feasible; priced like a
                            # person left out, so no complete placement ever uses it.
                            column = self.first_extra + len(extra_cost)
                            self.missing.append((s, g, len(extra_cost), low))
                            extra_cost.append(d.unplaced_cost)
                            extra_lower.append(0.0)
                            extra_upper.append(float(low))
                            add_row(row, [column], 1.0)
                    continue
                if max(capacities) - min(capacities) <= 1:
                    # Sessions whose sizes differ by at most one: "some L with min(L, cap)
                    # ≤ count ≤ L + 1" is "no two counts differ by more than one" (a full
                    # session of cap = c + 1 is never below another's c). That is
                    # L ≤ count ≤ L + 1 with L a plain number: the convex hull of the
                    # allowed counts (difference rows are totally unimodular), and no
                    # level binaries for the MILP to branch on.
                    column = self.first_extra + len(extra_cost)
                    least, most = self.box.get((ri, g), (0, max(capacities)))
                    most = min(most, max(capacities))
                    self.free_levels.append((mix_sessions, g, len(extra_cost)))
                    extra_cost.append(0.0)
                    extra_lower.append(float(least))
                    extra_upper.append(float(most))
                    for s in mix_sessions:
                        low = new_rows(1, 0.0, highspy.kHighsInf)
                        high = new_rows(1, -highspy.kHighsInf, 1.0)
                        self.spread_rows[(s, g)] = [low, high]
                        add_row(low, [column], -1.0)
                        add_row(high, [column], -1.0)
                        add_row(low, offered[s], 1.0)
                        add_row(high, offered[s], 1.0)
                        if tight:
                            missing_member(low, s, g, max(capacities))
                    continue
                # Levels outside the box keep their column, at 0: the model of a box differs
                # from its parent's in bounds only (`with_box`).
                least, most = self.box.get((ri, g), (0, math.inf))
                levels = spread_level_range(members, capacities)
                first = len(extra_cost)
                level_cols = self.first_extra + first + np.arange(len(levels))
                extra_cost.extend([0.0] * len(levels))
                extra_lower.extend([0.0] * len(levels))
                extra_upper.extend([1.0 if least <= level <= most else 0.0 for level in levels])
                choose = new_rows(1, 1.0, 1.0)
                add_row(choose, level_cols, 1.0)
                for s, cap in zip(mix_sessions, capacities, strict=True):
                    low = new_rows(1, 0.0, highspy.kHighsInf)
                    high = new_rows(1, -highspy.kHighsInf, 0.0)
                    self.spread_rows[(s, g)] = [low, high]
                    add(low, level_cols, [-float(min(level, cap)) for level in levels])
                    add(high, level_cols, [-float(min(level + 1, cap)) for level in levels])
                    add_row(low, offered[s], 1.0)
                    add_row(high, offered[s], 1.0)
                    if tight:
                        missing_member(low, s, g, cap)
                self.levels.append((mix_sessions, g, first, levels))
        n_cols = self.first_extra + len(extra_cost)
        costs = np.empty(n_cols)
        costs[:n_x] = d.column_costs(col_slot, col_session)
        costs[n_x : self.first_extra] = d.unplaced_cost
        costs[self.first_extra :] = extra_cost
        upper = np.ones(n_cols)
        upper[self.first_extra :] = extra_upper
        lower = np.zeros(n_cols)
        lower[self.first_extra :] = extra_lower
        if one_row:
            lengths = [len(cols) for cols in one_cols]
            t_row.append(np.repeat(np.array(one_row, dtype=np.int64), lengths))
            t_col.append(np.concatenate(one_cols).astype(np.int64))
            t_val.append(np.repeat(np.array(one_value, dtype=np.float64), lengths))
        none = [np.zeros(0, dtype=np.int64)]
        rows = np.concatenate(t_row or none)
        cols = np.concatenate(t_col or none)
        values = np.concatenate(t_val or [np.zeros(0)])
        keep = values != 0
        rows, cols, values = rows[keep], cols[keep], values[keep]
        order = np.lexsort((rows, cols))
        # Kept as numpy arrays and handed to HiGHS as such (`highs`): a HighsLp's matrix
        # fields are filled element by element (0.06 s of 0.1 at 3,000 people).
        self.col_cost = costs
        self.col_lower, self.col_upper = lower, upper
        self.row_lower = np.array(rows_lower)
        self.row_upper = np.array(rows_upper)
        self.a_start = np.searchsorted(cols[order], np.arange(n_cols + 1)).astype(np.int32)
        self.a_index = rows[order].astype(np.int32)
        self.a_value = values[order]
        self.n_rows = len(rows_lower)
        self.n_cols = n_cols
        # Columns that need no integrality: each session's count (a sum of placements).
        self.continuous = [self.first_extra + k for k in self.count_col.values()]

    def highs(self, *, integer: bool, deadline: float | None) -> highspy.Highs:
        """Return HiGHS with this model, to stop by `deadline` (time.monotonic()).

        HiGHS counts its time limit from `run`, checks it only now and then, and a MILP's
        presolve and heuristics on 2,000 people overran it by seconds: there the clock is
        also checked by an interrupt callback of the simplex and the MILP search. An LP's
        simplex checks the time limit itself, and the callback, called from Python at every
        iteration, cost a third of its time (0.06 s of an LP of 3,000 people).
        """
        h = new_highs()
        h.setOptionValue("random_seed", 1)
        # Every column's (HiGHS reads n_cols of them, also for an LP).
        integrality = np.full(self.n_cols, int(highspy.HighsVarType.kContinuous), np.int32)
        if integer:
            integrality = np.full(self.n_cols, int(highspy.HighsVarType.kInteger), np.int32)
            integrality[self.continuous] = int(highspy.HighsVarType.kContinuous)
            # Costs are whole numbers: a gap below 1 is no gap.
            h.setOptionValue("mip_rel_gap", 0.0)
            h.setOptionValue("mip_abs_gap", (1.0 - 1e-4) * self.data.unit)
            # Symmetry detection after a restart ran seconds at 2,000 people without
            # looking at the clock (the deadline overrun by 3 s, against 0.3 s without it);
            # people's costs differ, so there is little symmetry to find.
            h.setOptionValue("mip_detect_symmetry", False)
        else:
            # Presolve costs more than the whole dual simplex on these LPs (0.8 s against
            # 0.1 s at 600 people): each is solved once and then grown.
            h.setOptionValue("presolve", "off")
        passed = h.passModel(
            self.n_cols,
            self.n_rows,
            len(self.a_index),
            int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            self.col_cost * self.data.unit,
            self.col_lower,
            self.col_upper,
            self.row_lower,
            self.row_upper,
            self.a_start,
            self.a_index,
            self.a_value,
            integrality,
        )
        if passed == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS refused the model")  # a bug of ours, not a user error
        if deadline is not None:
            h.setOptionValue("time_limit", max(deadline - time.monotonic(), 0.01))

            def stop_at_deadline(event) -> None:
                if time.monotonic() >= deadline:
                    event.interrupt()

            if integer:
                h.cbSimplexInterrupt.subscribe(stop_at_deadline)
                h.cbMipInterrupt.subscribe(stop_at_deadline)
        return h

    def start_basis(self) -> highspy.HighsBasis:
        """Return a basis with each slot at its cheapest column: the duals start feasible.

        Basic: each slot's cheapest column (its slack when it has none), each session's
        count column, and the logical of every other row; all else at its lower bound.
        With every other row's dual 0, each reduced cost is a column's cost less its slot's
        cheapest, never negative: the dual simplex only moves those a row does not allow
        (1,000 iterations where it took 4,000 from the slack basis at 3,000 people).
        """
        basic, lower = _BASIS_STATUS
        costs = self.col_cost[: self.n_x]
        slots = self.pairs[:, 0]
        order = np.lexsort((costs, slots))
        first = np.ones(len(order), dtype=bool)
        first[1:] = slots[order][1:] != slots[order][:-1]
        cheapest = order[first]
        col = np.zeros(self.n_cols, dtype=np.int64)
        col[cheapest] = 1
        placed = np.zeros(len(self.data.slots), dtype=bool)
        placed[slots[cheapest]] = True
        col[self.first_slack + np.nonzero(~placed)[0]] = 1
        row = np.ones(self.n_rows, dtype=np.int64)
        row[self.slot_row] = 0
        for session, count_row in self.count_row.items():
            col[self.first_extra + self.count_col[session]] = 1
            row[count_row] = 0
        table = (lower, basic)
        result = highspy.HighsBasis()
        result.col_status = [table[v] for v in col.tolist()]
        result.row_status = [table[v] for v in row.tolist()]
        result.valid = True
        return result

    def with_box(self, box: dict[tuple[int, int], tuple[int, int]]) -> _Model:
        """Return this model for another box of spread levels: the same matrix, other bounds."""
        other = copy.copy(self)
        other.box = box
        other.col_lower, other.col_upper = self.col_lower.copy(), self.col_upper.copy()
        round_of = self.data.session_round
        for sessions, g, k in self.free_levels:
            least, most = box.get((int(round_of[sessions[0]]), g), (0, math.inf))
            column = self.first_extra + k
            other.col_lower[column] = least
            other.col_upper[column] = min(most, max(self.data.capacity[s] for s in sessions))
        for sessions, g, first, levels in self.levels:
            least, most = box.get((int(round_of[sessions[0]]), g), (0, math.inf))
            for i, level in enumerate(levels):
                other.col_upper[self.first_extra + first + i] = float(least <= level <= most)
        return other

    # HiGHS's values in units of cost (`_Data.unit`).
    def duals(self, h: highspy.Highs) -> np.ndarray:
        return np.array(h.getSolution().row_dual) / self.data.unit

    def column_duals(self, h: highspy.Highs) -> np.ndarray:
        return np.array(h.getSolution().col_dual) / self.data.unit

    def objective(self, h: highspy.Highs) -> float:
        return h.getInfo().objective_function_value / self.data.unit

    def dual_bound(self, h: highspy.Highs) -> float:
        return h.getInfo().mip_dual_bound / self.data.unit

    def incomplete(self, values: np.ndarray) -> int:
        """Return how many slots a solution leaves out plus how many spread members it misses."""
        slack = values[self.first_slack : self.first_extra]
        missing = sum(values[self.first_extra + k] for _, _, k, _ in self.missing)
        return int(round(float(slack.sum()) + missing))


_BASIS_STATUS = (highspy.HighsBasisStatus.kBasic, highspy.HighsBasisStatus.kLower)
_banner_shown = False


def new_highs() -> highspy.Highs:
    """Return a silent HiGHS instance.

    HiGHS prints its banner on standard output when the first instance of a process is made,
    before any option can be set; that output belongs on standard error (the command line
    writes its own summary to standard output), so the first one is made with the file
    descriptor pointed there.
    """
    global _banner_shown
    if _banner_shown:
        h = highspy.Highs()
    else:
        _banner_shown = True
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            os.dup2(2, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


@functools.cache
def mix_facets(capacity: int, a: int, b: int) -> tuple[tuple[int, int, int], ...]:
    """Return the mix rule of a session as rows own·k + other·(n − k) ≤ limit.

    k members of one group among n people may be at most min(n, ceil(a/b × n)): the points
    (n, that most) for n = 0 … capacity. The rows are the facets of their upper concave
    envelope (k ≤ n needs none: it always holds), with whole-number coefficients, so that
    the LP knows the rounding: a facet through (n1, k1) and (n2, k2) is
    (n2 − n1)·k − (k2 − k1)·n ≤ (n2 − n1)·k1 − (k2 − k1)·n1.
    """
    points = [(n, min(n, -(-a * n // b))) for n in range(capacity + 1)]
    hull: list[tuple[int, int]] = []
    for point in points:  # the upper hull, left to right (monotone chain)
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (point[1] - y1) - (y2 - y1) * (point[0] - x1) >= 0:
                hull.pop()
            else:
                break
        hull.append(point)
    facets = []
    for (n1, k1), (n2, k2) in itertools.pairwise(hull):
        dn, dk = n2 - n1, k2 - k1
        if dk >= dn:
            continue  # slope 1: k ≤ n
        # dn·k − dk·n = (dn − dk)·k − dk·(n − k)
        facets.append((dn - dk, -dk, dn * k1 - dk * n1))
    return tuple(facets)


def spread_bounds(members: int, capacities: list[int]) -> list[tuple[int, int]] | None:
    """Return (least, most) members per session of a round whose sessions are all mixed.

    Every member of the group then sits in one of these sessions, so the counts add up to
    `members`. The rule "some L with min(L, cap) ≤ count ≤ L + 1" then leaves exactly one
    box: with L* the least level whose sessions can seat everyone (Σ min(L* + 1, cap) ≥
    members), every count lies in [min(L*, cap), min(L* + 1, cap)]. Any larger level that
    also fits gives the same counts (its lower ends add up to `members` already), so no
    level variable is needed. With room for all and no full session this is
    floor(G/m) ≤ count ≤ ceil(G/m). None when the sessions cannot seat everyone.
    """
    if members > sum(capacities):
        return None
    level = 0
    while sum(min(level + 1, cap) for cap in capacities) < members:
        level += 1
    box = [(min(level, cap), min(level + 1, cap)) for cap in capacities]
    # The counts add up to `members`: narrow each range to what the others leave over
    # (then G divisible by m gives exactly G/m everywhere, as the LP must know).
    least, most = sum(low for low, _ in box), sum(high for _, high in box)
    return [
        (max(low, members - (most - high)), min(high, members - (least - low))) for low, high in box
    ]


def spread_level_range(members: int, capacities: list[int]) -> list[int]:
    """Return the levels L worth a binary when the members' count in mix sessions is open.

    Levels whose lower ends alone need more members than the round has cannot occur (and
    would loosen the LP), and every level from the largest capacity on means "all full".
    """
    top = 0
    while top < max(capacities) and sum(min(top + 1, cap) for cap in capacities) <= members:
        top += 1
    return list(range(top + 1))


def _reduced_costs(data: _Data, model: _Model, y: np.ndarray):
    """Return (slots, sessions, reduced costs) of every column of the full model not in `model`.

    The duals of rows that `model` leaves out (they could not bind yet) count as zero, which
    keeps `y` a feasible dual of the full model when no reduced cost is negative.
    """
    d = data
    n_groups = len(d.groups)
    n_sessions = len(d.sessions)
    # q[s, h]: what the capacity, mix and spread rows of s give back for a member of group h.
    q = np.zeros((n_sessions, n_groups))
    for session, row in model.capacity_row.items():
        q[session, :] += y[row]
    for session, row in model.count_row.items():
        q[session, :] += y[row]
    for (session, g), rows in model.mix_row.items():
        for row, own, other in rows:
            q[session, g] += (own - other) * y[row]
    for (session, g), rows in model.spread_rows.items():
        q[session, g] += sum(y[row] for row in rows)
    slot_dual = y[np.array(model.slot_row, dtype=np.int64)]
    pairs = np.array(model.columns, dtype=np.int64).reshape(-1, 2)
    duals = [
        (participant, topic, y[row])
        for (participant, topic), row in model.topic_row.items()
        if abs(y[row]) > 1e-12
    ]
    dual_participant = np.array([p for p, _, _ in duals], dtype=np.int64)
    dual_topic = np.array([t for _, t, _ in duals], dtype=np.int64)
    dual_value = np.array([w for _, _, w in duals], dtype=np.float64)
    key_slot, key_session = d._ranked_key // n_sessions, d._ranked_key % n_sessions
    # Whole rounds at once (slot × session of the round), as numpy arrays: a loop over the
    # slots took 0.05 s a round at 3,000 people.
    all_slots, all_sessions, all_reduced = [], [], []
    for ri, sessions in enumerate(d.round_sessions):
        slot_arr = np.nonzero(d.slot_round == ri)[0]
        if not slot_arr.size or not sessions:
            continue
        sess = np.array(sessions, dtype=np.int64)
        position = np.full(n_sessions, -1, dtype=np.int64)
        position[sess] = np.arange(len(sess))
        row_of = np.full(len(d.slots), -1, dtype=np.int64)
        row_of[slot_arr] = np.arange(len(slot_arr))
        cost = np.full((len(slot_arr), len(sess)), float(d.unranked_cost))
        mine = row_of[key_slot] >= 0
        cost[row_of[key_slot[mine]], position[key_session[mine]]] = d._ranked_cost[mine]
        before = d._previous[slot_arr]
        moved = np.nonzero(before >= 0)[0]
        cost[moved, :] += d.move_cost
        cost[moved, position[before[moved]]] -= d.move_cost
        cost[d.slot_fixed[slot_arr], :] = np.inf
        if dual_value.size:
            row_of_participant = np.full(len(d.group), -1, dtype=np.int64)
            row_of_participant[d.slot_participant[slot_arr]] = np.arange(len(slot_arr))
            rows = row_of_participant[dual_participant]
            here = np.nonzero(rows >= 0)[0]
            which, cols = np.nonzero(dual_topic[here][:, None] == d.topic[sess][None, :])
            np.subtract.at(cost, (rows[here][which], cols), dual_value[here][which])
        groups = d.slot_group[slot_arr]
        reduced = cost - slot_dual[slot_arr][:, None] - q[sess].T[groups, :]
        present = pairs[row_of[pairs[:, 0]] >= 0]
        reduced[row_of[present[:, 0]], position[present[:, 1]]] = np.inf
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
    # Each slot gets its fallbacks from the less wanted half, each slot from another place
    # in it: the same four for everyone would overflow, and the first LP would leave people
    # out (then no placement can be made from it before column generation ends).
    columns = []
    for i, slot in enumerate(d.slots):
        if slot.fixed is not None:
            columns.append((i, slot.fixed))
            continue
        chosen = dict.fromkeys(slot.cost)
        if i in d.previous:
            chosen[d.previous[i]] = None
        pool = spare[slot.round]
        pool = pool[: max(FALLBACKS, (len(pool) + 1) // 2)]
        for k in range(len(pool)):
            if len(chosen) >= len(slot.cost) + FALLBACKS:
                break
            chosen.setdefault(pool[(i * FALLBACKS + k) % len(pool)], None)
        columns.extend((i, session) for session in chosen)
    return columns + _spread_columns(d, columns)


def _spread_columns(data: _Data, columns: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return columns that let the members of a spread group reach every mix session.

    A session few of them ranked still needs its least number of them (`spread_bounds`):
    without candidates there the first LP cannot place everyone. Members take turns.
    """
    d = data
    n_groups = len(d.groups)
    pairs = np.array(columns, dtype=np.int64).reshape(-1, 2)
    # (session, group) → columns, as session × groups + group
    offered = np.bincount(
        pairs[:, 1] * n_groups + d.slot_group[pairs[:, 0]], minlength=len(d.sessions) * n_groups
    ).tolist()
    have = set(columns)
    added = []
    for ri, sessions in enumerate(d.round_sessions):
        mix_sessions = [s for s in sessions if d.mix[s]]
        if len(mix_sessions) < 2:
            continue
        for g in d.spread_groups:
            members = np.nonzero((d.slot_round == ri) & (d.slot_group == g) & ~d.slot_fixed)[0]
            members = members.tolist()
            if not members:
                continue
            capacities = [int(d.capacity[s]) for s in mix_sessions]
            bounds = spread_bounds(d.members[(ri, g)], capacities) or [
                (0, cap) for cap in capacities
            ]
            turn = 0
            for s, (_, high) in zip(mix_sessions, bounds, strict=True):
                wanted = min(2 * high + 1, len(members))
                tried = 0
                while offered[s * n_groups + g] < wanted and tried < len(members):
                    slot = members[turn % len(members)]
                    turn += 1
                    tried += 1
                    if (slot, s) not in have:
                        have.add((slot, s))
                        added.append((slot, s))
                        offered[s * n_groups + g] += 1
    return added


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.monotonic(), 0.01)


def _expired(deadline: float | None, margin: float = 0.0) -> bool:
    return deadline is not None and time.monotonic() >= deadline - margin


@dataclass
class _Relaxation:
    """The LP relaxation after column generation (or as far as the time allowed)."""

    model: _Model
    solution: np.ndarray
    value: float  # of the restricted LP
    bound: float  # a proven lower bound of the full model's LP (= value once converged)
    converged: bool
    out_slot: np.ndarray
    out_session: np.ndarray
    out_reduced: np.ndarray
    basis: highspy.HighsBasis | None = None  # of the last LP, to start a box's LP from


def _column_generation(
    data: _Data,
    *,
    tight: bool,
    deadline: float | None,
    report: Progress,
    box: dict[tuple[int, int], tuple[int, int]] | None = None,
    parent: _Relaxation | None = None,
    columns: list[tuple[int, int]] | None = None,
) -> _Relaxation | None:
    """Solve the LP relaxation, adding every column with a negative reduced cost.

    Stopped by the deadline, it still returns the last LP solved, with a Lagrangian bound:
    the restricted value plus, per slot, its least negative reduced cost outside the model
    (each slot takes one column, so no placement can gain more than that).
    `parent`: the LP of a larger box of levels; the first LP is its model in the new box,
    started from its basis (only bounds differ), not a model built and solved afresh.
    `columns`: the first LP's, instead of each slot's ranked sessions and fallbacks.
    """
    if _expired(deadline):
        return None  # (the first columns alone took 0.2 s at 3,000 people)
    if parent is not None:
        columns = list(parent.model.columns)
    elif columns is None:
        columns = _initial_columns(data)
    found: _Relaxation | None = None
    took = 0.0
    for _round in range(100):
        # Another round that would leave too little time to turn the LP into a placement
        # is not started: a placement at the deadline is worth more than a finer bound.
        if _expired(deadline, margin=2.0 * took):
            break
        began = time.monotonic()
        report(0.1, "lp")
        if parent is not None and _round == 0:
            model = parent.model.with_box(box or {})
            h = model.highs(integer=False, deadline=deadline)
            if parent.basis is not None:
                h.setBasis(parent.basis)
        else:
            model = _Model(data, columns, tight=tight, box=box)
            h = model.highs(integer=False, deadline=deadline)
        if _run(h, data) != highspy.HighsModelStatus.kOptimal:
            break
        value = model.objective(h)
        y = model.duals(h)
        out_slot, out_session, out_reduced = _reduced_costs(data, model, y)
        per_slot = np.zeros(len(data.slots))
        np.minimum.at(per_slot, out_slot, out_reduced)
        negative = out_reduced < -EPS
        found = _Relaxation(
            model=model,
            solution=np.array(h.getSolution().col_value),
            value=value,
            bound=max(found.bound if found else -math.inf, value + float(per_slot.sum())),
            converged=not negative.any(),
            out_slot=out_slot,
            out_session=out_session,
            out_reduced=out_reduced,
            basis=h.getBasis(),
        )
        if found.converged:
            found.bound = value
            break
        columns = columns + list(
            zip(out_slot[negative].tolist(), out_session[negative].tolist(), strict=True)
        )
        took = time.monotonic() - began
    return found


def lp_relaxation(instance: Instance) -> float:
    """Return the LP bound of the model (weighted costs; pinned placements cost 0 here)."""
    data = _Data(instance, None)
    found = _column_generation(data, tight=True, deadline=None, report=lambda f, p: None)
    assert found is not None and found.converged
    return found.value * data.scale


@dataclass
class _Found:
    """The best placement of one model's search, and what is proven about it."""

    placement: dict[int, int] | None
    objective: float
    complete: bool
    bound: float
    lp_bound: float | None
    columns: int


def _search(
    data: _Data,
    *,
    tight: bool,
    deadline: float | None,
    report: Progress,
    relaxation: _Relaxation | None = None,
    incumbent: dict[int, int] | None = None,
    late: float | None = None,
) -> _Found:
    """Search one model until proven or out of time; keep the best placement of any phase.

    With `tight`, only a complete placement (everyone placed, spread bounds met) counts as
    found; without, the best elastic placement (fewest left out) does. `relaxation`: the
    LP already solved (of a box of levels, see `_search_by_levels`). `incumbent`: a
    complete placement found otherwise, HiGHS's start when it costs less than the warm
    start (its columns are added to the model). `late`: the deadline once a complete
    placement is in hand.
    """
    empty = _Found(None, math.inf, False, -math.inf, None, 0)
    if relaxation is None:
        relaxation = _column_generation(data, tight=tight, deadline=deadline, report=report)
    if relaxation is None:
        return empty
    best = empty
    best.bound = relaxation.bound
    best.lp_bound = relaxation.value if relaxation.converged else None
    model = relaxation.model
    out_slot, out_session, out_reduced = (
        relaxation.out_slot,
        relaxation.out_session,
        relaxation.out_reduced,
    )

    def consider(placement: dict[int, int] | None, objective: float, complete: bool) -> None:
        if placement is None or not (complete or not tight):
            return
        if objective < best.objective - 0.5:
            best.placement, best.objective, best.complete = placement, objective, complete

    # Only columns that could beat the best placement can be in a better one: those whose
    # reduced cost is below its gap to the LP. They are added in stages, cheapest first (a
    # gap of 5 at 2,000 people lets in 60,000 columns, a MILP HiGHS cannot close in a
    # minute, while an optimum at the LP bound uses only columns of reduced cost 0), and a
    # stage's optimum is proven when no column left out could beat it.
    stage = 0.5

    def improving_columns() -> np.ndarray:
        nonlocal stage
        improving = relaxation.value + out_reduced < best.objective - 0.5
        if improving.any() and not (improving & (out_reduced < stage)).any():
            stage = float(out_reduced[improving].min()) + 0.5
        chosen = improving & (out_reduced < stage)
        stage *= 4
        return chosen

    report(0.3, "start")
    start = _warm_start(data, relaxation, deadline, tight=tight)
    if incumbent is not None and (
        start is None or data.placement_cost(incumbent) < data.placement_cost(start)
    ):
        n_sessions = len(data.sessions)
        wanted = np.isin(
            out_slot * n_sessions + out_session,
            [slot * n_sessions + session for slot, session in incumbent.items()],
        )
        model, out_slot, out_session, out_reduced = _add_improving(
            data, model, out_slot, out_session, out_reduced, wanted
        )
        start = incumbent
    if start is not None:
        consider(start, data.placement_cost(start), True)
        if relaxation.converged:
            model, out_slot, out_session, out_reduced = _add_improving(
                data, model, out_slot, out_session, out_reduced, improving_columns()
            )

    def until() -> float | None:
        return late if late is not None and best.complete else deadline

    while not _expired(until()) and not _proven(best):
        report(0.4, "milp")
        h = model.highs(integer=True, deadline=until())
        if start is not None:
            _set_start(h, model, start)
        _run(h, data)
        info = h.getInfo()
        milp_bound = model.dual_bound(h)
        if relaxation.converged:
            least_outside = float(out_reduced.min()) if out_reduced.size else math.inf
            best.bound = max(best.bound, min(milp_bound, relaxation.value + least_outside))
        if info.primal_solution_status != 2:
            break
        values = np.array(h.getSolution().col_value)
        placement = _placement_from(model.columns, values, model.n_x)
        consider(placement, model.objective(h), model.incomplete(values) == 0)
        if h.getModelStatus() in _STOPPED and not _expired(until()):
            # Stopped by the deadline before the first placement, which moved it on.
            start = best.placement
            continue
        if not relaxation.converged:
            break
        improving = improving_columns()
        if not improving.any() or _expired(until()):
            break
        start = best.placement
        model, out_slot, out_session, out_reduced = _add_improving(
            data, model, out_slot, out_session, out_reduced, improving
        )
    best.columns = len(model.columns)
    return best


_STOPPED = (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt)
_ANSWERED = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible)


def _run(h: highspy.Highs, data: _Data) -> highspy.HighsModelStatus:
    """Run HiGHS; keep its model status in `data.stopped` when it ended without an answer
    and not by the clock (numerical trouble: "Not Set" after "excessive dual values")."""
    h.run()
    status = h.getModelStatus()
    if status not in _ANSWERED + _STOPPED and data.stopped is None:
        data.stopped = h.modelStatusToString(status)
    return status


def _fractional_level(relaxation: _Relaxation) -> tuple[tuple[int, int], int] | None:
    """Return the (round, group) whose spread level the LP leaves open, and where to split.

    (key, k): one box takes the levels up to k, the other those from k + 1. A level L of
    its own (rooms of one size) is open when fractional; level binaries (rooms of
    different sizes) when more than one has a share.
    """
    model = relaxation.model
    values = relaxation.solution
    chosen, furthest = None, 1e-6
    for sessions, g, k in model.free_levels:
        value = float(values[model.first_extra + k])
        if abs(value - round(value)) > furthest:
            furthest = abs(value - round(value))
            chosen = ((int(model.data.session_round[sessions[0]]), g), math.floor(value))
    for sessions, g, first, levels in model.levels:
        shares = [float(values[model.first_extra + first + i]) for i in range(len(levels))]
        used = [level for level, share in zip(levels, shares, strict=True) if share > 1e-6]
        spread = 1.0 - max(shares, default=1.0)  # how far from one level
        if len(used) > 1 and spread > furthest:
            furthest = spread
            mean = sum(level * share for level, share in zip(levels, shares, strict=True))
            split = min(max(math.floor(mean), used[0]), used[-1] - 1)
            chosen = ((int(model.data.session_round[sessions[0]]), g), split)
    return chosen


def _search_by_levels(
    data: _Data,
    *,
    deadline: float | None,
    report: Progress,
    incumbent: dict[int, int] | None = None,
    late: float | None = None,
) -> _Found:
    """Search for the best complete placement, branching first on the spread levels.

    In a mixed round the spread rule has a level L per (round, group): a whole number with
    L ≤ count ≤ L + 1 (rooms of one size) or level binaries (`_Model`). The LP mixes levels
    (L = 1.5 lets every room take 1.5 … 2.5 members) and then lies some per cent below the
    optimum, a gap HiGHS's cuts close only slowly at 2,000 people; with the level fixed the
    LP is as good as integral. So the levels are branched on first (levels up to k, or
    from k + 1; best bound first; each box's LP by column generation from its parent's
    columns), and a box whose LP settles every level is searched as usual (`_search`). The
    bound is the least over the boxes not closed, so it stays a proof whenever the time
    ends. `incumbent`: a complete placement found otherwise (`by_round.py`), the best until
    a better one is found. `late`: the deadline once a complete placement is in hand (the
    time kept for the placement round by round, which is then not needed).
    """
    objective = math.inf if incumbent is None else data.placement_cost(incumbent)
    root = _column_generation(data, tight=True, deadline=deadline, report=report)
    if root is None:
        return _Found(incumbent, objective, incumbent is not None, -math.inf, None, 0)
    best = _Found(
        incumbent,
        objective,
        incumbent is not None,
        root.bound,
        root.value if root.converged else None,
        0,
    )
    heap: list[tuple[float, int, dict, _Relaxation]] = [(root.bound, 0, {}, root)]
    pushed = 1
    unsettled: list[float] = []  # bounds of boxes searched without a proof

    def until() -> float | None:
        return late if late is not None and best.complete else deadline

    columns = 0
    while heap:
        bound, _, box, relaxation = heap[0]
        # A complete placement costs less than leaving one person out: a box bounded by
        # that holds none (an instance without one then ends here, not after a MILP for
        # each of hundreds of boxes).
        if math.ceil(bound - 1e-6) >= min(best.objective, data.unplaced_cost) - 0.5:
            heap.clear()  # best bound first: no box left can hold a better placement
            break
        if _expired(until()):
            break
        heapq.heappop(heap)
        level = _fractional_level(relaxation) if relaxation.converged else None
        if level is None:
            found = _search(
                data,
                tight=True,
                deadline=until(),
                report=report,
                relaxation=relaxation,
                incumbent=best.placement if best.complete else None,
                late=late,
            )
            columns = max(columns, found.columns)
            if found.placement is not None and found.objective < best.objective - 0.5:
                best.placement, best.objective = found.placement, found.objective
                best.complete = found.complete
            if not _proven(found):
                unsettled.append(max(bound, found.bound))
            continue
        key, split = level
        least, most = box.get(key, (0, math.inf))
        for child in ((least, split), (split + 1, most)):
            if child[0] > child[1]:
                continue
            child_box = {**box, key: child}
            found = _column_generation(
                data,
                tight=True,
                deadline=until(),
                report=report,
                box=child_box,
                parent=relaxation,
            )
            if found is None:
                unsettled.append(bound)
                continue
            heapq.heappush(heap, (max(bound, found.bound), pushed, child_box, found))
            pushed += 1
    best.bound = min([best.objective, *(b for b, *_ in heap), *unsettled])
    best.columns = columns or len(root.model.columns)
    return best


def _proven(found: _Found) -> bool:
    return found.placement is not None and math.ceil(found.bound - 1e-6) >= found.objective - 0.5


@dataclass(frozen=True)
class ByRound:
    """When the placement round by round (`by_round.py`) is looked for, and how.

    `first`: before the search, until then (the search then starts from it); `improve`:
    the share of its time left after its first placement that it spends lowering its cost;
    `quick`: its fastest first placement (`by_round.py`). `kept`: after the
    search's deadline when the search found no placement, until then; a search that found
    one goes on until then instead.
    """

    first: float | None = None
    improve: float = 1.0
    quick: bool = False
    kept: float | None = None


def solve_model(
    instance: Instance,
    *,
    deadline: float | None = None,
    previous: dict[str, dict[str, str]] | None = None,
    progress: Progress | None = None,
    by_round: ByRound | None = None,
    start: dict[str, dict[str, str]] | None = None,
) -> tuple[_Data, ModelOutcome]:
    """Solve the primary problem (fewest unplaced, then fewest moves, then least cost).

    Anytime: when the deadline comes, the best complete placement found so far is returned
    with its proven bound. Raise NoPlacement (a TimeoutError) when there is none yet and it
    is not proven that none exists: the time ended, or HiGHS gave up (its `code`). When
    none exists (proven), the elastic model places whom it can.

    The placement round by round (`by_round.py`, far faster than this model's first
    placement on thousands of people) as `by_round` says: before the search, or in time
    kept after it. `start`: a complete placement found otherwise (participant id → round
    id → session id, `solve`'s fast pass), the best until a cheaper one is found.
    """
    report = progress or (lambda fraction, phase: None)
    plan = by_round or ByRound()
    if plan.first is None and _expired(deadline) and any(p.rounds for p in instance.participants):
        # Nothing could be found: not even the data (0.1 s at 3,000 people) is worth it.
        raise NoPlacement(NO_PLACEMENT)
    data = _Data(instance, previous)
    if not data.slots:
        return data, ModelOutcome({}, [], 0, 0, 0.0, True, 0)
    incumbent = partial = None
    if plan.first is not None:
        incumbent = partial = _by_round(data, plan.first, plan.improve, plan.quick)
        if len(incumbent) < len(data.slots):
            incumbent = None
    given = data.placement_of(start or {})
    if len(given) == len(data.slots) and (
        incumbent is None or data.placement_cost(given) < data.placement_cost(incumbent)
    ):
        incumbent = given
    found = _search_by_levels(
        data, deadline=deadline, report=report, incumbent=incumbent, late=plan.kept
    )
    if found.placement is None and found.bound < data.unplaced_cost - 0.5:
        if plan.kept is not None:
            partial = _by_round(data, plan.kept, 1.0, plan.quick)
        if partial is not None and len(partial) == len(data.slots):
            found.placement, found.objective = partial, data.placement_cost(partial)
            found.complete = True
    if found.placement is None:
        if found.bound < data.unplaced_cost - 0.5:
            raise _no_placement(data, deadline, NO_PLACEMENT, placed=data.assignment(partial or {}))
        # Proven: nobody can place everyone. Place whom the rules allow, to say who and why.
        found = _fewest_left_out(data, deadline=deadline, report=report)
        if found.placement is None:
            raise _no_placement(data, deadline, NO_ONE_LEFT_OUT)
        found.bound = max(found.bound, data.unplaced_cost)
    placement = found.placement
    unplaced = [slot_i for slot_i in range(len(data.slots)) if slot_i not in placement]
    # No bound when the time ended before the first LP (a placement round by round): 0,
    # which the caller raises to each placement at its cheapest.
    bound = math.ceil(found.bound - 1e-6) if math.isfinite(found.bound) else 0
    objective = round(found.objective)
    scale = data.scale
    return data, ModelOutcome(
        placement=placement,
        unplaced=unplaced,
        weighted_objective=objective * scale,
        weighted_bound=min(bound, objective) * scale,
        lp_bound=None if found.lp_bound is None else found.lp_bound * scale,
        proven=bound >= objective,
        columns=found.columns,
    )


def _fewest_left_out(data: _Data, *, deadline: float | None, report: Progress) -> _Found:
    """Search the placement of whom the rules allow: fewest left out, then the cheapest.

    In two steps rather than one model where leaving someone out costs more than any
    placement: the LP of that model places fractionally whom no placement can, so that
    its bound lies whole people below the optimum, and each MILP must prove a number
    of 10**11 or more down to a cost of 1 (at the largest costs accepted: minutes a MILP
    at 60 people, 20 MILPs as the columns grew). First the number alone (placements
    free, leaving out costs 1: small whole numbers); then the cheapest placement that
    leaves out exactly that many (`_Data.left_out`, leaving out costs nothing more),
    from the first step's placement and its columns.
    """
    counting = data.counting_left_out()
    fewest = _search(counting, tight=False, deadline=deadline, report=report)
    data.stopped = data.stopped or counting.stopped
    if fewest.placement is None:
        return fewest
    objective = data.placement_cost(fewest.placement)
    bound = math.ceil(fewest.bound - 1e-6) if math.isfinite(fewest.bound) else 0
    if not _proven(fewest):
        return _Found(
            fewest.placement, objective, False, bound * data.unplaced_cost, None, fewest.columns
        )
    exact = copy.copy(data)
    # Counted, not HiGHS's objective: that said 29 of a placement that leaves out 30
    # (and no placement leaves out 29).
    exact.left_out = len(data.slots) - len(fewest.placement)
    exact.unplaced_cost = 0
    columns = _initial_columns(exact)
    columns += sorted(set(fewest.placement.items()) - set(columns))
    relaxation = _column_generation(
        exact, tight=False, deadline=deadline, report=report, columns=columns
    )
    found = _search(
        exact,
        tight=False,
        deadline=deadline,
        report=report,
        relaxation=relaxation,
        incumbent=fewest.placement,
    )
    data.stopped = data.stopped or exact.stopped
    # In the instance's weighted units again: leaving out `left_out` slots costs them.
    fixed = exact.left_out * data.unplaced_cost
    found.objective += fixed
    found.bound = max(found.bound + fixed, bound * data.unplaced_cost)
    if found.lp_bound is not None:
        found.lp_bound += fixed
    if found.placement is None or found.objective > objective:
        found.placement, found.objective = fewest.placement, objective
    return found


def _by_round(data: _Data, deadline: float, improve: float, quick: bool) -> dict[int, int]:
    """Return the placement round by round (`by_round.py`) as slot → session.

    It may leave slots out: whom a round could not place, and the rounds it did not place
    before the deadline.
    """
    from .by_round import place_by_round

    return place_by_round(data, deadline=deadline, improve=improve, quick=quick)


NO_PLACEMENT = (
    "no placement of everyone found within the time limit, and not proven impossible; "
    "allow more time"
)
NO_ONE_LEFT_OUT = (
    "not everyone can be placed, but the time limit ended before finding whom; allow more time"
)
SOLVER_STOPPED = (
    'the solver (HiGHS) stopped with model status "{status}", not at a time limit, before it '
    "found a placement of everyone or proved that none exists; please report this with the "
    "instance"
)


class NoPlacement(TimeoutError):
    """No complete placement was found in time, and none is proven impossible.

    `placed`: the rounds placed round by round before the time ended (participant id →
    round id → session id), which a fast pass can complete (`greedy_placement`). `code`:
    the reason of whom that pass leaves out: "time_limit", or "solver_stopped" when HiGHS
    gave up before the time ended (`_no_placement`).
    """

    def __init__(
        self,
        message: str,
        *,
        placed: dict[str, dict[str, str]] | None = None,
        code: str = "time_limit",
    ):
        super().__init__(message)
        self.placed = placed or {}
        self.code = code


def _no_placement(data: _Data, deadline: float | None, message: str, **kwargs) -> NoPlacement:
    """Return the error of a search that ended with neither a placement nor a proof.

    `message` when the time ended (or was too near to start another LP); otherwise HiGHS
    gave up (`_Data.stopped`), and "allow more time" would send the user after the wrong
    cause.
    """
    if deadline is not None and (data.stopped is None or _expired(deadline)):
        return NoPlacement(message, **kwargs)
    status = data.stopped or "unknown"
    return NoPlacement(SOLVER_STOPPED.format(status=status), code="solver_stopped", **kwargs)


def _add_improving(data, model, out_slot, out_session, out_reduced, improving):
    if not improving.any():
        return model, out_slot, out_session, out_reduced
    added = list(zip(out_slot[improving].tolist(), out_session[improving].tolist(), strict=True))
    keep = ~improving
    return (
        _Model(data, model.columns + added, tight=model.tight, box=model.box),
        out_slot[keep],
        out_session[keep],
        out_reduced[keep],
    )


def _placement_from(columns, values, n_x) -> dict[int, int]:
    return {columns[c][0]: columns[c][1] for c in range(n_x) if values[c] > 0.5}


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
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for slot, session in start.items():
        counts[(session, int(model.data.group[model.data.slots[slot].participant]))] += 1
    per_session: dict[int, int] = defaultdict(int)
    for session in start.values():
        per_session[session] += 1
    for session, k in model.count_col.items():
        values[model.first_extra + k] = per_session[session]
    for session, g, k, low in model.missing:
        values[model.first_extra + k] = max(0, low - counts[(session, g)])
    for sessions, g, k in model.free_levels:
        here = [counts[(s, g)] for s in sessions]
        least, most = model.box.get((int(model.data.session_round[sessions[0]]), g), (0, math.inf))
        levels = [
            level
            for level in (min(here), max(here) - 1)
            if level >= 0 and max(here) - 1 <= level <= min(here) and least <= level <= most
        ]
        if not levels:
            return
        values[model.first_extra + k] = levels[0]
    # The spread level of each (round, group) follows from the placement's counts.
    for sessions, g, first, levels in model.levels:
        capacity = model.data.capacity
        fitting = [
            k
            for k, level in enumerate(levels)
            if model.col_upper[model.first_extra + first + k] > 0
            and all(
                min(level, capacity[s]) <= counts[(s, g)] <= min(level + 1, capacity[s])
                for s in sessions
            )
        ]
        if not fitting:
            return
        values[model.first_extra + first + fitting[0]] = 1.0
    solution = highspy.HighsSolution()
    solution.col_value = values.tolist()
    solution.value_valid = True
    h.setSolution(solution)


WARM_START_SHARE = 0.25  # of the time left, at most, for the warm start


def _warm_start(
    data: _Data, relaxation: _Relaxation, deadline: float | None, *, tight: bool
) -> dict[int, int] | None:
    """Fix the slots the LP places integrally; place the rest with a small MILP.

    A start that leaves someone out (or misses a spread bound) is repaired once, with the
    slots of the rounds concerned set free again, and otherwise dropped. It takes at most
    `WARM_START_SHARE` of the time left: without a start HiGHS still finds placements, and
    the full model needs the time more.
    """
    model, lp_solution = relaxation.model, relaxation.solution
    fixed: dict[int, int] = {}
    for c in range(model.n_x):
        if lp_solution[c] > 1 - 1e-6:
            slot, session = model.columns[c]
            fixed[slot] = session
    if len(fixed) == len(data.slots) and model.incomplete(lp_solution) == 0:
        return fixed
    # The slots left free may also take the columns outside the model that the LP could
    # use as well as its own (reduced cost 0): the small MILP then has the LP's choices.
    spare: list[tuple[int, int]] = []
    if relaxation.converged:
        zero = relaxation.out_reduced <= 1e-6
        spare = [
            (slot, session)
            for slot, session in zip(
                relaxation.out_slot[zero].tolist(),
                relaxation.out_session[zero].tolist(),
                strict=True,
            )
        ]
    budget_end = None
    if deadline is not None:
        # Before the LP is complete (the deadline is near) the start is all there will be.
        share = WARM_START_SHARE if relaxation.converged else 0.9
        budget_end = time.monotonic() + share * max(deadline - time.monotonic(), 0)
    for _attempt in range(2):
        if _expired(budget_end):
            return None
        keep = [
            (slot, session)
            for slot, session in model.columns + spare
            if slot not in fixed or fixed[slot] == session
        ]
        small = _Model(data, keep, tight=tight, box=model.box)
        h = small.highs(integer=True, deadline=budget_end)
        h.run()
        if h.getInfo().primal_solution_status != 2:
            return None
        values = np.array(h.getSolution().col_value)
        start = _placement_from(small.columns, values, small.n_x)
        if small.incomplete(values) == 0 or not tight:
            return start
        # Repair: free every slot of the rounds where someone is left out or a bound missed.
        rounds = {data.slots[i].round for i in range(len(data.slots)) if i not in start}
        rounds |= {
            int(data.session_round[s])
            for s, _, k, _ in small.missing
            if values[small.first_extra + k] > 0.5
        }
        fixed = {slot: s for slot, s in fixed.items() if data.slots[slot].round not in rounds}
    return None
