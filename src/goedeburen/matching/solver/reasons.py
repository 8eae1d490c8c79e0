"""Why a participant could not be placed in a round, in words a person can act on."""

from __future__ import annotations

from collections import Counter

from .check import session_members, spread_is_even
from .instance import Instance


def explain(instance: Instance, assignment: dict, participant: str, round_id: str) -> str:
    """Return why `participant` has no session in `round_id` next to everyone else placed."""
    person = next(p for p in instance.participants if p.id == participant)
    round_ = next(r for r in instance.rounds if r.id == round_id)
    rules = instance.rules
    attending = sum(1 for p in instance.participants if round_id in p.rounds)
    seats = sum(s.capacity for s in round_.sessions)
    if attending > seats:
        return (
            f"all capacity of round {round_id} is taken: {seats} seats for {attending} participants"
        )
    members = session_members(instance, assignment)
    group = {p.id: p.group for p in instance.participants}
    sessions = instance.sessions()
    own_topics = {
        sessions[s].topic: r for r, s in assignment.get(participant, {}).items() if r != round_id
    }
    fixed = person.fixed.get(round_id)
    candidates = [s for s in round_.sessions if fixed is None or s.id == fixed]
    why: Counter = Counter()
    for session in candidates:
        people = members[session.id]
        if len(people) >= session.capacity:
            why["full"] += 1
        elif session.topic in own_topics:
            why["topic"] += 1
        elif session.mix and (
            Counter(group[p] for p in people)[person.group] + 1 > rules.group_limit(len(people) + 1)
        ):
            why["mix"] += 1
        elif (
            session.mix
            and person.group in rules.spread_groups
            and not _spread_ok(instance, members, group, round_, person.group, session.id)
        ):
            why["spread"] += 1
        else:
            why["other"] += 1
    if fixed is not None:
        cause = next(iter(why), "other")
        return {
            "full": f"the fixed session {fixed} is full with other fixed participants",
            "topic": f"the fixed session {fixed} repeats a topic of another fixed session",
            "mix": f"the fixed session {fixed} would hold too many of group {person.group}",
            "spread": f"the fixed session {fixed} would spread group {person.group} unevenly",
        }.get(cause, f"the fixed session {fixed} cannot take them within the rules")
    parts = []
    if why["full"]:
        parts.append(f"{why['full']} full")
    if why["topic"]:
        parts.append(f"{why['topic']} on a topic they already have")
    if why["mix"]:
        parts.append(
            f"{why['mix']} would hold more than {rules.max_group_share:.0%} of group {person.group}"
        )
    if why["spread"]:
        parts.append(f"{why['spread']} would spread group {person.group} unevenly")
    if why["other"]:
        parts.append(f"{why['other']} only by moving others against the rules")
    return f"no session of round {round_id} can take them: " + ", ".join(parts)


def _spread_ok(instance, members, group, round_, name, target) -> bool:
    mix = [s for s in round_.sessions if s.mix]
    counts = [
        sum(1 for p in members[s.id] if group[p] == name) + (1 if s.id == target else 0)
        for s in mix
    ]
    return spread_is_even(counts, [s.capacity for s in mix])
