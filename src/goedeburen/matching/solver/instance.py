"""The assignment instance: plain dataclasses, read from and written to the shared JSON format.

The format is `../shared/formats/assignment.md` (also in docs/development.md). Reading
checks every rule of the format and raises `InstanceError` naming the JSON path of the first
problem (`participants[3].fixed.r1`), so a person can find it in their file.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

DEFAULT_RANK_COST = (0, 1, 3, 6, 10)
DEFAULT_UNRANKED_COST = 25
DEFAULT_MAX_GROUP_SHARE = 0.4
# A session id that more than one round uses (rounds numbering their own sessions "s1",
# "s2" …) is one session per round: the solver's id is the written id, this separator and
# the round id.
LOCAL = "\x1f"
# The group of a participant whose `group` is left out, null or "": a group of its own for
# the share rule (as a checker counting `person.get("group")` has it), never a spread group.
NO_GROUP = ""


class InstanceError(ValueError):
    """A malformed instance; `path` is where in the JSON document, `problem` what is wrong."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class Session:
    id: str
    topic: str
    capacity: int
    mix: bool


@dataclass(frozen=True)
class Round:
    id: str
    sessions: tuple[Session, ...]


@dataclass(frozen=True)
class Participant:
    id: str
    group: str
    preferences: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)

    @property
    def rounds(self) -> set[str]:
        """Return the ids of the rounds this participant takes part in."""
        return set(self.preferences) | set(self.fixed)


@dataclass(frozen=True)
class Rules:
    max_group_share: float = DEFAULT_MAX_GROUP_SHARE
    spread_groups: tuple[str, ...] = ("resident",)
    rank_cost: tuple[int, ...] = DEFAULT_RANK_COST
    unranked_cost: int = DEFAULT_UNRANKED_COST
    avoid_repeat_meetings: bool = True

    def choice_cost(self, rank: int | None) -> int:
        """Return the cost of a placement at 0-based `rank`; None is a session not ranked.

        `rank_cost[rank]`, as the format says, even when that is more than `unranked_cost`;
        a rank past the end of `rank_cost` costs its last entry.
        """
        if rank is None:
            return self.unranked_cost
        return self.rank_cost[min(rank, len(self.rank_cost) - 1)] if self.rank_cost else 0

    @functools.cached_property
    def share_fraction(self) -> Fraction:
        """Return `max_group_share` as the exact decimal number written (for whole limits).

        The JSON number 0.7 is the float nearest to 0.7, a little off; its shortest decimal
        form (`repr`) is what the file says, so 0.7 × 10 seats is 7, and a tiny share such
        as 1e-09 stays above 0 (one person of a group is always allowed).
        """
        return Fraction(repr(float(self.max_group_share)))

    def group_limit(self, seats_taken: int) -> int:
        """Return how many of one group a mix session with `seats_taken` people may hold."""
        share = self.share_fraction
        return math.ceil(share * seats_taken)


@dataclass(frozen=True)
class Instance:
    rounds: tuple[Round, ...]
    participants: tuple[Participant, ...]
    rules: Rules = field(default_factory=Rules)
    # The ids the file wrote otherwise than the solver's text id: (kind, id) → the id as
    # written; kind is "round", "session" or "participant". A number (17 for "17"), or a
    # session id that several rounds use (`LOCAL`). `ids_as_written` gives them back.
    written: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False)

    def sessions(self) -> dict[str, Session]:
        return {s.id: s for r in self.rounds for s in r.sessions}

    def round_of(self) -> dict[str, str]:
        """Return session id → round id."""
        return {s.id: r.id for r in self.rounds for s in r.sessions}

    def without(self, slots: Iterable[tuple[str, str]]) -> Instance:
        """Return this instance with the (participant, round)s of `slots` taking no part.

        Their pin and ranking in that round are dropped: whom no placement can keep
        (`reasons.pinned_out`) is left out before the search, not searched for.
        """
        out: dict[str, set[str]] = {}
        for pid, round_id in slots:
            out.setdefault(pid, set()).add(round_id)
        if not out:
            return self
        people = tuple(
            Participant(
                id=p.id,
                group=p.group,
                preferences={r: v for r, v in p.preferences.items() if r not in out[p.id]},
                fixed={r: v for r, v in p.fixed.items() if r not in out[p.id]},
            )
            if p.id in out
            else p
            for p in self.participants
        )
        return Instance(self.rounds, people, self.rules, self.written)


def ranks_in_round(ranked: tuple[str, ...], round_sessions) -> dict[str, int]:
    """Return session id → 0-based choice, for the sessions of one round in `ranked`.

    A session's choice is the first place it has in the list; a session listed again, or
    one of another round, keeps its place in the count (the format's "(k+1)-th choice" is
    the place in the list as written) but adds no choice of its own.
    """
    ranks: dict[str, int] = {}
    for k, session_id in enumerate(ranked):
        if session_id in round_sessions:
            ranks.setdefault(session_id, k)
    return ranks


# Reading ------------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _expect(value: Any, kind: type | tuple, path: str, wanted: str) -> Any:
    # bool is an int in Python, never in JSON: true is not a capacity.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise InstanceError(path, f"expected {wanted}, got {_kind(value)}")
    if value is _MISSING:
        raise InstanceError(path, f"missing, expected {wanted}")
    if not isinstance(value, kind):
        raise InstanceError(path, f"expected {wanted}, got {_kind(value)}")
    return value


_MISSING = object()  # a required key the document leaves out (not the same as null)


def _get(data: dict, key: str) -> Any:
    return data.get(key, _MISSING)


def _optional(data: dict, key: str, default: Any) -> Any:
    # null is "not given" too (a generator's None), for the keys that may be left out.
    value = data.get(key)
    return default if value is None else value


def _whole(value: Any, path: str) -> int:
    """Return `value` as a whole number of at least 0: 12 and 12.0 (JSON has one number)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    elif isinstance(value, float):
        raise InstanceError(path, f"expected a whole number, got {value!r}")
    _expect(value, int, path, "a whole number")
    if value < 0:
        raise InstanceError(path, f"must not be negative, got {value}")
    return value


def _name(value: Any, path: str) -> str:
    """Return an id or group as text: text as it is, a whole number (17) as "17"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    _expect(value, str, path, "text or a whole number")
    if not value.strip():
        raise InstanceError(path, "must not be empty")
    return value


def parse_instance(data: Any) -> Instance:
    """Return the instance in `data` (parsed JSON), or raise InstanceError naming the path.

    What the format leaves open is read as docs/development.md ("Reading the format") says:
    unknown keys are ignored; `topic` defaults to the session's id, `mix` to false, `fixed`
    and `preferences` to none, `rules` and each rule to the defaults (null is the same as
    left out for these); whole numbers may be written as 12.0; a ranking may name a session
    twice or one of another round (its choice is its first place in the list); a fixed
    session of another round cannot be kept (the result says so for that participant and
    round). Ids, topics and groups may be whole numbers (17 is the id "17", written back
    as 17 by `ids_as_written`); a `group` left out, null or "" is `NO_GROUP`. Malformed are:
    a wrong type, a fraction or a negative number where a whole number belongs, an empty
    `rank_cost`, a share outside 0…1, an empty or missing id, an id used twice (a session
    id: within one round; several rounds may each have their own, `LOCAL`), an id
    of a round or session that does not exist, and costs too large to add up exactly
    (`_costs_add_up`).
    """
    _expect(data, dict, "$", "an object")
    written: dict[tuple[str, str], Any] = {}

    def name(kind: str, value: Any, path: str) -> str:
        text = _name(value, path)
        if isinstance(value, int):
            written[(kind, text)] = value
        return text

    rounds_data = _expect(_get(data, "rounds"), list, "rounds", "a list of rounds")
    rounds: list[Round] = []
    round_ids: set[str] = set()
    local: dict[str, dict[str, str]] = {}  # written session id → round id → solver's id
    read: list[tuple[str, list]] = []
    for i, round_data in enumerate(rounds_data):
        path = f"rounds[{i}]"
        _expect(round_data, dict, path, "an object")
        round_id = name("round", _get(round_data, "id"), f"{path}.id")
        if round_id in round_ids:
            raise InstanceError(f"{path}.id", f'duplicate round id "{round_id}"')
        round_ids.add(round_id)
        sessions_data = _expect(
            _get(round_data, "sessions"), list, f"{path}.sessions", "a list of sessions"
        )
        sessions = []
        for j, session_data in enumerate(sessions_data):
            spath = f"{path}.sessions[{j}]"
            _expect(session_data, dict, spath, "an object")
            value = _get(session_data, "id")
            session_id = _name(value, f"{spath}.id")
            if round_id in local.get(session_id, {}):
                raise InstanceError(f"{spath}.id", f'duplicate session id "{session_id}"')
            local.setdefault(session_id, {})[round_id] = session_id
            topic = _name(_optional(session_data, "topic", session_id), f"{spath}.topic")
            capacity = _whole(_get(session_data, "capacity"), f"{spath}.capacity")
            mix = _expect(
                _optional(session_data, "mix", False), bool, f"{spath}.mix", "true or false"
            )
            sessions.append((session_id, value, topic, capacity, mix))
        read.append((round_id, sessions))
    taken = set(local)
    for session_id, by_round in local.items():
        if len(by_round) > 1:
            for round_id in by_round:
                own = f"{session_id}{LOCAL}{round_id}"
                # An id may hold LOCAL itself ("b\x1fr2" beside "b" in r1 and r2): one more
                # then, or two sessions would be one to the solver (and one seat for both).
                while own in taken:
                    own += LOCAL
                taken.add(own)
                by_round[round_id] = own
    for round_id, sessions in read:
        built = []
        for session_id, value, topic, capacity, mix in sessions:
            own = local[session_id][round_id]
            if own != session_id or isinstance(value, int):
                written[("session", own)] = value
            built.append(Session(id=own, topic=topic, capacity=capacity, mix=mix))
        rounds.append(Round(id=round_id, sessions=tuple(built)))

    def session_of(session_id: str, round_id: str, path: str) -> str:
        # The round's own session of that id; else the one other round's (no choice here).
        by_round = local.get(session_id)
        if by_round is None:
            raise InstanceError(path, f'unknown session id "{session_id}"')
        return by_round.get(round_id) or next(iter(by_round.values()))

    participants_data = _expect(
        _get(data, "participants"), list, "participants", "a list of participants"
    )
    participants = []
    participant_ids: set[str] = set()
    for i, person in enumerate(participants_data):
        path = f"participants[{i}]"
        _expect(person, dict, path, "an object")
        pid = name("participant", _get(person, "id"), f"{path}.id")
        if pid in participant_ids:
            raise InstanceError(f"{path}.id", f'duplicate participant id "{pid}"')
        participant_ids.add(pid)
        group = person.get("group")
        group = NO_GROUP if group in (None, "") else _name(group, f"{path}.group")
        preferences = {}
        prefs_data = _expect(
            _optional(person, "preferences", {}), dict, f"{path}.preferences", "an object"
        )
        for round_id, ranked in prefs_data.items():
            rpath = f"{path}.preferences.{round_id}"
            if round_id not in round_ids:
                raise InstanceError(rpath, f'unknown round id "{round_id}"')
            _expect(ranked, list, rpath, "a list of session ids")
            preferences[round_id] = tuple(
                session_of(_name(session_id, f"{rpath}[{k}]"), round_id, f"{rpath}[{k}]")
                for k, session_id in enumerate(ranked)
            )
        fixed = {}
        fixed_data = _expect(_optional(person, "fixed", {}), dict, f"{path}.fixed", "an object")
        for round_id, session_id in fixed_data.items():
            fpath = f"{path}.fixed.{round_id}"
            if round_id not in round_ids:
                raise InstanceError(fpath, f'unknown round id "{round_id}"')
            fixed[round_id] = session_of(_name(session_id, fpath), round_id, fpath)
        participants.append(Participant(id=pid, group=group, preferences=preferences, fixed=fixed))
    rules = _parse_rules(_optional(data, "rules", {}))
    _costs_add_up(rules, sum(len(person.rounds) for person in participants))
    # Seats beyond everyone seat nobody more; JSON's 10**400 would not fit the solver's
    # floating-point rows (a traceback where the flow bound and the repeat search build theirs).
    rounds = [
        Round(
            id=r.id,
            sessions=tuple(
                replace(s, capacity=min(s.capacity, len(participants))) for s in r.sessions
            ),
        )
        for r in rounds
    ]
    return Instance(
        rounds=tuple(rounds), participants=tuple(participants), rules=rules, written=written
    )


# The solver (HiGHS) adds costs as 64-bit floating-point numbers, exact up to 2**53, and
# solves within tolerances relative to the largest: the sum of every placement at the
# largest cost stays far below (HiGHS found no placement at 2**43 on 300 people, where
# 2**39 still gave the optimum; leaving someone out costs more than that sum). HiGHS gets
# the costs in a unit that keeps the largest below 2**24 (`model.COST_BITS`): at `EXACT` a
# cost of 1 is then 2**-13 to it, far above its tolerances.
EXACT = 2**36


def _costs_add_up(rules: Rules, slots: int) -> None:
    """Raise InstanceError when the costs are too large to be added up exactly.

    Every one of `slots` placed at the largest cost, in units of the costs' greatest
    common divisor, must stay within `EXACT`: above it the objective, its bound and the
    proof of an optimum may be off (an optimum was reported with a bound 1 below its
    objective at 2**53 + 1), or HiGHS finds nothing or fails (a traceback from 10**18):
    a clear error then.
    """
    costs = {
        **{f"rules.rank_cost[{k}]": cost for k, cost in enumerate(rules.rank_cost)},
        "rules.unranked_cost": rules.unranked_cost,
    }
    path, top = max(costs.items(), key=lambda item: item[1])
    most, scale = largest_exact_cost(costs.values(), slots)
    if top > most:
        raise InstanceError(
            path,
            f"{top} is too large: with {slots} participant-rounds, costs can be added up "
            f"exactly up to {most} (in steps of {scale})",
        )


def largest_exact_cost(costs: Iterable[int], slots: int) -> tuple[int, int]:
    """Return (the largest cost, their step): how far `costs` may go at `slots` placements.

    The step is the costs' greatest common divisor (the solver counts in its units); the
    back office holds the organiser's costs to the same limit as an instance file.
    """
    scale = math.gcd(*costs) or 1
    return EXACT // max(slots, 1) * scale, scale


def _parse_rules(data: Any) -> Rules:
    _expect(data, dict, "rules", "an object")
    share = _optional(data, "max_group_share", DEFAULT_MAX_GROUP_SHARE)
    _expect(share, (int, float), "rules.max_group_share", "a number")
    # 0 is a share too: nobody may sit in a mix session (ceil(0 × n) = 0).
    if not 0 <= share <= 1:
        raise InstanceError("rules.max_group_share", f"must be from 0 to 1, got {share}")
    spread = _expect(
        _optional(data, "spread_groups", ["resident"]),
        list,
        "rules.spread_groups",
        "a list of groups",
    )
    spread = [_name(group, f"rules.spread_groups[{k}]") for k, group in enumerate(spread)]
    rank_cost = _expect(
        _optional(data, "rank_cost", list(DEFAULT_RANK_COST)), list, "rules.rank_cost", "a list"
    )
    if not rank_cost:
        # A ranked choice would have no cost at all.
        raise InstanceError("rules.rank_cost", "needs at least one cost")
    rank_cost = [_whole(cost, f"rules.rank_cost[{k}]") for k, cost in enumerate(rank_cost)]
    unranked = _whole(
        _optional(data, "unranked_cost", DEFAULT_UNRANKED_COST), "rules.unranked_cost"
    )
    avoid = _optional(data, "avoid_repeat_meetings", True)
    _expect(avoid, bool, "rules.avoid_repeat_meetings", "true or false")
    return Rules(
        max_group_share=float(share),
        spread_groups=tuple(dict.fromkeys(spread)),
        rank_cost=tuple(rank_cost),
        unranked_cost=unranked,
        avoid_repeat_meetings=avoid,
    )


def instance_to_json(instance: Instance) -> dict:
    """Return `instance` as the JSON document of the shared format."""
    rules = instance.rules
    return {
        "rounds": [
            {
                "id": r.id,
                "sessions": [
                    {"id": s.id, "topic": s.topic, "capacity": s.capacity, "mix": s.mix}
                    for s in r.sessions
                ],
            }
            for r in instance.rounds
        ],
        "participants": [
            {
                "id": p.id,
                "group": p.group,
                "preferences": {r: list(ranked) for r, ranked in p.preferences.items()},
                "fixed": dict(p.fixed),
            }
            for p in instance.participants
        ],
        "rules": {
            "max_group_share": rules.max_group_share,
            "spread_groups": list(rules.spread_groups),
            "rank_cost": list(rules.rank_cost),
            "unranked_cost": rules.unranked_cost,
            "avoid_repeat_meetings": rules.avoid_repeat_meetings,
        },
    }


def ids_as_written(instance: Instance, result: dict) -> dict:
    """Return the result document `result` with the ids as the instance wrote them: numbers
    as numbers where JSON lets them be (values; object keys are always text), and a session
    id several rounds use as written (also in the reasons).

    A checker that keeps the session ids it wrote (5, not "5") then finds them unchanged.
    """
    given = instance.written
    if not given:
        return result

    def written(kind: str, text: str):
        return given.get((kind, text), text)

    local = {own: str(value) for (kind, own), value in given.items() if LOCAL in own}
    # Longest first, in one pass: "b" of round r1 is a part of "b" of round r10.
    ours = re.compile("|".join(re.escape(own) for own in sorted(local, key=len, reverse=True)))

    def reason(text: str) -> str:
        return ours.sub(lambda found: local[found[0]], text) if local else text

    return {
        **result,
        "assignment": {
            pid: {rid: written("session", sid) for rid, sid in rounds.items()}
            for pid, rounds in result["assignment"].items()
        },
        "unassigned": [
            {
                **item,
                "participant": written("participant", item["participant"]),
                "round": written("round", item["round"]),
                "reason": reason(item["reason"]),
            }
            for item in result["unassigned"]
        ],
    }
