"""An independent check of a placement against every rule of the format document.

Written from the format text alone, on the raw JSON documents (never the solver's classes or
bookkeeping), so that a mistake in the solver cannot hide behind the same mistake here. Where
the format leaves a case open, the reading is the one in docs/development.md ("Reading the
format"): a missing `topic` is the session's own id, a missing `mix` is false, a choice is
the first place a session has in the list, a choice past the end of `rank_cost` costs its
last entry, and the share is the decimal number written (0.7 × 10 is 7, not 7.000…1).
"""

import math
from fractions import Fraction
from itertools import combinations

DEFAULT_RULES = {
    "max_group_share": 0.4,
    "spread_groups": ["resident"],
    "rank_cost": [0, 1, 3, 6, 10],
    "unranked_cost": 25,
    "avoid_repeat_meetings": True,
}


def _rules(instance: dict) -> dict:
    given = instance.get("rules") or {}
    return {**DEFAULT_RULES, **{key: value for key, value in given.items() if value is not None}}


def _share(instance: dict) -> Fraction:
    return Fraction(str(_rules(instance)["max_group_share"]))


def _id(value) -> str:
    # An id written as a number (17) is the id "17": object keys in JSON are always text.
    return str(value)


def _sessions(instance: dict) -> dict:
    """Return (round id, session id) → (round id, topic, capacity, mix).

    Keyed by round too: two rounds may each number their own sessions "s1", "s2" ….
    """
    return {
        (_id(r["id"]), _id(s["id"])): (
            _id(r["id"]),
            _id(s.get("topic") if s.get("topic") not in (None, "") else s["id"]),
            int(s["capacity"]),
            bool(s.get("mix")),
        )
        for r in instance.get("rounds", [])
        for s in r["sessions"]
    }


def _preferences(person: dict) -> dict:
    return {
        _id(rid): [_id(sid) for sid in ranked]
        for rid, ranked in (person.get("preferences") or {}).items()
    }


def _fixed(person: dict) -> dict:
    return {_id(rid): _id(sid) for rid, sid in (person.get("fixed") or {}).items()}


def _group(person: dict):
    # `group` left out, null or "": one group of its own (docs/development.md).
    value = person.get("group")
    return None if value in (None, "") else _id(value)


def _placed(result: dict) -> dict:
    return {
        _id(pid): {_id(rid): _id(sid) for rid, sid in rounds.items()}
        for pid, rounds in result["assignment"].items()
    }


def _attends(person: dict) -> set:
    return set(_preferences(person)) | set(_fixed(person))


def breaks(instance: dict, result: dict) -> list[str]:
    """Return one line per broken rule; [] when the placement keeps them all."""
    problems = []
    rules = _rules(instance)
    share = _share(instance)
    session = _sessions(instance)
    people = {_id(p["id"]): p for p in instance["participants"]}
    group = {pid: _group(p) for pid, p in people.items()}
    placed = _placed(result)
    unplaced = [(_id(u["participant"]), _id(u["round"])) for u in result.get("unassigned", [])]
    if len(unplaced) != len(set(unplaced)):
        problems.append("someone is listed twice as not placed")
    for u in result.get("unassigned", []):
        if not (isinstance(u.get("reason"), str) and u["reason"].strip()):
            problems.append(f"{u['participant']} not placed without a reason")
    occupants = {sid: [] for sid in session}
    for pid, rounds in placed.items():
        if pid not in people:
            problems.append(f"{pid} placed but not a participant")
            continue
        for rid, sid in rounds.items():
            if (rid, sid) not in session:
                problems.append(f"{pid} placed in {sid}, no session of round {rid}")
                continue
            occupants[(rid, sid)].append(pid)
    for pid, rid in unplaced:
        if pid not in people or rid not in _attends(people[pid]):
            problems.append(f"{pid} listed as not placed in {rid}, where they do not take part")
        elif rid in placed.get(pid, {}):
            problems.append(f"{pid} listed as not placed in {rid}, but placed there")
    for pid, p in people.items():
        mine = placed.get(pid, {})
        wanted = _attends(p)
        for rid in wanted:
            if rid not in mine and (pid, rid) not in unplaced:
                problems.append(f"{pid} silently not placed in {rid}")
        if set(mine) - wanted:
            problems.append(f"{pid} placed in a round they do not attend")
        for rid, sid in _fixed(p).items():
            if rid in mine and mine[rid] != sid:
                problems.append(f"{pid} not in fixed session {sid}")
        topics = [session[key][1] for key in mine.items() if key in session]
        if len(topics) != len(set(topics)):
            problems.append(f"{pid} has a topic twice")
    for sid, here in occupants.items():
        _, _, capacity, mix = session[sid]
        if len(here) > capacity:
            problems.append(f"{sid} over capacity")
        if mix and here:
            most = math.ceil(share * len(here))
            for g in set(group[x] for x in here):
                if sum(1 for x in here if group[x] == g) > most:
                    problems.append(f"{sid}: too many of {g}")
    for round_ in instance.get("rounds", []):
        rid = _id(round_["id"])
        mixed = [s for s in round_["sessions"] if s.get("mix")]
        for g in dict.fromkeys(_id(g) for g in rules["spread_groups"]):
            counts = [
                sum(1 for x in occupants[(rid, _id(s["id"]))] if group[x] == g) for s in mixed
            ]
            # Some level L: min(L, capacity) <= count <= L + 1 in every mix session.
            levels = range(0, max(counts, default=0) + 2)
            if counts and not any(
                all(
                    min(level, int(s["capacity"])) <= c <= level + 1
                    for c, s in zip(counts, mixed, strict=True)
                )
                for level in levels
            ):
                problems.append(f"{round_['id']}: {g} not spread evenly {counts}")
    return problems


def choices(instance: dict, assignment: dict) -> list:
    """Return the 0-based choice of every placement, pinned ones included (None: unranked)."""
    found = []
    placed = _placed({"assignment": assignment})
    for p in instance["participants"]:
        for rid, sid in placed.get(_id(p["id"]), {}).items():
            ranked = _preferences(p).get(rid, [])
            found.append(ranked.index(sid) if sid in ranked else None)
    return found


def cost(instance: dict, assignment: dict) -> int:
    """Return the placement cost the format document defines: every placement, pinned too."""
    rules = _rules(instance)
    rank_cost, unranked = rules["rank_cost"], rules["unranked_cost"]
    total = 0
    for k in choices(instance, assignment):
        total += unranked if k is None else rank_cost[min(k, len(rank_cost) - 1)]
    return int(total)


def rank_histogram(instance: dict, assignment: dict) -> list[int]:
    """Return placements per choice; the last cell counts the unranked ones."""
    longest = max(
        (len(ranked) for p in instance["participants"] for ranked in _preferences(p).values()),
        default=0,
    )
    cells = [0] * (max(len(_rules(instance)["rank_cost"]), longest) + 1)
    for k in choices(instance, assignment):
        cells[-1 if k is None else k] += 1
    return cells


def repeat_pairs(instance: dict, assignment: dict) -> int:
    mix = {key for key, (_, _, _, m) in _sessions(instance).items() if m}
    placed = _placed({"assignment": assignment})
    met = {}
    for a, b in combinations(sorted(placed), 2):
        shared = sum(
            1 for rid, sid in placed[a].items() if (rid, sid) in mix and placed[b].get(rid) == sid
        )
        met[(a, b)] = shared
    return sum(1 for n in met.values() if n > 1)


def result_problems(instance: dict, result: dict) -> list[str]:
    """Return what is wrong with a whole result document: the rules, figures and status."""
    problems = breaks(instance, result)
    if set(result) < {"status", "objective", "bound", "assignment", "unassigned", "stats"}:
        problems.append(f"keys missing: {sorted(result)}")
    status, objective, bound = result["status"], result["objective"], result["bound"]
    if status not in ("optimal", "feasible", "infeasible"):
        problems.append(f"unknown status {status}")
    if objective != cost(instance, result["assignment"]):
        problems.append(f"objective {objective} != {cost(instance, result['assignment'])}")
    if result["stats"]["rank_histogram"] != rank_histogram(instance, result["assignment"]):
        problems.append(
            f"rank_histogram {result['stats']['rank_histogram']} != "
            f"{rank_histogram(instance, result['assignment'])}"
        )
    if result["stats"]["repeat_pairs"] != repeat_pairs(instance, result["assignment"]):
        problems.append("repeat_pairs differs")
    if (status == "infeasible") != bool(result["unassigned"]):
        problems.append(f"status {status} with {len(result['unassigned'])} not placed")
    if isinstance(bound, int) and bound > objective:
        problems.append(f"bound {bound} > objective {objective}")
    if status == "optimal" and bound != objective:
        problems.append(f"optimal with bound {bound} != objective {objective}")
    if not isinstance(bound, int):
        # Also when infeasible: the format's `bound` is a number, compared with `objective`.
        problems.append(f"bound {bound!r} is no number")
    return problems
