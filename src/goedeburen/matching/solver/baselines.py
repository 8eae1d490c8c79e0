"""What today's tools do, to compare with: first come, first served and random serial dictatorship.

In order (registration order, or a random one), each participant gets, round by round, their
best-ranked session that still has a seat and a topic they do not have yet; without one,
the first session with a seat. Nobody looks at the mix.
"""

from __future__ import annotations

import random

from .instance import Instance, ranks_in_round


def first_come_first_served(
    instance: Instance, *, order: list[str] | None = None
) -> dict[str, dict[str, str]]:
    """Return the placement in `order` (default: the instance's order of participants)."""
    people = {p.id: p for p in instance.participants}
    order = order or [p.id for p in instance.participants]
    seats = {s.id: s.capacity for r in instance.rounds for s in r.sessions}
    topic = {s.id: s.topic for r in instance.rounds for s in r.sessions}
    round_of = instance.round_of()
    in_round = {r.id: {s.id for s in r.sessions} for r in instance.rounds}
    assignment: dict[str, dict[str, str]] = {}
    # Fixed places (hosts, speakers) are taken first: they are on the programme (a pin to a
    # session of another round cannot be kept: that round has no place for them).
    for person in instance.participants:
        for round_id, session_id in person.fixed.items():
            if round_of[session_id] != round_id:
                assignment.setdefault(person.id, {})
                continue
            assignment.setdefault(person.id, {})[round_id] = session_id
            seats[session_id] -= 1
    for pid in order:
        person = people[pid]
        placed = assignment.setdefault(pid, {})
        for round_ in instance.rounds:
            if round_.id not in person.rounds or round_.id in placed or round_.id in person.fixed:
                continue
            taken = {topic[s] for s in placed.values()}
            ranked = list(
                ranks_in_round(person.preferences.get(round_.id, ()), in_round[round_.id])
            )
            rest = [s.id for s in round_.sessions if s.id not in ranked]
            for session_id in ranked + rest:
                if seats[session_id] > 0 and topic[session_id] not in taken:
                    placed[round_.id] = session_id
                    seats[session_id] -= 1
                    break
    return {pid: rounds for pid, rounds in assignment.items() if rounds}


def random_serial_dictatorship(instance: Instance, *, seed: int = 1) -> dict[str, dict[str, str]]:
    """Return first come, first served in a random order."""
    order = [p.id for p in instance.participants]
    random.Random(seed).shuffle(order)  # noqa: S311 - a baseline, not a secret
    return first_come_first_served(instance, order=order)
