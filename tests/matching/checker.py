"""An independent check of a placement against every rule of the format document.

Written from the format text alone, on the raw JSON documents (never the solver's classes or
bookkeeping), so that a mistake in the solver cannot hide behind the same mistake here.
"""

import math
from fractions import Fraction
from itertools import combinations


def breaks(instance: dict, result: dict) -> list[str]:
    """Return one line per broken rule; [] when the placement keeps them all."""
    problems = []
    rules = instance.get("rules", {})
    share = Fraction(rules.get("max_group_share", 0.4)).limit_denominator(1000)
    spread_groups = rules.get("spread_groups", ["resident"])
    session = {}
    for round_ in instance["rounds"]:
        for s in round_["sessions"]:
            session[s["id"]] = (round_["id"], s)
    group = {p["id"]: p["group"] for p in instance["participants"]}
    placed = result["assignment"]
    unplaced = {(u["participant"], u["round"]) for u in result.get("unassigned", [])}
    occupants = {sid: [] for sid in session}
    for pid, rounds in placed.items():
        for rid, sid in rounds.items():
            if session[sid][0] != rid:
                problems.append(f"{pid} placed in {sid} for the wrong round {rid}")
            occupants[sid].append(pid)
    for p in instance["participants"]:
        mine = placed.get(p["id"], {})
        wanted = set(p.get("preferences", {})) | set(p.get("fixed", {}))
        for rid in wanted:
            if rid not in mine and (p["id"], rid) not in unplaced:
                problems.append(f"{p['id']} silently not placed in {rid}")
        if set(mine) - wanted:
            problems.append(f"{p['id']} placed in a round they do not attend")
        for rid, sid in p.get("fixed", {}).items():
            if rid in mine and mine[rid] != sid:
                problems.append(f"{p['id']} not in fixed session {sid}")
        topics = [session[sid][1]["topic"] for sid in mine.values()]
        if len(topics) != len(set(topics)):
            problems.append(f"{p['id']} has a topic twice")
    for sid, people in occupants.items():
        s = session[sid][1]
        if len(people) > s["capacity"]:
            problems.append(f"{sid} over capacity")
        if s.get("mix") and people:
            most = math.ceil(share * len(people))
            for g in set(group[x] for x in people):
                if sum(1 for x in people if group[x] == g) > most:
                    problems.append(f"{sid}: too many of {g}")
    for round_ in instance["rounds"]:
        mixed = [s for s in round_["sessions"] if s.get("mix")]
        for g in spread_groups:
            counts = [sum(1 for x in occupants[s["id"]] if group[x] == g) for s in mixed]
            # Some level L: min(L, capacity) <= count <= L + 1 in every mix session.
            levels = range(0, max(counts, default=0) + 2)
            if counts and not any(
                all(
                    min(level, s["capacity"]) <= c <= level + 1
                    for c, s in zip(counts, mixed, strict=True)
                )
                for level in levels
            ):
                problems.append(f"{round_['id']}: {g} not spread evenly {counts}")
    return problems


def cost(instance: dict, assignment: dict) -> int:
    """Return the placement cost the format document defines: every placement, pinned too."""
    rules = instance.get("rules", {})
    rank_cost = rules.get("rank_cost", [0, 1, 3, 6, 10])
    unranked = rules.get("unranked_cost", 25)
    total = 0
    for p in instance["participants"]:
        for rid, sid in assignment.get(p["id"], {}).items():
            ranked = p.get("preferences", {}).get(rid, [])
            if sid in ranked:
                total += min(rank_cost[min(ranked.index(sid), len(rank_cost) - 1)], unranked)
            else:
                total += unranked
    return total


def repeat_pairs(instance: dict, assignment: dict) -> int:
    mix = {s["id"] for r in instance["rounds"] for s in r["sessions"] if s.get("mix")}
    met = {}
    for a, b in combinations(sorted(assignment), 2):
        shared = sum(
            1 for rid, sid in assignment[a].items() if sid in mix and assignment[b].get(rid) == sid
        )
        met[(a, b)] = shared
    return sum(1 for n in met.values() if n > 1)
