"""The rule check and the figures of a placement, for the back office and the benchmark.

The rules, exactly (the format document says them in words):
- capacity: a session holds at most `capacity` participants;
- topic: nobody is placed twice in sessions with the same topic;
- fixed: a participant with a fixed session in a round is placed there;
- mix: in a `mix` session with n participants, no group has more than
  ceil(max_group_share × n) of them;
- spread: for each round and each group in `spread_groups`, there is a whole number L with
  min(L, capacity) ≤ (members of the group in s) ≤ L + 1 for every mix session s of the round
  ("counts differ by at most one where capacities allow").
A participant who is not placed in one of their rounds is counted under `unplaced`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from .instance import Instance

Assignment = dict[str, dict[str, str]]  # participant id → round id → session id


@dataclass
class RuleCheck:
    capacity: int = 0
    topic: int = 0
    fixed: int = 0
    mix: int = 0
    spread: int = 0
    unplaced: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.capacity + self.topic + self.fixed + self.mix + self.spread + self.unplaced

    def as_dict(self) -> dict[str, int]:
        return {
            "capacity": self.capacity,
            "topic": self.topic,
            "fixed": self.fixed,
            "mix": self.mix,
            "spread": self.spread,
            "unplaced": self.unplaced,
        }


def session_members(instance: Instance, assignment: Assignment) -> dict[str, list[str]]:
    """Return session id → the participants placed there."""
    members: dict[str, list[str]] = {s: [] for s in instance.sessions()}
    for pid, rounds in assignment.items():
        for session_id in rounds.values():
            members.setdefault(session_id, []).append(pid)
    return members


def spread_is_even(counts: list[int], capacities: list[int]) -> bool:
    """Return whether some L has min(L, capacity) ≤ count ≤ L + 1 for every session."""
    if not counts:
        return True
    low = max(max(counts) - 1, 0)
    high = min((c for c, cap in zip(counts, capacities, strict=True) if c < cap), default=None)
    return high is None or low <= high


def check_rules(instance: Instance, assignment: Assignment) -> RuleCheck:
    """Return the number of breaks of each rule in `assignment`."""
    rules = instance.rules
    sessions = instance.sessions()
    round_of = instance.round_of()
    group = {p.id: p.group for p in instance.participants}
    result = RuleCheck()
    members = session_members(instance, assignment)
    for session_id, people in members.items():
        session = sessions[session_id]
        if len(people) > session.capacity:
            result.capacity += 1
            result.details.append(f"{session_id}: {len(people)} > {session.capacity} seats")
        if session.mix and people:
            limit = rules.group_limit(len(people))
            for name, count in Counter(group[p] for p in people).items():
                if count > limit:
                    result.mix += 1
                    result.details.append(f"{session_id}: {count} of {name} > {limit}")
    for person in instance.participants:
        placed = assignment.get(person.id, {})
        for round_id in person.rounds:
            if round_id not in placed:
                result.unplaced += 1
        for round_id, session_id in person.fixed.items():
            if round_id in placed and placed[round_id] != session_id:
                result.fixed += 1
                result.details.append(f"{person.id}: not in fixed {session_id}")
        topics = Counter(sessions[s].topic for s in placed.values())
        if any(n > 1 for n in topics.values()):
            result.topic += 1
            result.details.append(f"{person.id}: a topic twice")
        for round_id, session_id in placed.items():
            if round_of.get(session_id) != round_id:
                result.fixed += 1
                result.details.append(f"{person.id}: {session_id} is not in {round_id}")
    for round_ in instance.rounds:
        mix_sessions = [s for s in round_.sessions if s.mix]
        for name in rules.spread_groups:
            counts = [sum(1 for p in members[s.id] if group[p] == name) for s in mix_sessions]
            if not spread_is_even(counts, [s.capacity for s in mix_sessions]):
                result.spread += 1
                result.details.append(f"{round_.id}: {name} spread {counts}")
    return result


def repeat_pairs(instance: Instance, assignment: Assignment) -> int:
    """Return how many pairs of participants share a mix session in more than one round."""
    mix = {s.id for r in instance.rounds for s in r.sessions if s.mix}
    mine = {
        pid: sorted({s for s in rounds.values() if s in mix}) for pid, rounds in assignment.items()
    }
    members: dict[str, list[str]] = defaultdict(list)
    for pid, sessions in mine.items():
        for session_id in sessions:
            members[session_id].append(pid)
    # Two ways to count, each fast where the other is slow. Two who share two sessions are
    # both among those of that pair of sessions: counting pairs there takes 0.01 s at 3,000
    # people in 4 rounds, where counting every pair of each session took 0.3 s (sessions of
    # 115). But each person has a pair of sessions for every two of their rounds: 10 people
    # in 1,000 rounds took 20 s that way, and 0.1 s by the pairs of each session.
    session_pairs = sum(len(sessions) * (len(sessions) - 1) // 2 for sessions in mine.values())
    people_pairs = sum(len(people) * (len(people) - 1) // 2 for people in members.values())
    if people_pairs < session_pairs:
        met: Counter = Counter()
        for people in members.values():
            met.update(combinations(sorted(people), 2))
        return sum(1 for n in met.values() if n > 1)
    both: dict[tuple[str, str], list[str]] = defaultdict(list)
    for pid, sessions in mine.items():
        for pair in combinations(sessions, 2):
            both[pair].append(pid)
    return len({pair for people in both.values() for pair in combinations(sorted(people), 2)})


def choice_ranks(
    instance: Instance, assignment: Assignment, *, pinned: bool = False
) -> list[int | None]:
    """Return the 0-based choice of every placement (None: not ranked).

    Pinned (`fixed`) placements are included only with `pinned=True`: they are part of the
    placement's cost, but nobody chose them.
    """
    ranks = []
    for person in instance.participants:
        for round_id, session_id in assignment.get(person.id, {}).items():
            if round_id in person.fixed and not pinned:
                continue
            ranked = person.preferences.get(round_id, ())
            ranks.append(ranked.index(session_id) if session_id in ranked else None)
    return ranks


def histogram_length(instance: Instance) -> int:
    longest = max(
        (len(r) for p in instance.participants for r in p.preferences.values()), default=0
    )
    return max(len(instance.rules.rank_cost), longest) + 1


def rank_histogram(instance: Instance, assignment: Assignment, *, pinned: bool = True) -> list[int]:
    """Return placements per choice (1st, 2nd …); the last cell counts unranked ones.

    Pinned placements (hosts, speakers) count, as the format says, at the rank their
    session has in their preferences, else as unranked; `pinned=False` leaves them out.
    """
    cells = [0] * histogram_length(instance)
    for rank in choice_ranks(instance, assignment, pinned=pinned):
        cells[-1 if rank is None else rank] += 1
    return cells


def placement_cost(instance: Instance, assignment: Assignment) -> int:
    """Return the total cost of the placement, pinned placements included (the format's)."""
    rules = instance.rules
    return sum(rules.choice_cost(rank) for rank in choice_ranks(instance, assignment, pinned=True))


def pinned_cost(instance: Instance) -> int:
    """Return what the pinned placements cost: the same in every placement that keeps them."""
    rules = instance.rules
    total = 0
    for person in instance.participants:
        for round_id, session_id in person.fixed.items():
            ranked = person.preferences.get(round_id, ())
            total += rules.choice_cost(ranked.index(session_id) if session_id in ranked else None)
    return total


@dataclass(frozen=True)
class Figures:
    cost: int
    rank_histogram: list[int]  # every placement, pinned ones included (the format's)
    choice_histogram: list[int]  # the placements people chose for: pinned ones left out
    pinned: int
    first_share: float  # of the placements where the person ranked something, as below
    top2_share: float
    mean_choice: float | None  # 1-based, over the placements at a ranked choice
    unranked: int
    worst_rank: int | None  # 1-based; None when nobody was placed by choice
    repeat_pairs: int
    rule_breaks: int
    rule_check: RuleCheck


@dataclass(frozen=True)
class RankFigures:
    """The figures a result file holds (`solve.Result`): those of `figures` without the
    rule check, which the solver needs not, and which at 8,000 participant-rounds takes a
    tenth of a second of a time limit on a busy machine."""

    cost: int
    rank_histogram: list[int]
    choice_histogram: list[int]
    worst_rank: int | None
    repeat_pairs: int
    chosen_ranks: list[int | None]  # `choice_ranks` of the placements people chose for


def rank_figures(instance: Instance, assignment: Assignment) -> RankFigures:
    """Return the rank figures of `assignment`, from one look at each placement."""
    rules = instance.rules
    histogram = [0] * histogram_length(instance)
    chosen = [0] * len(histogram)
    chosen_ranks: list[int | None] = []
    cost = 0
    for person in instance.participants:
        for round_id, session_id in assignment.get(person.id, {}).items():
            ranked = person.preferences.get(round_id, ())
            rank = ranked.index(session_id) if session_id in ranked else None
            cost += rules.choice_cost(rank)
            histogram[-1 if rank is None else rank] += 1
            if round_id not in person.fixed:
                chosen[-1 if rank is None else rank] += 1
                chosen_ranks.append(rank)
    ranked = [r for r in chosen_ranks if r is not None]
    return RankFigures(
        cost=cost,
        rank_histogram=histogram,
        choice_histogram=chosen,
        worst_rank=(
            None if not chosen_ranks else (len(chosen) if None in chosen_ranks else max(ranked) + 1)
        ),
        repeat_pairs=repeat_pairs(instance, assignment),
        chosen_ranks=chosen_ranks,
    )


def figures(instance: Instance, assignment: Assignment) -> Figures:
    """Return the figures organisers compare placements by."""
    ranks = rank_figures(instance, assignment)
    chosen = ranks.choice_histogram
    # The shares are of the placements where the person ranked something in that round:
    # who chose nothing cannot get a choice.
    placed = (
        sum(
            1
            for person in instance.participants
            for round_id in assignment.get(person.id, {})
            if round_id not in person.fixed and person.preferences.get(round_id)
        )
        or 1
    )
    ranked = [r for r in ranks.chosen_ranks if r is not None]
    check = check_rules(instance, assignment)
    return Figures(
        cost=ranks.cost,
        rank_histogram=ranks.rank_histogram,
        choice_histogram=chosen,
        pinned=sum(ranks.rank_histogram) - sum(chosen),
        first_share=chosen[0] / placed,
        top2_share=(chosen[0] + (chosen[1] if len(chosen) > 2 else 0)) / placed,
        mean_choice=(sum(ranked) / len(ranked) + 1) if ranked else None,
        unranked=chosen[-1],
        worst_rank=ranks.worst_rank,
        repeat_pairs=ranks.repeat_pairs,
        rule_breaks=check.total,
        rule_check=check,
    )


def group_counts(instance: Instance, assignment: Assignment) -> dict[str, Counter]:
    """Return session id → Counter of groups placed there (the composition chart)."""
    group = {p.id: p.group for p in instance.participants}
    return {
        s: Counter(group[p] for p in people)
        for s, people in session_members(instance, assignment).items()
    }


def by_round(assignment: Assignment) -> dict[str, dict[str, str]]:
    """Return round id → participant id → session id."""
    result: dict[str, dict[str, str]] = defaultdict(dict)
    for pid, rounds in assignment.items():
        for round_id, session_id in rounds.items():
            result[round_id][pid] = session_id
    return result
