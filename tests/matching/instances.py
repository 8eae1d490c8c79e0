"""Random instances as JSON documents, for the solver tests and the benchmark.

`random_instance`: small ones for the tests; `SET` and `generated`: the benchmark's set of
instances made by rules (100 to 2,000 people), nothing picked by hand.
"""

import random
from dataclasses import dataclass

from goedeburen.matching.solver.generate import GROUP_SHARES


def random_instance(
    seed: int,
    *,
    people: int,
    rounds: int,
    sessions: int,
    seats: int,
    groups=("corporation", "care", "municipality", "resident"),
    share=0.5,
    ranked=3,
    spare=1.25,
) -> dict:
    rng = random.Random(seed)
    topics = [f"t{k}" for k in range(sessions)]
    doc_rounds = []
    for r in range(rounds):
        # Every other round repeats the topics of the first, as the living rooms do.
        sess = []
        for k in range(sessions):
            sess.append(
                {
                    "id": f"r{r}-s{k}",
                    "topic": topics[k] if r % 2 == 0 or rng.random() < 0.7 else f"x{r}-{k}",
                    "capacity": seats,
                    "mix": rng.random() < 0.8,
                }
            )
        doc_rounds.append({"id": f"r{r}", "sessions": sess})
    total_seats = sessions * seats
    people = min(people, int(total_seats / spare))
    participants = []
    for i in range(people):
        prefs = {}
        for rd in doc_rounds:
            ids = [s["id"] for s in rd["sessions"]]
            rng.shuffle(ids)
            prefs[rd["id"]] = ids[: rng.randint(0, ranked)]
        participants.append({"id": f"p{i}", "group": rng.choice(groups), "preferences": prefs})
    return {
        "rounds": doc_rounds,
        "participants": participants,
        "rules": {
            "max_group_share": share,
            "spread_groups": ["resident"],
            "rank_cost": [0, 1, 3],
            "unranked_cost": 7,
            "avoid_repeat_meetings": True,
        },
    }


@dataclass(frozen=True)
class Rule:
    """How one instance of the set is made; `SET` lists them by a fixed pattern."""

    people: int
    mixed_round: bool  # the second round has work sessions beside its living rooms
    pins: int  # hosts pinned to a living room of the first round
    near_cap: bool  # housing corporations near the share cap (38 % at a cap of 40 %)
    spread: tuple[str, ...]
    partial: float  # share of people who skip the second round
    divisible: bool  # residents of round 1 divisible by its number of living rooms


def _set() -> list[Rule]:
    """Return the set: every size, the features in turn (a pattern, nothing picked)."""
    rules = []
    for people in (100, 240, 600, 2000):
        for k in range(3):
            rules.append(
                Rule(
                    people=people,
                    mixed_round=k != 0,
                    pins=10 if k != 1 else 0,
                    near_cap=k == 2,
                    spread=("resident",) if k != 1 else ("resident", "municipality"),
                    partial=0.1 if k != 0 else 0.0,
                    divisible=(k + people // 100) % 2 == 0,
                )
            )
    return rules


SET = _set()
SHARES = GROUP_SHARES


def generated(rule: Rule, *, seed: int) -> dict:
    """Return the instance document `rule` describes (the same seed, the same document)."""
    rng = random.Random(f"{seed}-{rule}")
    rooms = max(4, round(rule.people / 10))  # living rooms of 11 or 12 seats
    seats = 12 if rule.people % 240 else 11
    rounds = []
    topics = [f"t{k + 1}" for k in range(rooms)]
    rounds.append(
        {
            "id": "r1",
            "sessions": [
                {"id": f"r1-s{k + 1}", "topic": t, "capacity": seats, "mix": True}
                for k, t in enumerate(topics)
            ],
        }
    )
    second = [
        {"id": f"r2-s{k + 1}", "topic": t, "capacity": seats, "mix": True}
        for k, t in enumerate(topics)
    ]
    if rule.mixed_round:
        work = max(2, rooms // 4)
        second = second[: rooms - work] + [
            {"id": f"r2-w{k + 1}", "topic": f"w{k + 1}", "capacity": 2 * seats, "mix": False}
            for k in range(work)
        ]
    rounds.append({"id": "r2", "sessions": second})
    shares = dict(SHARES)
    if rule.near_cap:
        shares["housing_corporation"] = 0.38
    popularity = {
        r["id"]: {s["id"]: 1.0 / (rng.random() * 3 + 0.4) for s in r["sessions"]} for r in rounds
    }
    participants = []
    for i in range(rule.people):
        group = rng.choices(list(shares), list(shares.values()))[0]
        preferences = {}
        for r in rounds:
            if r["id"] == "r2" and rng.random() < rule.partial:
                continue
            if rng.random() < 0.05:
                preferences[r["id"]] = []
                continue
            weights = popularity[r["id"]]
            keys = sorted(weights, key=lambda s: rng.random() ** (1.0 / weights[s]), reverse=True)
            preferences[r["id"]] = keys[:5]
        participants.append({"id": f"p{i + 1}", "group": group, "preferences": preferences})
    # Residents of round 1, made divisible by its rooms or not by changing a few groups.
    residents = [p for p in participants if p["group"] == "resident"]
    others = [p for p in participants if p["group"] not in ("resident", *rule.spread)]
    while (len(residents) % rooms == 0) != rule.divisible:
        person = others.pop()
        person["group"] = "resident"
        residents.append(person)
    for k in range(rule.pins):
        host = participants[-(k + 1)]
        host["fixed"] = {"r1": f"r1-s{k % rooms + 1}"}
        host["preferences"].pop("r1", None)
    return {
        "rounds": rounds,
        "participants": participants,
        "rules": {
            "max_group_share": 0.4,
            "spread_groups": list(rule.spread),
            "rank_cost": [0, 1, 3, 6, 10],
            "unranked_cost": 25,
            "avoid_repeat_meetings": True,
        },
    }
