"""The solver's model is as tight as the compact MILP, and its optimum is the MILP's.

The reference (`reference.py`) is built in the test from the instance's JSON, without any
code of the solver: its LP relaxation must equal the LP bound the solver reports (column
generation prices every left-out column, so nothing may be lost), and the solver's
optimum must equal the optimum of the literal MILP of the format's rules.
"""

import json
import random

import pytest

from goedeburen.matching.solver import parse_instance, solve

from .checker import breaks, cost
from .reference import solve_reference


def generated(
    seed: int, *, divisible: bool, spread=("resident",), rooms: tuple[int, ...] = (5, 5, 5)
) -> dict:
    """Return a small instance: an all-mix round, a mixed round, pins, partial attendance.

    The number of residents in the all-mix round r0 is a multiple of its number of mix
    sessions when `divisible`, and not otherwise. `rooms`: the seats of the mixed round's
    three mix sessions (beside one session that is not mixed).
    """
    rng = random.Random(seed)
    m = rng.choice([2, 3])
    rounds = [
        {
            "id": "r0",
            "sessions": [
                {"id": f"r0-s{k}", "topic": f"t{k}", "capacity": rng.randint(8, 10), "mix": True}
                for k in range(m)
            ],
        },
        {
            "id": "r1",
            "sessions": [
                {
                    "id": f"r1-s{k}",
                    "topic": f"t{k}" if k < 2 else f"u{k}",
                    "capacity": rooms[k] if k < 3 else 5,
                    "mix": k < 3,
                }
                for k in range(4)
            ],
        },
    ]
    residents = m * rng.choice([1, 2]) + (0 if divisible else rng.randint(1, m - 1))
    others = rng.randint(8, 11)
    groups = ["resident"] * residents + [
        rng.choice(["corp", "care", "city"]) for _ in range(others)
    ]
    participants = []
    for i, g in enumerate(groups):
        preferences = {}
        for round_ in rounds:
            ids = [s["id"] for s in round_["sessions"]]
            rng.shuffle(ids)
            preferences[round_["id"]] = ids[: rng.randint(0, 3)]
        if g != "resident" and rng.random() < 0.25:
            del preferences["r1"]  # partial attendance: only the first round
        participants.append({"id": f"p{i}", "group": g, "preferences": preferences})
    # Pins: a host in the mixed round, a resident speaker in the all-mix round.
    participants[-1]["fixed"] = {"r1": "r1-s3"}
    participants[-1]["preferences"]["r1"] = []
    participants[0]["fixed"] = {"r0": "r0-s0"}
    return {
        "rounds": rounds,
        "participants": participants,
        "rules": {
            "max_group_share": rng.choice([0.4, 0.5]),
            "spread_groups": list(spread),
            "rank_cost": [0, 1, 3],
            "unranked_cost": 7,
            "avoid_repeat_meetings": True,
        },
    }


CASES = [(seed, divisible) for seed in range(8) for divisible in (True, False)]


@pytest.mark.parametrize(("seed", "divisible"), CASES)
def test_lp_bound_equals_the_compact_milp_and_the_optimum_the_literal_milp(seed, divisible):
    doc = generated(seed, divisible=divisible)
    residents_r0 = sum(1 for p in doc["participants"] if p["group"] == "resident")
    assert (residents_r0 % len(doc["rounds"][0]["sessions"]) == 0) == divisible
    _check_against_the_independent_milps(doc)


def _check_against_the_independent_milps(doc: dict) -> None:
    """The LP bound is the compact MILP's LP, the optimum the literal MILP's, rules kept."""
    tight = solve_reference(doc, tight=True)
    literal = solve_reference(doc, tight=False)
    if literal["optimum"] is None:
        pytest.skip("this seed gives an instance without a complete placement")

    result = solve(parse_instance(json.loads(json.dumps(doc))))

    assert result.status == "optimal"
    assert result.lp_bound == pytest.approx(tight["lp"], abs=1e-6)
    assert tight["lp"] >= literal["lp"] - 1e-6
    assert result.objective == round(literal["optimum"]) == round(tight["optimum"])
    assert result.objective == result.bound == cost(doc, result.assignment)
    assert breaks(doc, result.to_json()) == []


# Mixed rounds: two spread groups (the solver branches on both groups' levels before its
# MILP), and rooms of different sizes (level binaries, as a full small room may hold fewer;
# branched on too). Seeds 0, 3 and 5 open levels at the root.
VARIANTS = {
    "two spread groups": {"spread": ("resident", "care")},
    "rooms 3, 5, 8": {"rooms": (3, 5, 8)},
    "rooms 4, 6, 6, three spread groups": {
        "rooms": (4, 6, 6),
        "spread": ("resident", "care", "city"),
    },
}
MIXED_CASES = [(seed, variant) for seed in range(6) for variant in VARIANTS]


@pytest.mark.parametrize(("seed", "variant"), MIXED_CASES)
def test_mixed_round_lp_bound_and_optimum_equal_the_independent_milps(seed, variant):
    doc = generated(seed, divisible=seed % 2 == 0, **VARIANTS[variant])

    _check_against_the_independent_milps(doc)


def test_lp_bound_is_tighter_than_two_levels_when_g_divides_by_m():
    # The case in small: 4 residents over the 2 living rooms of an all-mix round.
    # Levels {1, 2} both mean "2 and 2"; with both, the LP puts 1.5 … 2.5 in a room and
    # three residents may half sit in room a. The count bounds say 2 and 2.
    prefs = ["ab", "ab", "ba", "ab", "ba", "ab", "ab", "ba", "ba"]
    doc = {
        "rounds": [
            {
                "id": "r",
                "sessions": [
                    {"id": "a", "topic": "a", "capacity": 5, "mix": True},
                    {"id": "b", "topic": "b", "capacity": 5, "mix": True},
                ],
            }
        ],
        "participants": [
            {
                "id": f"p{i}",
                "group": "resident" if i < 4 else f"g{i % 3}",
                "preferences": {"r": list(ranked)},
            }
            for i, ranked in enumerate(prefs)
        ],
        "rules": {"max_group_share": 0.5, "spread_groups": ["resident"], "rank_cost": [0, 4]},
    }
    literal = solve_reference(doc, tight=False)

    result = solve(parse_instance(doc))

    assert literal["lp"] == pytest.approx(2.0)
    assert result.lp_bound == result.objective == round(literal["optimum"]) == 4
