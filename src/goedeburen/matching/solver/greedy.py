"""A placement that keeps every rule, found fast: what the solver holds when time ends.

With a time limit, `solve` runs this pass first (pure Python: it needs no HiGHS, whose
loading alone can take a short limit), so that a complete placement is in hand whenever
the search ends; the search starts from it. When the pass leaves someone out and the search
finds no complete placement either, `solve` raises TimeoutError, and the command line
writes this pass's placement, or a second pass's that keeps the rounds the search placed
round by round (the format knows no "out of time" status). The pass places each
participant in the cheapest session that keeps capacity, topic, pin and group share, a
repair takes people out of mix sessions (into a session without mix rules where one has
room) until the spread rule holds too, and a second chance is given to whom that left out
(directly, or where one person moves on for them). When that pass leaves someone out, a
balanced one (each participant in the least filled session that fits) may place more: it
is the one that places everyone when all want the same few sessions (`solve` runs it when
the first left out many, or the search found no placement either). Everyone placed:
status `feasible`, with the bound every placement has (each placement at its cheapest
session). Someone left out: status `infeasible`, and their reason says that the time
ended before a place was found, not that none exists.
"""

from __future__ import annotations

import bisect
import functools
import time
from collections import Counter, defaultdict
from collections.abc import Iterator

from . import check
from .instance import Instance, ranks_in_round

Assignment = dict[str, dict[str, str]]


def greedy_placement(
    instance: Instance,
    *,
    seconds: float = 0.1,
    placed: Assignment | None = None,
    deadline: float | None = None,
    balanced: bool | None = None,
) -> Assignment:
    """Return a placement of whom one pass can place, keeping every rule of the format.

    `seconds`: how long those left out may be tried again (moving one person for them).
    `placed`: whole rounds placed already (round by round, before the time ended), kept
    as they are; the pass places the other rounds. `deadline` (time.monotonic()): the pass
    places nobody more after it (the repair that makes the rules hold still runs, and
    takes a few hundredths of a second), so that a time limit holds on any instance.

    When the first pass leaves someone out and time is left, a second, balanced pass
    (`_pass`) tries again, and its placement is returned when it places everyone: a
    placement of everyone whenever one is easy to find, and otherwise the first pass's,
    whose placements cost less (the balanced pass's cost up to 3 times each at its
    cheapest). `balanced`: False, the first pass only; True, the balanced one only (after
    a first pass made already).
    """
    if balanced is not None:
        return _pass(instance, seconds=seconds, placed=placed, deadline=deadline, balanced=balanced)
    first = _pass(instance, seconds=seconds, placed=placed, deadline=deadline, balanced=False)
    wanted = sum(len(person.rounds) for person in instance.participants)
    if _count(first) >= wanted or (deadline is not None and time.monotonic() >= deadline):
        return first
    second = _pass(instance, seconds=seconds, placed=placed, deadline=deadline, balanced=True)
    return second if _count(second) >= wanted else first


def _count(placement: Assignment) -> int:
    return sum(len(rounds) for rounds in placement.values())


def _pass(
    instance: Instance,
    *,
    seconds: float,
    placed: Assignment | None,
    deadline: float | None,
    balanced: bool,
) -> Assignment:
    """Return the placement of one pass (`greedy_placement`).

    Not `balanced`: each participant takes the cheapest session that fits, filling the
    wanted sessions to the last seat. `balanced`: the least filled session that fits
    (by the share of its seats taken; the cheapest of equally filled ones), so that every
    session of a round fills alike: the first pass's way leaves the sessions nobody
    ranks near empty when everyone wants the same few, where a spread group's member
    then sits alone and the group's share and spread rules push out thousands (5,000
    people all ranking the same 5 of 100 mix sessions of 60: 3,400 left out).
    """
    rules = instance.rules
    sessions = instance.sessions()
    round_of = instance.round_of()
    group = {p.id: p.group for p in instance.participants}
    size: Counter = Counter()
    count: dict[str, Counter] = defaultdict(Counter)  # session → group → people
    topics: dict[str, set[str]] = defaultdict(set)  # participant → topics held
    placement: Assignment = defaultdict(dict)
    members: dict[str, set[str]] = defaultdict(set)  # session → participants
    spread = set(rules.spread_groups)
    # The share's limit by seats taken, worked out once (exact fractions: the repair below
    # asked for it 320,000 times at 5,000 people, seconds of a short time limit).
    group_limit = functools.cache(rules.group_limit)

    # Seats of each mix session kept for the spread groups' even share: floor(members / mix
    # sessions) each, so that others who come earlier do not fill a session the group
    # then reaches too few times.
    attending: Counter = Counter(
        (round_id, p.group) for p in instance.participants for round_id in p.rounds
    )
    keep: dict[str, dict[str, int]] = defaultdict(dict)  # session → group → seats kept
    for round_ in instance.rounds:
        mixed = [s for s in round_.sessions if s.mix]
        for name in spread:
            for session in mixed:
                keep[session.id][name] = min(
                    attending[(round_.id, name)] // len(mixed), session.capacity
                )

    def fits(pid: str, session_id: str) -> bool:
        session = sessions[session_id]
        if size[session_id] >= session.capacity or session.topic in topics[pid]:
            return False
        if session.mix and keep[session_id]:
            held = count[session_id]
            kept = sum(
                max(seats - held[name] - (name == group[pid]), 0)
                for name, seats in keep[session_id].items()
            )
            if size[session_id] + 1 + kept > session.capacity:
                return False
        if session.mix:
            # Adding one raises the limit of the others: only their own group can break it.
            return count[session_id][group[pid]] + 1 <= group_limit(size[session_id] + 1)
        return True

    def place(pid: str, session_id: str) -> None:
        size[session_id] += 1
        count[session_id][group[pid]] += 1
        topics[pid].add(sessions[session_id].topic)
        placement[pid][round_of[session_id]] = session_id
        members[session_id].add(pid)

    def take_out(pid: str, round_id: str) -> str:
        session_id = placement[pid].pop(round_id)
        size[session_id] -= 1
        count[session_id][group[pid]] -= 1
        topics[pid].discard(sessions[session_id].topic)
        members[session_id].discard(pid)
        return session_id

    for pid, rounds in (placed or {}).items():
        for session_id in rounds.values():
            place(pid, session_id)

    # The pinned first (they have one session only), then those with the fewest choices.
    cost_of = rules.choice_cost
    round_ids = {r.id: {s.id for s in r.sessions} for r in instance.rounds}
    base_order = {
        r.id: [s.id for s in sorted(r.sessions, key=lambda s: (s.mix, -s.capacity, s.id))]
        for r in instance.rounds
    }
    # The sessions of each round with a seat left, in `base_order`: the unranked sessions
    # a participant may take. A session that fills leaves its list at once, so that nobody
    # looks at the full ones of 300 small rooms again (`list.remove`: rebuilding the list
    # after each fill took 2.8 s of a 4 s limit at 3,000 rooms of one seat).
    open_sessions = {
        r: [s for s in order if sessions[s].capacity > size[s]] for r, order in base_order.items()
    }

    def order_of(slot, unranked: list[str]) -> Iterator[str]:
        """Yield the sessions a slot tries, cheapest first: its ranked choices, then the
        `unranked` sessions (plain and large first), then ranked ones that cost more
        than an unranked session."""
        free, _, _, _, cheap, ranks, dear = slot  # free: 0 for a pinned slot
        yield from cheap
        if free:
            yield from (s for s in unranked if s not in ranks)
            yield from dear

    slots = []
    for person in instance.participants:
        for round_ in instance.rounds:
            if round_.id not in person.rounds:
                continue
            fixed = person.fixed.get(round_.id)
            if fixed is not None:
                if round_of.get(fixed) == round_.id:
                    slots.append((0, 0, person, round_, [fixed], {}, []))  # pinned
                continue
            ranks = ranks_in_round(person.preferences.get(round_.id, ()), round_ids[round_.id])
            ranked = sorted(ranks, key=lambda s, ranks=ranks: (cost_of(ranks[s]), ranks[s]))
            cheap = [s for s in ranked if cost_of(ranks[s]) <= rules.unranked_cost]
            dear = [s for s in ranked if cost_of(ranks[s]) > rules.unranked_cost]
            slots.append((1, len(ranks), person, round_, cheap, ranks, dear))
    # The groups in turn, each in proportion to its size (one group first would fill the
    # mix sessions with one of its members each, and then its share rule would keep the
    # rest out); within a group, the pinned first and then those with the fewest choices.
    by_group: dict[str, list] = defaultdict(list)
    for item in sorted(slots, key=lambda item: (item[0], item[1])):
        by_group[item[2].group].append(item)
    slots = [
        item
        for _, _, _, item in sorted(
            (item[0], k / len(members), n, item)
            for n, members in enumerate(by_group.values())
            for k, item in enumerate(members)
        )
    ]
    # The balanced pass's open sessions of each round by the share of their seats taken
    # (then `base_order`), kept sorted as they fill: a session moves on after each seat.
    by_fill = {
        r: sorted((size[s] / sessions[s].capacity, k, s) for k, s in enumerate(order))
        for r, order in open_sessions.items()
    }

    def least_filled(slot, round_id: str) -> Iterator[str]:
        """Yield the open sessions of the round, least filled first; of the least filled,
        the slot's cheap ranked ones first."""
        ranking = by_fill[round_id]
        if ranking:
            least = ranking[0][0]
            yield from (
                s
                for s in slot[4]
                if size[s] < sessions[s].capacity and size[s] / sessions[s].capacity <= least
            )
        yield from (s for _, _, s in ranking)

    def refill(round_id: str, session_id: str) -> None:
        ranking = by_fill[round_id]
        capacity = sessions[session_id].capacity
        k = position[session_id]
        del ranking[bisect.bisect_left(ranking, ((size[session_id] - 1) / capacity, k))]
        if size[session_id] < capacity:
            bisect.insort(ranking, (size[session_id] / capacity, k, session_id))

    position = {s: k for order in open_sessions.values() for k, s in enumerate(order)}

    # A spread group's member goes where the group has the fewest, to keep it even.
    for done, slot in enumerate(slots):
        person, round_ = slot[2], slot[3]
        if deadline is not None and done % 64 == 0 and time.monotonic() >= deadline:
            break
        if round_.id in placement[person.id]:
            continue

        def candidates(slot=slot, round_=round_) -> Iterator[str]:
            if balanced and slot[0]:
                return least_filled(slot, round_.id)
            return order_of(slot, open_sessions[round_.id])

        order = candidates()
        if person.group in spread:
            fewest = _fewest(candidates(), count, sessions, person.group)
            if fewest is not None and fits(person.id, fewest):  # the order's first, mostly
                order = iter((fewest,))
            else:
                order = sorted(
                    order, key=lambda s: count[s][person.group] if sessions[s].mix else 0
                )
        for session_id in order:
            if fits(person.id, session_id):
                place(person.id, session_id)
                if balanced:
                    refill(round_.id, session_id)
                if size[session_id] >= sessions[session_id].capacity:
                    open_sessions[round_.id].remove(session_id)  # the loop ends here
                break

    # Repair: whoever breaks the share or the spread of a mix session leaves it (someone
    # not pinned there when there is one).
    pinned = {p.id: p.fixed for p in instance.participants}
    for round_ in instance.rounds:
        mixed = [s for s in round_.sessions if s.mix]
        plain = [s for s in round_.sessions if not s.mix]
        while True:
            leaving = _one_too_many(mixed, count, size, group_limit, spread)
            if leaving is None:
                break
            session_id, name = leaving
            pid = min(
                (p for p in members[session_id] if group[p] == name),
                key=lambda p: (round_.id in pinned[p], p),
            )
            take_out(pid, round_.id)
            if round_.id not in pinned[pid]:
                for session in plain:
                    if fits(pid, session.id):
                        place(pid, session.id)
                        break

    # Second chance, while `seconds` last: someone left out takes a session of the round,
    # directly or where one person not pinned there moves on to another session of the
    # round; kept only when the share and spread of the round still hold.
    ends = time.monotonic() + seconds
    if deadline is not None:
        ends = min(ends, deadline)
    round_mixed = {r.id: [s for s in r.sessions if s.mix] for r in instance.rounds}

    def holds(round_id: str, touched: tuple[str, ...], names: set[str]) -> bool:
        # The round held before: only the touched sessions' shares and the spread of the
        # groups that moved can break.
        for session_id in touched:
            if (
                sessions[session_id].mix
                and size[session_id]
                and max(count[session_id].values()) > group_limit(size[session_id])
            ):
                return False
        mixed = round_mixed[round_id]
        capacities = [s.capacity for s in mixed]
        return all(
            check.spread_is_even([count[s.id][name] for s in mixed], capacities)
            for name in names & spread
        )

    def try_place(pid: str, round_, session_id: str) -> bool:
        if fits(pid, session_id):
            place(pid, session_id)
            if holds(round_.id, (session_id,), {group[pid]}):
                return True
            take_out(pid, round_.id)
        if size[session_id] < sessions[session_id].capacity:
            return False
        for other in sorted(members[session_id]):
            if round_.id in pinned[other]:
                continue
            for there in round_.sessions:
                if time.monotonic() >= ends:
                    return False
                if there.id == session_id or not fits(other, there.id):
                    continue
                take_out(other, round_.id)
                place(other, there.id)
                if fits(pid, session_id):
                    place(pid, session_id)
                    if holds(round_.id, (session_id, there.id), {group[pid], group[other]}):
                        return True
                    take_out(pid, round_.id)
                take_out(other, round_.id)
                place(other, session_id)
        return False

    for slot in slots:
        person, round_ = slot[2], slot[3]
        if time.monotonic() >= ends:
            break
        if round_.id in placement[person.id]:
            continue
        for session_id in order_of(slot, base_order[round_.id]):
            if sessions[session_id].topic not in topics[person.id] and try_place(
                person.id, round_, session_id
            ):
                break
    return {pid: rounds for pid, rounds in placement.items() if rounds}


def _fewest(order: Iterator[str], count, sessions, name: str) -> str | None:
    """Return the first session of `order` where group `name` has the fewest (a session
    without mix rules counts 0: the group may fill it), looking no further than a 0."""
    best, least = None, None
    for session_id in order:
        held = count[session_id][name] if sessions[session_id].mix else 0
        if held == 0:
            return session_id
        if least is None or held < least:
            best, least = session_id, held
    return best


def _one_too_many(mixed, count, size, group_limit, spread) -> tuple[str, str] | None:
    """Return (session, group) of one person who must leave a mix session, or None."""
    for session in mixed:
        limit = group_limit(size[session.id])
        for name, n in count[session.id].items():
            if n > limit:
                return session.id, name
    for name in spread:
        counts = [count[s.id][name] for s in mixed]
        if not check.spread_is_even(counts, [s.capacity for s in mixed]):
            # The fullest session of the group gives one up: the level comes down.
            most = max(range(len(mixed)), key=lambda k: counts[k])
            return mixed[most].id, name
    return None


def trivial_bound(instance: Instance, *, placed: Assignment | None = None) -> int:
    """Return a lower bound on the cost of any complete placement: each at its cheapest.

    With `placed`, of the participant-rounds placed there only (the bound of a placement
    that leaves some out).
    """
    rules = instance.rules
    total = 0
    round_ids = {r.id: {s.id for s in r.sessions} for r in instance.rounds}
    for person in instance.participants:
        for round_ in instance.rounds:
            if round_.id not in person.rounds:
                continue
            if placed is not None and round_.id not in placed.get(person.id, {}):
                continue
            ids = round_ids[round_.id]
            ranked = person.preferences.get(round_.id, ())
            fixed = person.fixed.get(round_.id)
            if fixed is not None:
                total += rules.choice_cost(ranked.index(fixed) if fixed in ranked else None)
                continue
            ranks = ranks_in_round(ranked, ids)
            costs = [rules.choice_cost(k) for k in ranks.values()]
            if len(ranks) < len(ids):
                costs.append(rules.unranked_cost)
            total += min(costs, default=0)
    return total
