"""Instances as other people's generators make them: every result keeps the format's rules.

`wild_instance` (instances.py) varies what the format leaves open; each result is checked by
the independent checker (rules, objective, rank histogram, repeat pairs, status, bound), and
on small instances against the independent reference MILP and, on the smallest, against
every placement tried.
"""

import json

import pytest

from goedeburen.matching.solver import parse_instance, solve
from goedeburen.matching.solver.greedy import greedy_placement, trivial_bound
from goedeburen.matching.solver.solve import out_of_time

from .checker import breaks, cost, result_problems
from .command import run_assign
from .instances import everyone_wants_the_same, wild_instance
from .reference import brute_force_optimum, solve_reference


def _solved(doc, **kwargs) -> dict:
    # Through JSON text, as a file would be: 12.0 stays a float, ids stay text.
    return solve(parse_instance(json.loads(json.dumps(doc))), **kwargs).to_json()


def _agrees_with(optimum, result) -> None:
    """Assert the result's status and objective against a proven optimum (None: none)."""
    if optimum is None:
        assert result["status"] == "infeasible"
    else:
        assert result["status"] == "optimal"
        assert result["objective"] == result["bound"] == round(optimum)


@pytest.mark.parametrize("seed", range(200))
def test_small_wild_instance_is_solved_to_the_reference_optimum(seed):
    doc = wild_instance(seed, people=6, rounds=2, sessions=3)

    result = _solved(doc)

    assert result_problems(doc, result) == []
    _agrees_with(solve_reference(doc, tight=True)["optimum"], result)


@pytest.mark.parametrize("seed", range(60))
def test_medium_wild_instance_is_solved_to_the_reference_optimum(seed):
    doc = wild_instance(1000 + seed, people=40, rounds=3, sessions=6)

    result = _solved(doc)

    assert result_problems(doc, result) == []
    _agrees_with(solve_reference(doc, tight=True)["optimum"], result)


@pytest.mark.parametrize("seed", range(40))
def test_tiny_wild_instance_is_solved_to_the_optimum_of_every_placement(seed):
    doc = wild_instance(2000 + seed, people=3, rounds=2, sessions=3)

    result = _solved(doc)

    assert result_problems(doc, result) == []
    _agrees_with(brute_force_optimum(doc), result)


@pytest.mark.parametrize("size", [(6, 2, 3), (60, 3, 8), (400, 3, 40)])
def test_greedy_placement_of_wild_instances_keeps_every_rule(size):
    people, rounds, sessions = size
    for seed in range(25):
        doc = wild_instance(3000 + seed, people=people, rounds=rounds, sessions=sessions)
        instance = parse_instance(doc)

        result = out_of_time(instance, started=0.0, message="the test's").to_json()

        assert result_problems(doc, result) == [], seed


def test_greedy_placement_places_everyone_where_seats_are_plenty():
    from .instances import random_instance

    doc = random_instance(1, people=1000, rounds=3, sessions=40, seats=30, ranked=5)
    instance = parse_instance(doc)

    placement = greedy_placement(instance)

    assert sum(len(rounds) for rounds in placement.values()) == 3 * len(doc["participants"])
    assert breaks(doc, {"assignment": placement}) == []
    assert trivial_bound(instance) <= cost(doc, placement)


def test_greedy_placement_places_everyone_who_all_want_the_same_sessions():
    # One pass fills the wanted sessions, then the others one after another, to the last
    # seat: the last ones stay near empty, with a resident alone in each, and the share and
    # spread rules then pushed 86 of these 600 out (3,400 of 5,000 in 100 sessions), where
    # 50 a session place everyone.
    doc = everyone_wants_the_same(people=600, sessions=12)
    instance = parse_instance(doc)

    placement = greedy_placement(instance)

    assert sum(len(rounds) for rounds in placement.values()) == 600
    assert breaks(doc, {"assignment": placement}) == []


@pytest.mark.parametrize("seed", range(40))
def test_each_slot_at_its_cheapest_is_the_fast_pass_bound_read_from_the_model_data(seed):
    # The bound of a placement round by round that the search's LP did not reach
    # (`_Data.least_cost`, without reading the instance again) is the fast pass's.
    from goedeburen.matching.solver.check import pinned_cost
    from goedeburen.matching.solver.model import _Data

    instance = parse_instance(wild_instance(seed, people=30, rounds=3, sessions=5))
    data = _Data(instance, None)

    assert data.least_cost() + pinned_cost(instance) == trivial_bound(instance) or data.impossible


def test_out_of_time_placement_with_everyone_is_feasible_with_a_proven_bound():
    doc = wild_instance(4, people=6, rounds=2, sessions=3)
    doc["rules"] = {"max_group_share": 1, "spread_groups": []}
    for round_ in doc["rounds"]:
        for session in round_["sessions"]:
            session["capacity"] = 10
    for person in doc["participants"]:
        person.pop("fixed", None)

    result = out_of_time(parse_instance(doc), started=0.0, message="x").to_json()

    assert result_problems(doc, result) == []
    assert result["status"] == "feasible"
    assert result["bound"] <= solve_reference(doc, tight=True)["optimum"]


@pytest.mark.parametrize(("seed", "limit"), [(3, "1"), (7, "2"), (12, "1.5"), (20, "30")], ids=str)
def test_assign_on_a_large_wild_instance_exits_0_with_a_result_that_keeps_the_rules(
    tmp_path, seed, limit
):
    # Up to 1,000 people in 3 rounds of 40 sessions, many of them impossible to place all:
    # the time limit ends the search (a fast pass's placement) or the solver proves it.
    doc = wild_instance(seed, people=1000, rounds=3, sessions=40)

    done, out = run_assign(tmp_path, doc, "--time-limit", limit)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result_problems(doc, result) == []
