"""The placement round by round: what a time limit too short for the joint model still finds."""

import json
import time

from goedeburen.matching.solver import parse_instance, solve
from goedeburen.matching.solver.by_round import by_round_placement

from .checker import breaks, cost, result_problems
from .command import run_assign
from .instances import crowded_instance

# The LP relaxation of `crowded_instance(2, people=300, rounds=4, sessions=10)` by the
# independent compact model (`reference.solve_reference(doc, tight=True, milp=False)`, 7 s):
# a lower bound on every placement (the solver needs minutes to prove the optimum).
CROWDED_LP = 4782.85


def test_a_short_time_limit_still_places_everyone_of_a_crowded_instance():
    # The joint model finds no complete placement in 3 s: before, the fast pass left people
    # out and the result said `infeasible`.
    doc = crowded_instance(2, people=300, rounds=4, sessions=10)

    result = solve(parse_instance(doc), time_limit=3.0).to_json()

    assert result_problems(doc, result) == []
    assert result["status"] in ("feasible", "optimal")
    assert result["unassigned"] == []
    assert result["bound"] <= result["objective"] <= 1.03 * CROWDED_LP


def test_assign_with_a_short_time_limit_writes_a_complete_placement(tmp_path):
    doc = crowded_instance(2, people=300, rounds=4, sessions=10)

    started = time.monotonic()
    done, out = run_assign(tmp_path, doc, "--time-limit", "3")
    wall = time.monotonic() - started

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result_problems(doc, result) == []
    assert result["status"] == "feasible"
    # The limit holds for the placement round by round too (process start included; the
    # margin is for a loaded machine).
    assert wall < 3 + 1.5


def _two_rounds(order_a_first: bool = True) -> dict:
    """Return an instance whose first round placed must be placed again.

    p1 and p2 both need topic X in round B (its only session with seats); round A (placed
    first: as tight as B, and listed first) would give p1 its first choice, X.
    """
    a = {
        "id": "A",
        "sessions": [
            {"id": "a1", "topic": "X", "capacity": 1},
            {"id": "a2", "topic": "Y", "capacity": 1},
            {"id": "a3", "topic": "V", "capacity": 1},
        ],
    }
    b = {
        "id": "B",
        "sessions": [
            {"id": "b1", "topic": "X", "capacity": 2},
            {"id": "b2", "topic": "W", "capacity": 0},
        ],
    }
    return {
        "rounds": [a, b] if order_a_first else [b, a],
        "participants": [
            {"id": "p1", "group": "g", "preferences": {"A": ["a1"], "B": ["b1"]}},
            {"id": "p2", "group": "g", "preferences": {"A": ["a2"], "B": ["b1"]}},
            {"id": "p3", "group": "g", "preferences": {"A": ["a1"]}},
        ],
        "rules": {"spread_groups": [], "max_group_share": 1},
    }


def test_a_round_that_leaves_someone_out_for_a_topic_is_repaired():
    doc = _two_rounds()

    placement = by_round_placement(parse_instance(doc), deadline=time.monotonic() + 30)

    assert breaks(doc, {"assignment": placement}) == []
    assert placement["p1"] == {"A": placement["p1"]["A"], "B": "b1"}
    assert placement["p1"]["A"] != "a1"
    assert placement["p2"]["B"] == "b1"
    assert sum(len(rounds) for rounds in placement.values()) == 5


def test_placement_round_by_round_keeps_every_rule_and_costs_little_more_than_the_optimum():
    doc = crowded_instance(2, people=300, rounds=4, sessions=10)

    placement = by_round_placement(parse_instance(doc), deadline=time.monotonic() + 60, improve=0.0)

    assert breaks(doc, {"assignment": placement}) == []
    assert cost(doc, placement) <= 1.03 * CROWDED_LP
