"""Why a participant could not be placed in a round, in words a person can act on.

`why` returns the reason as a code with its figures, which the back office puts into the
organiser's language; `english` words it for the command line's result file.
"""

from __future__ import annotations

from collections import Counter

from .check import session_members, spread_is_even
from .instance import Instance

# Every code a reason can have: `why`'s, "time_limit" (`solve.out_of_time`: the time
# ended before a pass found them a place) and "solver_stopped" (HiGHS gave up before the
# time ended, and a pass found them no place). The back office words each
# (`matching.wording`).
CODES = (
    "no_capacity",
    "fixed_full",
    "fixed_topic",
    "fixed_mix",
    "fixed_spread",
    "fixed_other",
    "fixed_round",
    "no_session",
    "time_limit",
    "solver_stopped",
)


def why(instance: Instance, assignment: dict, participant: str, round_id: str) -> dict:
    """Return {"code": …, figures …}: why `participant` has no session in `round_id`.

    Codes: "no_capacity" (round, seats, attending); "fixed_full", "fixed_topic",
    "fixed_mix", "fixed_spread", "fixed_other" (session, group); "fixed_round" (session,
    group, round: the fixed session is one of another round); "no_session" (round,
    group, share and how many sessions were "full", on a "topic" they have, would break the
    "mix" or the "spread", or need "other" people moved).
    """
    return why_all(instance, assignment, [(participant, round_id)])[0]


def why_all(instance: Instance, assignment: dict, slots: list[tuple[str, str]]) -> list[dict]:
    """Return `why` for each (participant, round) of `slots`, counting the placement once.

    (Once per slot took half a second for 1,800 people left out of 1,200: time the command
    line's limit must leave.)
    """
    people = {p.id: p for p in instance.participants}
    rounds = {r.id: r for r in instance.rounds}
    attending: Counter = Counter(r for p in instance.participants for r in p.rounds)
    members = session_members(instance, assignment)
    group = {p.id: p.group for p in instance.participants}
    sessions = instance.sessions()
    groups_in = {s: Counter(group[p] for p in here) for s, here in members.items()}
    return [
        _why(
            instance,
            people[pid],
            rounds[rid],
            attending=attending[rid],
            placed=assignment.get(pid, {}),
            members=members,
            groups_in=groups_in,
            sessions=sessions,
        )
        for pid, rid in slots
    ]


def _why(instance, person, round_, *, attending, placed, members, groups_in, sessions) -> dict:
    round_id = round_.id
    rules = instance.rules
    fixed = person.fixed.get(round_id)
    if fixed is not None and fixed not in {s.id for s in round_.sessions}:
        return {"code": "fixed_round", "session": fixed, "group": person.group, "round": round_id}
    seats = sum(s.capacity for s in round_.sessions)
    if attending > seats:
        return {"code": "no_capacity", "round": round_id, "seats": seats, "attending": attending}
    own_topics = {sessions[s].topic for r, s in placed.items() if r != round_id}
    candidates = [s for s in round_.sessions if fixed is None or s.id == fixed]
    counts: Counter = Counter()
    for session in candidates:
        people = members[session.id]
        if len(people) >= session.capacity:
            counts["full"] += 1
        elif session.topic in own_topics:
            counts["topic"] += 1
        elif session.mix and (
            groups_in[session.id][person.group] + 1 > rules.group_limit(len(people) + 1)
        ):
            counts["mix"] += 1
        elif (
            session.mix
            and person.group in rules.spread_groups
            and not _spread_ok(round_, groups_in, person.group, session.id)
        ):
            counts["spread"] += 1
        else:
            counts["other"] += 1
    if fixed is not None:
        cause = next(iter(counts), "other")
        return {"code": f"fixed_{cause}", "session": fixed, "group": person.group}
    return {
        "code": "no_session",
        "round": round_id,
        "group": person.group,
        "share": rules.max_group_share,
        **{key: counts[key] for key in ("full", "topic", "mix", "spread", "other")},
    }


def pinned_out(instance: Instance) -> dict[tuple[str, str], dict]:
    """Return the pinned (participant, round)s that no placement can keep, each with `why`.

    Found from the pins alone, before any search (which on thousands of people ran out of
    time before it proved them impossible, and then gave the time limit as the reason):
    the same topic pinned twice ("fixed_topic", the later round's pin); more people pinned
    to a session than it has seats ("fixed_full"); more of one group pinned to a mix
    session than the share allows it even full ("fixed_mix"); more of a spread group
    pinned to one mix session than the round's other members of the group can even out
    ("fixed_spread"); past a session's seats in a round with fewer seats than participants,
    "no_capacity" (as `why` says it). Of the pins that cannot all be kept, the later ones
    (in the order of the participants) are named; each reason holds whichever of them is
    left out. A pin to a session of another round is the model's to report ("fixed_round").
    """
    rules = instance.rules
    sessions = instance.sessions()
    round_of = instance.round_of()
    out: dict[tuple[str, str], dict] = {}

    def leave_out(person, round_id: str, code: str) -> None:
        out[(person.id, round_id)] = {
            "code": code,
            "session": person.fixed[round_id],
            "group": person.group,
        }

    pinned: dict[str, list] = {}  # session id → who is pinned there, in order
    for person in instance.participants:
        topics: set[str] = set()
        for round_ in instance.rounds:
            session_id = person.fixed.get(round_.id)
            if session_id is None or round_of.get(session_id) != round_.id:
                continue
            topic = sessions[session_id].topic
            if topic in topics:
                leave_out(person, round_.id, "fixed_topic")
                continue
            topics.add(topic)
            pinned.setdefault(session_id, []).append(person)
    attending = Counter(r for p in instance.participants for r in p.rounds)
    seats = {r.id: sum(s.capacity for s in r.sessions) for r in instance.rounds}
    for session_id, people in pinned.items():
        session, round_id = sessions[session_id], round_of[session_id]
        if session.mix and session.capacity:
            # The share allows the most of one group in a session as full as it can be
            # (first: whom it leaves out need no seat, so fewer are past the seats; a
            # session of no seats is a matter of seats).
            most = rules.group_limit(min(session.capacity, attending[round_id]))
            by_group: dict[str, list] = {}
            for person in people:
                by_group.setdefault(person.group, []).append(person)
            for members in by_group.values():
                for person in members[most:]:
                    leave_out(person, round_id, "fixed_mix")
                    people.remove(person)
        for person in people[session.capacity :]:
            leave_out(person, round_id, "fixed_full")
            if attending[round_id] > seats[round_id]:
                # The round's own lack of seats comes first, as in `why`.
                out[(person.id, round_id)] = {
                    "code": "no_capacity",
                    "round": round_id,
                    "seats": seats[round_id],
                    "attending": attending[round_id],
                }
        del people[session.capacity :]
    for round_ in instance.rounds:
        mixed = [s for s in round_.sessions if s.mix]
        for name in rules.spread_groups:
            # Who can sit in a mix session of the round: pinned to one, or not pinned.
            mix_ids = {s.id for s in mixed}
            members = sum(
                1
                for p in instance.participants
                if p.group == name
                and round_.id in p.rounds
                and (p.id, round_.id) not in out
                and (round_.id not in p.fixed or p.fixed[round_.id] in mix_ids)
            )
            here = {s.id: [p for p in pinned.get(s.id, ()) if p.group == name] for s in mixed}
            while mixed:
                # With `most` pinned to one session, every other mix session not full
                # needs `most` − 1 of the group (`spread_is_even`): more than the round has.
                fullest = max(mixed, key=lambda s: len(here[s.id]))
                most = len(here[fullest.id])
                needed = sum(max(len(here[s.id]), min(most - 1, s.capacity)) for s in mixed)
                if needed <= members:
                    break
                leave_out(here[fullest.id].pop(), round_.id, "fixed_spread")
                members -= 1
    return out


def english(reason: dict) -> str:
    """Return `reason` (from `why`) in English."""
    code = reason["code"]
    if code == "no_capacity":
        return (
            f"all capacity of round {reason['round']} is taken: "
            f"{reason['seats']} seats for {reason['attending']} participants"
        )
    if code.startswith("fixed_"):
        fixed, group = reason["session"], _group(reason["group"])
        return {
            "fixed_full": f"the fixed session {fixed} is full with other fixed participants",
            "fixed_topic": f"the fixed session {fixed} repeats a topic of another fixed session",
            "fixed_mix": f"the fixed session {fixed} would hold too many of {group}",
            "fixed_spread": f"the fixed session {fixed} would spread {group} unevenly",
            "fixed_round": f"the fixed session {fixed} is not a session of round "
            f"{reason.get('round')}",
        }.get(code, f"the fixed session {fixed} cannot take them within the rules")
    group = _group(reason["group"])
    parts = []
    if reason["full"]:
        parts.append(f"{reason['full']} full")
    if reason["topic"]:
        parts.append(f"{reason['topic']} on a topic they already have")
    if reason["mix"]:
        parts.append(f"{reason['mix']} would hold more than {reason['share']:.0%} of {group}")
    if reason["spread"]:
        parts.append(f"{reason['spread']} would spread {group} unevenly")
    if reason["other"]:
        parts.append(f"{reason['other']} only by moving others against the rules")
    return f"no session of round {reason['round']} can take them: " + ", ".join(parts)


def _group(name: str) -> str:
    # NO_GROUP (""): those whose `group` the instance leaves out.
    return f"group {name}" if name else "those without a group"


def _spread_ok(round_, groups_in, name, target) -> bool:
    mix = [s for s in round_.sessions if s.mix]
    counts = [groups_in[s.id][name] + (1 if s.id == target else 0) for s in mix]
    return spread_is_even(counts, [s.capacity for s in mix])
