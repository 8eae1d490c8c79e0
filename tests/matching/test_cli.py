"""`goedeburen assign`: the shared file formats in and out, clear errors with exit code 2."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from goedeburen.matching.solver.cli import json_lines

from .checker import breaks, cost, result_problems
from .command import ROOT, run_assign
from .instances import random_instance

# This checkout's code, also when the installed package is another checkout's (a worktree).


def test_assign_writes_the_result_format(tmp_path):
    instance = random_instance(2, people=50, rounds=2, sessions=5, seats=12)

    done, out = run_assign(tmp_path, instance, "--time-limit", "30")

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert set(result) == {"status", "objective", "bound", "assignment", "unassigned", "stats"}
    assert result["status"] == "optimal"
    assert result["objective"] == result["bound"]
    assert {"rank_histogram", "repeat_pairs", "seconds"} <= set(result["stats"])
    assert breaks(instance, result) == []


def _valid() -> dict:
    return {
        "rounds": [
            {
                "id": "r1",
                "sessions": [
                    {"id": "r1-s1", "topic": "t1", "capacity": 12, "mix": True},
                    {"id": "r1-s2", "topic": "t2", "capacity": 30, "mix": False},
                ],
            },
            {"id": "r2", "sessions": [{"id": "r2-s1", "topic": "t1", "capacity": 12, "mix": True}]},
        ],
        "participants": [
            {
                "id": "p1",
                "group": "corporation",
                "preferences": {"r1": ["r1-s2", "r1-s1"]},
                "fixed": {},
            },
            {"id": "p2", "group": "resident", "preferences": {"r1": []}, "fixed": {"r2": "r2-s1"}},
        ],
        "rules": {
            "max_group_share": 0.4,
            "spread_groups": ["resident"],
            "rank_cost": [0, 1, 3, 6, 10],
            "unranked_cost": 25,
            "avoid_repeat_meetings": True,
        },
    }


def _broken(change):
    document = _valid()
    change(document)
    return document


MALFORMED = {
    "capacity as text": (
        _broken(lambda d: d["rounds"][0]["sessions"][0].update(capacity="12")),
        "rounds[0].sessions[0].capacity: expected a whole number, got text",
    ),
    "capacity true": (
        _broken(lambda d: d["rounds"][0]["sessions"][1].update(capacity=True)),
        "rounds[0].sessions[1].capacity: expected a whole number, got true/false",
    ),
    "negative capacity": (
        _broken(lambda d: d["rounds"][1]["sessions"][0].update(capacity=-1)),
        "rounds[1].sessions[0].capacity: must not be negative, got -1",
    ),
    "preferences not a list": (
        _broken(lambda d: d["participants"][0]["preferences"].update(r1="r1-s2")),
        "participants[0].preferences.r1: expected a list of session ids, got text",
    ),
    "unknown session": (
        _broken(lambda d: d["participants"][0]["preferences"]["r1"].append("r9-s9")),
        'participants[0].preferences.r1[2]: unknown session id "r9-s9"',
    ),
    "unknown round in a ranking": (
        _broken(lambda d: d["participants"][0]["preferences"].update(r7=[])),
        'participants[0].preferences.r7: unknown round id "r7"',
    ),
    "fixed unknown session": (
        _broken(lambda d: d["participants"][1]["fixed"].update(r2="nowhere")),
        'participants[1].fixed.r2: unknown session id "nowhere"',
    ),
    "duplicate participant": (
        _broken(lambda d: d["participants"].append(dict(d["participants"][0]))),
        'participants[2].id: duplicate participant id "p1"',
    ),
    "duplicate session in a round": (
        _broken(lambda d: d["rounds"][0]["sessions"].append(dict(d["rounds"][0]["sessions"][0]))),
        'rounds[0].sessions[2].id: duplicate session id "r1-s1"',
    ),
    "duplicate round": (
        _broken(lambda d: d["rounds"].append({"id": "r1", "sessions": []})),
        'rounds[2].id: duplicate round id "r1"',
    ),
    "group a list": (
        _broken(lambda d: d["participants"][0].update(group=["a"])),
        "participants[0].group: expected text or a whole number, got a list",
    ),
    "id a fraction": (
        _broken(lambda d: d["participants"][0].update(id=1.5)),
        "participants[0].id: expected text or a whole number, got a number",
    ),
    "share above 1": (
        _broken(lambda d: d["rules"].update(max_group_share=1.5)),
        "rules.max_group_share: must be from 0 to 1, got 1.5",
    ),
    "share negative": (
        _broken(lambda d: d["rules"].update(max_group_share=-0.1)),
        "rules.max_group_share: must be from 0 to 1, got -0.1",
    ),
    "share true": (
        _broken(lambda d: d["rules"].update(max_group_share=True)),
        "rules.max_group_share: expected a number, got true/false",
    ),
    "rank cost a fraction": (
        _broken(lambda d: d["rules"].update(rank_cost=[0, 1.5])),
        "rules.rank_cost[1]: expected a whole number, got 1.5",
    ),
    "rank cost empty": (
        _broken(lambda d: d["rules"].update(rank_cost=[])),
        "rules.rank_cost: needs at least one cost",
    ),
    "unranked cost true": (
        _broken(lambda d: d["rules"].update(unranked_cost=True)),
        "rules.unranked_cost: expected a whole number, got true/false",
    ),
    "capacity a fraction": (
        _broken(lambda d: d["rounds"][0]["sessions"][0].update(capacity=12.5)),
        "rounds[0].sessions[0].capacity: expected a whole number, got 12.5",
    ),
    "capacity missing": (
        _broken(lambda d: d["rounds"][0]["sessions"][0].pop("capacity")),
        "rounds[0].sessions[0].capacity: missing, expected a whole number",
    ),
    "mix a number": (
        _broken(lambda d: d["rounds"][0]["sessions"][0].update(mix=1)),
        "rounds[0].sessions[0].mix: expected true or false, got a whole number",
    ),
    "participant without id": (
        _broken(lambda d: d["participants"][0].pop("id")),
        "participants[0].id: missing, expected text or a whole number",
    ),
    "no rounds key": (
        _broken(lambda d: d.pop("rounds")),
        "rounds: missing, expected a list of rounds",
    ),
    "not an object": ([1, 2], "$: expected an object, got a list"),
    # Costs HiGHS cannot add up exactly: a TypeError traceback at 10**18, an OverflowError
    # at 1e308, and at 2**53 + 1 an `optimal` whose bound was 1 below its objective.
    "rank cost too large to add up": (
        _broken(lambda d: d["rules"].update(rank_cost=[0, 1, 10**18])),
        "rules.rank_cost[2]: 1000000000000000000 is too large: with 3 participant-rounds, "
        "costs can be added up exactly up to 22906492245 (in steps of 1)",
    ),
    "unranked cost too large to add up": (
        _broken(lambda d: d["rules"].update(rank_cost=[0, 2], unranked_cost=2**53 + 2)),
        "rules.unranked_cost: 9007199254740994 is too large: with 3 participant-rounds, "
        "costs can be added up exactly up to 45812984490 (in steps of 2)",
    ),
}


@pytest.mark.parametrize("document, message", MALFORMED.values(), ids=MALFORMED.keys())
def test_assign_malformed_instance_names_the_path_and_exits_2(tmp_path, document, message):
    done, out = run_assign(tmp_path, document)

    assert done.returncode == 2
    assert done.stderr.strip() == f"goedeburen assign: {tmp_path / 'instance.json'}: {message}"
    assert not out.exists()


def test_assign_reads_a_file_with_a_byte_order_mark(tmp_path):
    done, out = run_assign(tmp_path, b"\xef\xbb\xbf" + json.dumps(_valid()).encode())

    assert done.returncode == 0, done.stderr
    assert result_problems(_valid(), json.loads(out.read_text())) == []


@pytest.mark.parametrize(
    "document",
    [
        b'{"rounds": [',
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python's recursion limit
        b'{"rounds": [], "participants": [], "x": ' + b"9" * 5000 + b"}",  # 5,000 digits
        b"\xff\xfe{\x00\xe9",  # UTF-16 that breaks off
    ],
    ids=["cut off", "nested too deeply", "a number too long", "broken UTF-16"],
)
def test_assign_not_json_exits_2_without_a_traceback(tmp_path, document):
    done, out = run_assign(tmp_path, document)

    assert done.returncode == 2
    assert "not JSON" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_assign_reads_a_file_in_utf_16_or_32(tmp_path, encoding):
    # PowerShell's Out-File writes UTF-16 with a byte order mark; JSON may be UTF-16 or 32.
    document = _valid()
    document["participants"][0]["id"] = "pé"

    done, out = run_assign(tmp_path, json.dumps(document, ensure_ascii=False).encode(encoding))

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result_problems(document, result) == []
    assert "pé" in result["assignment"]


def test_assign_infeasible_instance_reports_who_and_why(tmp_path):
    instance = _valid()
    instance["rounds"][1]["sessions"][0]["capacity"] = 0

    done, out = run_assign(tmp_path, instance)

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "infeasible"
    assert result["unassigned"] == [
        {
            "participant": "p2",
            "round": "r2",
            "reason": "all capacity of round r2 is taken: 0 seats for 1 participants",
        }
    ]


def test_assign_infeasible_result_has_a_number_as_bound(tmp_path):
    # Checkers compare `bound` with `objective`; null would break `bound <= objective`.
    instance = _valid()
    instance["rounds"][1]["sessions"][0]["capacity"] = 0
    instance["participants"][0]["preferences"] = {"r1": []}  # p1 and p2: 25 wherever in r1

    done, out = run_assign(tmp_path, instance)

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert (result["status"], result["objective"], result["bound"]) == ("infeasible", 50, 50)
    assert result_problems(instance, result) == []


def test_assign_time_limit_too_short_still_writes_a_placement_that_keeps_the_rules(tmp_path):
    from goedeburen.matching.solver import instance_to_json
    from goedeburen.matching.solver.generate import SIZES, generate

    instance = instance_to_json(generate(SIZES["tight"], seed=3))

    done, out = run_assign(tmp_path, instance, "--time-limit", "0.01")

    # The format has no "out of time": one fast pass's placement, and a line saying so.
    assert done.returncode == 0, done.stderr
    assert "within the time limit" in done.stderr
    result = json.loads(out.read_text())
    assert result_problems(instance, result) == []
    assert result["status"] in ("feasible", "infeasible")
    for item in result["unassigned"]:
        assert item["reason"].startswith("the time limit ended before a session of round")


def _null_optional_keys(document):
    for round_ in document["rounds"]:
        for session in round_["sessions"]:
            session["mix"] = session["topic"] = None
    document["participants"][0]["fixed"] = None
    document["rules"] = dict.fromkeys(document["rules"])  # every rule its default


def _leave_out_optional_keys(document):
    for round_ in document["rounds"]:
        for session in round_["sessions"]:
            del session["mix"]
    del document["participants"][0]["fixed"]
    del document["rules"]  # the same as the defaults
    document["source"] = {"made by": "someone else"}


# Readings of what the format leaves open (docs/development.md, "Reading the format"), on the
# small valid instance where p1 (round r1 only) ranks r1-s2, r1-s1 and p2 (round r2 only) is
# pinned to r2-s1, which costs 25 (not ranked).
READINGS = {
    "whole numbers written as 12.0": (
        lambda d: (
            d["rounds"][0]["sessions"][0].update(capacity=12.0)
            or d["rules"].update(rank_cost=[0.0, 1.0], unranked_cost=25.0)
        ),
        ("optimal", 25, {"p1": {"r1": "r1-s2"}, "p2": {"r2": "r2-s1"}}),
    ),
    "a ranking names a session of another round, which keeps its place": (
        lambda d: d["participants"][0]["preferences"].update(r1=["r2-s1", "r1-s1", "r1-s2"]),
        ("optimal", 26, {"p1": {"r1": "r1-s1"}, "p2": {"r2": "r2-s1"}}),
    ),
    # A traceback once: 10**400 fits no float row (the flow bound's, the repeat search's).
    "more seats than a float holds": (
        lambda d: d["rounds"][0]["sessions"][1].update(capacity=10**400),
        ("optimal", 25, {"p1": {"r1": "r1-s2"}, "p2": {"r2": "r2-s1"}}),
    ),
    "a session ranked twice counts at its first place": (
        lambda d: (
            d["participants"][0]["preferences"].update(r1=["r1-s1", "r1-s1", "r1-s2"])
            or d["rounds"][0]["sessions"][0].update(capacity=0)
        ),
        ("optimal", 28, {"p1": {"r1": "r1-s2"}, "p2": {"r2": "r2-s1"}}),
    ),
    "a choice costs rank_cost even above unranked_cost": (
        lambda d: (
            d["rules"].update(rank_cost=[30], unranked_cost=0)
            or d["participants"][0]["preferences"].update(r1=["r1-s2"])
        ),
        ("optimal", 0, {"p1": {"r1": "r1-s1"}, "p2": {"r2": "r2-s1"}}),
    ),
    "a choice past the end of rank_cost costs its last entry": (
        lambda d: (
            d["rules"].update(rank_cost=[4]) or d["rounds"][0]["sessions"][1].update(capacity=0)
        ),
        ("optimal", 29, {"p1": {"r1": "r1-s1"}, "p2": {"r2": "r2-s1"}}),
    ),
    "a share of 0 keeps mix sessions empty": (
        lambda d: (
            d["rules"].update(max_group_share=0)
            or d["participants"][0]["preferences"].update(r1=["r1-s1"])
        ),
        ("infeasible", 25, {"p1": {"r1": "r1-s2"}}),
    ),
    "optional keys null": (
        _null_optional_keys,
        ("optimal", 25, {"p1": {"r1": "r1-s2"}, "p2": {"r2": "r2-s1"}}),
    ),
    "optional keys left out, unknown keys ignored": (
        _leave_out_optional_keys,
        ("optimal", 25, {"p1": {"r1": "r1-s2"}, "p2": {"r2": "r2-s1"}}),
    ),
}


@pytest.mark.parametrize("change, expected", READINGS.values(), ids=READINGS.keys())
def test_assign_reads_what_the_format_leaves_open(tmp_path, change, expected):
    instance = _valid()
    instance["participants"][1]["preferences"] = {}
    change(instance)

    done, out = run_assign(tmp_path, instance)

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert (result["status"], result["objective"], result["assignment"]) == expected
    assert result_problems(instance, result) == []


def test_assign_fixed_session_of_another_round_leaves_them_out_of_that_round(tmp_path):
    instance = _valid()
    instance["participants"][1]["fixed"]["r2"] = "r1-s1"

    done, out = run_assign(tmp_path, instance)

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "infeasible"
    assert result["unassigned"] == [
        {
            "participant": "p2",
            "round": "r2",
            "reason": "the fixed session r1-s1 is not a session of round r2",
        }
    ]
    assert result_problems(instance, result) == []


def test_assign_reads_ids_written_as_numbers_and_writes_them_back_as_numbers(tmp_path):
    # A generator's ids are often plain numbers; object keys are text in JSON anyway.
    instance = {
        "rounds": [
            {
                "id": 1,
                "sessions": [
                    {"id": 10, "topic": 7, "capacity": 2, "mix": True},
                    {"id": 11, "capacity": 5},
                    {"id": 12, "capacity": 0},
                ],
            }
        ],
        "participants": [
            {"id": 100, "group": 3, "preferences": {"1": [11, 10]}},
            {"id": 101, "group": "care", "preferences": {"1": [10]}, "fixed": {"1": 10}},
            {"id": 102, "group": "care", "fixed": {"1": 12}},
        ],
        "rules": {"max_group_share": 0.5, "spread_groups": [3], "rank_cost": [0, 1]},
    }

    done, out = run_assign(tmp_path, instance)

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["assignment"] == {"100": {"1": 11}, "101": {"1": 10}}
    assert result["objective"] == 0
    assert result["unassigned"] == [
        {
            "participant": 102,
            "round": 1,
            "reason": "the fixed session 12 is full with other fixed participants",
        }
    ]


def test_assign_reads_session_ids_each_round_numbers_on_its_own(tmp_path):
    # Rounds that number their sessions "a", "b" each: a ranking or pin of round r2 naming
    # "a" is r2's session a (the format keys both by round), and the result says "a" too.
    def round_(rid, topics):
        return {
            "id": rid,
            "sessions": [
                {"id": "a", "topic": topics[0], "capacity": 1},
                {"id": "b", "topic": topics[1], "capacity": 5},
            ],
        }

    instance = {
        "rounds": [round_("r1", ["t1", "t2"]), round_("r2", ["t3", "t4"])],
        "participants": [
            {"id": "p1", "group": "g", "preferences": {"r1": ["a"], "r2": ["a"]}},
            {"id": "p2", "group": "g", "preferences": {"r1": ["a", "b"]}, "fixed": {"r2": "a"}},
            {"id": "p3", "group": "g", "fixed": {"r1": "a"}},
            {"id": "p4", "group": "g", "fixed": {"r1": "a"}},
        ],
        "rules": {"max_group_share": 1, "spread_groups": [], "rank_cost": [0, 1]},
    }

    done, out = run_assign(tmp_path, instance)

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    placed = result["assignment"]
    assert (placed["p1"], placed["p2"]) == ({"r1": "b", "r2": "b"}, {"r1": "b", "r2": "a"})
    assert [placed.get(p) for p in ("p3", "p4")] in ([{"r1": "a"}, None], [None, {"r1": "a"}])
    assert result["objective"] == 25 + 1 + 25 + 25 + 25
    (left_out,) = result["unassigned"]
    assert left_out["reason"] == "the fixed session a is full with other fixed participants"


def test_assign_names_a_session_of_round_r10_as_written_beside_round_r1(tmp_path):
    # Each round's "b" is a session of its own to the solver; "b" of r1 is a part of the
    # name of r10's, and the reason once named "b0".
    rounds = [
        {"id": f"r{k}", "sessions": [{"id": "b", "capacity": 1}, {"id": "c", "capacity": 5}]}
        for k in range(1, 11)
    ]
    instance = {
        "rounds": rounds,
        "participants": [{"id": f"p{i}", "fixed": {"r10": "b"}} for i in range(2)],
    }

    done, out = run_assign(tmp_path, instance)

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["assignment"] == {"p0": {"r10": "b"}}
    assert [u["reason"] for u in result["unassigned"]] == [
        "the fixed session b is full with other fixed participants"
    ]


def test_assign_keeps_a_session_whose_id_looks_like_a_rounds_own_apart(tmp_path):
    # "b\x1fr2" of round r1 was the solver's name of round r2's "b" (ids "b" in r1 and
    # r2): the two were one session, and two people were put in its one seat.
    instance = {
        "rounds": [
            {
                "id": "r1",
                "sessions": [{"id": "b\x1fr2", "capacity": 1}, {"id": "b", "capacity": 1}],
            },
            {"id": "r2", "sessions": [{"id": "b", "capacity": 1}]},
        ],
        "participants": [
            {"id": "p1", "preferences": {"r1": ["b\x1fr2"], "r2": ["b"]}},
            {"id": "p2", "preferences": {"r1": ["b"]}},
        ],
    }

    done, out = run_assign(tmp_path, instance)

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "optimal"
    assert result["assignment"] == {"p1": {"r1": "b\x1fr2", "r2": "b"}, "p2": {"r1": "b"}}
    assert result_problems(instance, result) == []


def test_assign_counts_those_without_a_group_as_one_group_of_the_share_rule(tmp_path):
    # `group` left out, null or "": one group of its own (as `person.get("group")` counts),
    # so at a share of 0.5 two of them never sit together in a mix session of two.
    instance = _valid()
    session = {"id": "r1-s1", "topic": "t1", "capacity": 2, "mix": True}
    instance["rounds"] = [{"id": "r1", "sessions": [session, {"id": "r1-s2", "capacity": 9}]}]
    instance["rules"].update(max_group_share=0.5, spread_groups=[])
    instance["participants"] = [
        {"id": "p1", "preferences": {"r1": ["r1-s1"]}},
        {"id": "p2", "group": None, "preferences": {"r1": ["r1-s1"]}},
        {"id": "p3", "group": "", "preferences": {"r1": ["r1-s1"]}},
        {"id": "p4", "group": "care", "preferences": {"r1": ["r1-s2"]}},
    ]

    done, out = run_assign(tmp_path, instance)

    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "optimal"
    assert result["objective"] == 2 * 25
    assert [p for p, rounds in result["assignment"].items() if rounds["r1"] == "r1-s1"] in (
        ["p1"],
        ["p2"],
        ["p3"],
    )
    assert result_problems(instance, result) == []


GOEDEBUREN = Path(sys.executable).parent / "goedeburen"


def _assign_bare(tmp_path, document, *extra) -> tuple[subprocess.CompletedProcess, Path, float]:
    """Run the installed command as a newcomer would: no SECRET_KEY, no DEBUG, no settings."""
    source = tmp_path / "instance.json"
    source.write_text(json.dumps(document))
    out = tmp_path / "result.json"
    started = time.monotonic()
    done = subprocess.run(
        ["env", "-i", f"PATH={os.environ['PATH']}", f"PYTHONPATH={ROOT / 'src'}"]
        + [str(GOEDEBUREN), "assign", str(source)]
        + ["--out", str(out), *extra],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    return done, out, time.monotonic() - started


def test_assign_runs_without_settings_and_counts_pinned_placements(tmp_path):
    instance = random_instance(4, people=40, rounds=2, sessions=4, seats=12)
    instance["participants"][0]["fixed"] = {"r0": "r0-s1"}  # ranked or not: it costs
    instance["participants"][1]["fixed"] = {"r1": "r1-s2"}
    instance["participants"][1]["preferences"]["r1"] = []

    done, out, _ = _assign_bare(tmp_path, instance)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("optimal: objective ")
    assert "HiGHS" not in done.stdout
    result = json.loads(out.read_text())
    assert result["objective"] == cost(instance, result["assignment"]) == result["bound"]
    placements = sum(len(rounds) for rounds in result["assignment"].values())
    assert sum(result["stats"]["rank_histogram"]) == placements
    assert breaks(instance, result) == []


# The wall time of these runs (the limit plus 10 % and 0.5 s at most) is measured by the
# benchmark (bench/assignment.py, `cli_600_limit_0_2_max_s`), where the machine's load is
# recorded with it: here the behaviour is checked, whatever the load.


def test_assign_time_limit_of_a_fifth_of_a_second_on_600_people_writes_a_placement(tmp_path):
    from goedeburen.matching.solver import instance_to_json
    from goedeburen.matching.solver.generate import SIZES, generate

    instance = instance_to_json(generate(SIZES["tight"], seed=3))
    assert len(instance["participants"]) == 600

    done, out, _ = _assign_bare(tmp_path, instance, "--time-limit", "0.2")

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    result = json.loads(out.read_text())
    assert result_problems(instance, result) == []


@pytest.mark.parametrize("limit", [1.5, 4.0])
def test_assign_returns_the_best_placement_when_the_limit_ends_the_search(tmp_path, limit):
    from goedeburen.matching.solver import instance_to_json
    from goedeburen.matching.solver.generate import SIZES, generate

    instance = instance_to_json(generate(SIZES["large"], seed=1))

    done, out, _ = _assign_bare(tmp_path, instance, "--time-limit", str(limit))

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    result = json.loads(out.read_text())
    assert result_problems(instance, result) == []


def test_result_file_is_the_document_with_a_line_per_placement_and_reason():
    document = {
        "status": "infeasible",
        "objective": 12,
        "bound": None,
        "assignment": {'p"1': {"r1": "s\n1"}, "Zoë": {"r1": 7}, "3": {}, 4: {"r1": 5}},
        "unassigned": [{"participant": "x", "round": "r1", "reason": {"message": "é"}}],
        "stats": {"rank_histogram": [1, 0], "gap": None},
        "empty": {},
        "none": [],
    }

    text = "".join(json_lines(document))

    # As JSON writes it: the key 4 as "4".
    assert json.loads(text) == json.loads(json.dumps(document))
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    # A line per participant, per reason and per figure: readable, and diff-able.
    assert sum(line.startswith('  "p\\"1"') or line.startswith('  "Zo') for line in lines) == 2
    assert '  {"participant": "x", "round": "r1", "reason": {"message": "\\u00e9"}}' in lines
    assert text.isascii()
