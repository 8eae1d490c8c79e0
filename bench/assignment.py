"""Benchmark the session assignment.

1. Three sizes against first come, first served (FCFS) and random serial dictatorship
   (RSD): the conference (240 people; 2 rounds of 24 living rooms × 11 seats, 1 round of
   8 work sessions × 34), a tight one (600 people, 2 rounds × 50 sessions × 12 seats,
   capacity = demand) and a large one (2,000 people, 2 rounds × 120 living rooms × 18,
   1 round × 40 work sessions × 55).
2. A set of instances made by rules, not picked (`SET`): every size of 100, 240, 600 and
   2,000 people with, in turn, all-mix or mixed rounds, 0 or 10 pins, skewed popularity,
   one group near the share cap, one or two spread groups, partial attendance, and the
   number of residents in the first round divisible by its mix sessions or not
   (`tests/matching/instances.py`). Each is solved by the solver and by an independent
   compact MILP (`tests/matching/reference.py`, written from the format document, no solver
   code) in HiGHS: its MILP up to 600 people, its LP relaxation at 2,000 (the MILP takes
   minutes more than the benchmark may; its LP value still bounds every placement from
   independent code); the placements are checked by the independent checker
   (`tests/matching/checker.py`).
3. `goedeburen assign --time-limit 0.2` on 600 people, as a newcomer runs it (`env -i`):
   the wall time, process start included, against the limit + 10 % + 0.5 s.

Each instance is written in the shared format and read back through `parse_instance`, as
`goedeburen assign` does. The machine is shared: the load average is printed and stored
with the figures.

    .venv/bin/python bench/assignment.py [--quick] [--seed 1]

--quick: the conference and tight sizes, and the set's instances up to 240 people.
Writes bench/results/assignment.json.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Goal, report  # noqa: E402
from tests.matching.checker import breaks, cost, repeat_pairs  # noqa: E402
from tests.matching.instances import SET, Rule, generated  # noqa: E402
from tests.matching.reference import solve_reference  # noqa: E402

from goedeburen.matching.solver import (  # noqa: E402
    figures,
    first_come_first_served,
    instance_to_json,
    parse_instance,
    random_serial_dictatorship,
    solve,
)
from goedeburen.matching.solver.generate import SIZES, generate  # noqa: E402

TIME_LIMITS = {"conference": 60.0, "tight": 60.0, "large": 20.0}


def measure(size: str, *, seed: int) -> tuple[dict, list[str]]:
    document = instance_to_json(generate(SIZES[size], seed=seed))
    instance = parse_instance(json.loads(json.dumps(document)))
    started = time.monotonic()
    try:
        result = solve(instance, time_limit=TIME_LIMITS[size])
    except TimeoutError as error:
        return {
            f"{size}_s": round(time.monotonic() - started, 2),
            f"{size}_status": "timeout",
            f"{size}_gap": 1.0,
            f"{size}_rule_breaks": -1,
        }, [f"{size}: {error}"]
    seconds = time.monotonic() - started
    bound = result.bound or 0
    out = {}

    def add(prefix: str, assignment: dict) -> None:
        found = figures(instance, assignment)
        out.update(
            {
                f"{prefix}{size}_cost": found.cost,
                f"{prefix}{size}_gap": round((found.cost - bound) / max(bound, 1), 5),
                f"{prefix}{size}_first_share": round(found.first_share, 4),
                f"{prefix}{size}_top2_share": round(found.top2_share, 4),
                f"{prefix}{size}_unranked": found.unranked,
                f"{prefix}{size}_worst_rank": found.worst_rank or 0,
                f"{prefix}{size}_repeat_pairs": found.repeat_pairs,
                f"{prefix}{size}_rule_breaks": found.rule_breaks,
            }
        )

    add("", result.assignment)
    out.update(
        {
            f"{size}_s": round(seconds, 2),
            f"{size}_proof_s": round(result.model_seconds, 2),
            f"{size}_status": result.status,
            f"{size}_bound": result.bound if result.bound is not None else -1,
            f"{size}_lp_bound": round(result.lp_bound or 0, 1),
            f"{size}_capacity_bound": result.capacity_bound or 0,
            f"{size}_ranked_placements": result.ranked_placements,
        }
    )
    started = time.monotonic()
    fcfs = first_come_first_served(instance)
    out["fcfs_" + f"{size}_s"] = round(time.monotonic() - started, 3)
    add("fcfs_", fcfs)
    add("rsd_", random_serial_dictatorship(instance, seed=seed))
    ratio = out[f"fcfs_{size}_cost"] / max(out[f"{size}_cost"], 1)
    notes = [
        f"{size}: {len(instance.participants)} people, status {result.status}, "
        f"FCFS costs {ratio:.2f}× the solver's placement"
    ]
    return out, notes


# The generated set ------------------------------------------------------------------------


def _goal(people: int) -> tuple[float, float | None]:
    """Return (seconds to a proof, seconds to within 0.1 %) the issue asks for this size."""
    if people <= 240:
        return 1.0, None
    if people <= 600:
        return 5.0, None
    return 60.0, 20.0


REFERENCE_LIMIT = {100: 30.0, 240: 60.0, 600: 120.0, 2000: 120.0}


def _solve(instance, limit: float):
    """Return (result or None when no placement was found in time, seconds)."""
    started = time.monotonic()
    try:
        result = solve(instance, time_limit=limit)
    except TimeoutError:
        return None, round(time.monotonic() - started, 2)
    return result, round(result.seconds, 2)


def measure_set(*, seed: int, quick: bool) -> tuple[dict, list[dict], list[str]]:
    """Solve every instance of `SET` and check it against the independent reference.

    Up to 600 people the reference is the compact MILP (`solve_reference`); at 2,000 people
    its LP relaxation (the MILP takes minutes more than the benchmark may): a bound from
    code that shares nothing with the solver, which proves the solver's placement optimal
    whenever it reaches its cost.
    """
    rows, notes = [], []
    for n, rule in enumerate(SET):
        if quick and rule.people > 240:
            continue
        document = generated(rule, seed=seed)
        instance = parse_instance(json.loads(json.dumps(document)))
        proof_limit, near_limit = _goal(rule.people)
        row = {"instance": n + 1, "people": rule.people, **_features(rule, document)}
        row["load_1m"] = round(os.getloadavg()[0], 2)
        near = None
        if near_limit is not None:
            near, row["s_20"] = _solve(instance, near_limit)
            row["objective_20"] = None if near is None else near.objective
        if near is not None and near.status == "optimal":
            result, seconds = near, near.seconds  # proven within 20 s already
        else:
            result, seconds = _solve(instance, max(proof_limit, 60.0))
        # s: the whole solve, the repeat-meeting search (up to 1 s) included; proof_s: when
        # the placement and its bound were settled, the time the goals speak of.
        row["s"] = round(seconds, 2)
        row["proof_s"] = None if result is None else round(result.model_seconds, 2)
        if result is None:
            row.update(status="no placement in time", objective=None, bound=None)
        else:
            row.update(
                status=result.status,
                objective=result.objective,
                bound=result.bound,
                repeat_pairs=result.repeat_pairs,
                breaks=len(breaks(document, result.to_json())),
                cost_checked=cost(document, result.assignment) == result.objective,
            )
        started = time.monotonic()
        small = rule.people <= 600
        reference = solve_reference(
            document, tight=True, time_limit=REFERENCE_LIMIT[rule.people], milp=small
        )
        row["ref_s"] = round(time.monotonic() - started, 1)
        if small:
            proven = reference.get("optimum") is not None
            row["ref_status"] = "optimal" if proven else "time limit"
        else:
            row["ref_status"] = "lp" if reference.get("lp") is not None else "time limit"
        row["ref_objective"] = reference.get("incumbent")
        row["ref_lp"] = None if reference.get("lp") is None else round(reference["lp"], 2)
        row["ref_bound"] = round(max(reference.get("bound") or 0, reference.get("lp") or 0), 2)
        row["ref_repeat_pairs"] = (
            repeat_pairs(document, reference["assignment"]) if "assignment" in reference else None
        )
        if result is None:
            row.update(gap=1.0, agrees=True, ref_proves_optimal=False, within_limits=False)
            rows.append(row)
            notes.append(f"set instance {n + 1} ({rule.people} people): no placement in time")
            print(json.dumps(row), flush=True)
            continue
        best_bound = max(result.bound or 0, row["ref_bound"])
        row["gap"] = round((result.objective - best_bound) / max(result.objective, 1), 5)
        if row.get("objective_20") is not None:
            near_gap = (row["objective_20"] - best_bound) / max(row["objective_20"], 1)
            row["gap_20"] = round(near_gap, 5)
        elif near_limit is not None:
            row["gap_20"] = 1.0
        row["agrees"] = (
            (reference.get("optimum") is None or round(reference["optimum"]) == result.objective)
            and result.objective <= (reference.get("incumbent") or float("inf")) + 1e-6
            and row["ref_bound"] <= result.objective + 1e-6
        )
        # The independent model proves the solver's placement optimal when its bound
        # reaches the placement's cost.
        row["ref_proves_optimal"] = math.ceil(row["ref_bound"] - 1e-6) >= result.objective
        row["within_limits"] = (
            result.status == "optimal"
            and result.model_seconds <= proof_limit
            and (
                near_limit is None
                or (row["s_20"] <= near_limit * 1.1 and row.get("gap_20", 1.0) <= 0.001)
            )
            and row["breaks"] == 0
            and row["cost_checked"]
            and row["agrees"]
            and (row["ref_repeat_pairs"] is None or result.repeat_pairs <= row["ref_repeat_pairs"])
        )
        rows.append(row)
        print(json.dumps(row), flush=True)
        if not row["within_limits"]:
            notes.append(f"set instance {n + 1} ({rule.people} people) misses a goal: {row}")
    done = [r for r in rows if r["objective"] is not None]
    found = {
        "set_instances": len(rows),
        "set_solved": len(done),
        "set_within_limits": sum(1 for r in rows if r["within_limits"]),
        "set_max_gap": max((r["gap"] for r in rows), default=0.0),
        "set_max_gap_20s": max((r.get("gap_20", 0) for r in rows), default=0.0),
        "set_disagreements": sum(1 for r in rows if not r["agrees"]),
        "set_proven_by_reference": sum(1 for r in rows if r["ref_proves_optimal"]),
        "set_rule_breaks": sum(r.get("breaks", 0) for r in rows),
        "set_repeat_pairs_above_reference": sum(
            1
            for r in done
            if r["ref_repeat_pairs"] is not None and r["repeat_pairs"] > r["ref_repeat_pairs"]
        ),
    }
    for size in (240, 600, 2000):
        chosen = [r for r in rows if r["people"] <= size and (size == 240 or r["people"] == size)]
        if chosen:
            found[f"set_max_s_to_proof_{size}"] = max(r["proof_s"] or math.inf for r in chosen)
            found[f"set_max_s_with_repeats_{size}"] = max(r["s"] for r in chosen)
    return found, rows, notes


def print_set(rows: list[dict]) -> None:
    """Print the set for people: each instance's time beside its goal, the reference's bound."""
    print(
        f"\n{'#':>2} {'people':>6} {'rounds':<8} {'spread':>6} {'G/m':>8} {'status':<9} "
        f"{'proof s':>7} {'goal s':>6} {'ratio':>6} {'all s':>6} {'objective':>9} "
        f"{'ref bound':>9} {'gap':>8} "
        f"{'repeats':>7} {'ref rep.':>8} {'load':>5}"
    )
    for r in rows:
        goal = _goal(r["people"])[0]
        proof = r["proof_s"]
        ratio = goal / proof if proof else float("inf")
        print(
            f"{r['instance']:>2} {r['people']:>6} {r['rounds']:<8} {r['spread_groups']:>6} "
            f"{str(r['G']) + '/' + str(r['m']):>8} {r['status']:<9} {proof!s:>7} {goal:>6} "
            f"{ratio:>6.2f} {r['s']:>6} {r['objective']!s:>9} {r['ref_bound']!s:>9} {r['gap']:>8} "
            f"{r.get('repeat_pairs')!s:>7} {r['ref_repeat_pairs']!s:>8} {r['load_1m']:>5}"
        )


def print_baselines(figures_all: dict, sizes: list[str]) -> None:
    """Print the solver beside first come, first served and random serial dictatorship."""
    print(f"\n{'size':<11} {'figure':<14} {'solver':>9} {'FCFS':>9} {'RSD':>9} {'FCFS/solver':>11}")
    for size in sizes:
        for figure in ("cost", "first_share", "top2_share", "unranked", "repeat_pairs"):
            ours = figures_all.get(f"{size}_{figure}")
            if ours is None:
                continue
            fcfs = figures_all.get(f"fcfs_{size}_{figure}")
            rsd = figures_all.get(f"rsd_{size}_{figure}")
            ratio = f"{fcfs / ours:.2f}" if ours and fcfs is not None else "-"
            print(f"{size:<11} {figure:<14} {ours:>9} {fcfs:>9} {rsd:>9} {ratio:>11}")


CLI_RUNS = 5


def measure_cli_limit() -> dict:
    """Run `goedeburen assign --time-limit 0.2` on 600 people as a newcomer would.

    The installed command on this checkout's code (PYTHONPATH): the virtual environment's
    package may be another checkout's.

    The issue's limit: the wall time stays within the limit + 10 % + 0.5 s, process start
    and loading the libraries included. The worst of `CLI_RUNS` runs counts.
    """
    document = instance_to_json(generate(SIZES["tight"], seed=3))
    command = Path(sys.executable).parent / "goedeburen"
    walls, codes, placed = [], [], []
    with tempfile.TemporaryDirectory(prefix="gb-bench-assign-") as folder:
        source = Path(folder) / "instance.json"
        source.write_text(json.dumps(document))
        for _ in range(CLI_RUNS):
            started = time.monotonic()
            done = subprocess.run(
                ["env", "-i", f"PATH={os.environ['PATH']}", f"PYTHONPATH={ROOT / 'src'}"]
                + [str(command), "assign", str(source)]
                + ["--out", str(Path(folder) / "result.json"), "--time-limit", "0.2"],
                capture_output=True,
                text=True,
                cwd=folder,
                timeout=120,
            )
            walls.append(time.monotonic() - started)
            codes.append(done.returncode)
            if "Traceback" in done.stderr:
                codes[-1] = -1
            elif done.returncode == 0:
                # Exit 0 also when the limit ended the search (one fast pass's placement):
                # a run counts as placed when its file places everyone.
                result = json.loads((Path(folder) / "result.json").read_text())
                placed.append(result["status"] in ("optimal", "feasible"))
    return {
        "cli_600_limit_0_2_max_s": round(max(walls), 3),
        "cli_600_limit_0_2_median_s": round(sorted(walls)[len(walls) // 2], 3),
        "cli_600_limit_0_2_placed_runs": sum(placed),
        "cli_600_limit_0_2_tracebacks": sum(1 for c in codes if c == -1),
    }


def _features(rule: Rule, document: dict) -> dict:
    rooms = len(document["rounds"][0]["sessions"])
    residents = sum(
        1 for p in document["participants"] if p["group"] == "resident" and "r1" in _rounds(p)
    )
    return {
        "rounds": "mixed" if rule.mixed_round else "all-mix",
        "pins": rule.pins,
        "near_cap": rule.near_cap,
        "spread_groups": len(rule.spread),
        "partial": rule.partial,
        "G": residents,
        "m": rooms,
        "G_divisible_by_m": residents % rooms == 0,
    }


def _rounds(person: dict) -> set:
    return set(person.get("preferences", {})) | set(person.get("fixed", {}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    load_before = os.getloadavg()
    sizes = ["conference", "tight"] if args.quick else ["conference", "tight", "large"]
    figures_all: dict = {}
    notes: list[str] = []
    for size in sizes:
        found, said = measure(size, seed=args.seed)
        figures_all.update(found)
        notes.extend(said)
    figures_all.update(measure_cli_limit())
    found, rows, said = measure_set(seed=args.seed, quick=args.quick)
    figures_all.update(found)
    notes.extend(said)
    print_baselines(figures_all, sizes)
    print_set(rows)
    load_after = os.getloadavg()
    figures_all["load_average_1m_before"] = round(load_before[0], 2)
    figures_all["load_average_1m_after"] = round(load_after[0], 2)
    notes.append(
        f"load average (1, 5, 15 min) before {load_before}, after {load_after}: the machine "
        "(2 cores) is shared by several engineers, so the times vary with their work"
    )
    goals = {
        "conference_proof_s": Goal(1.0, "<="),
        "conference_gap": Goal(0.0, "=="),
        "conference_rule_breaks": Goal(0, "=="),
        "tight_proof_s": Goal(5.0, "<="),
        "tight_gap": Goal(0.0, "=="),
        "tight_rule_breaks": Goal(0, "=="),
        "cli_600_limit_0_2_max_s": Goal(0.2 * 1.1 + 0.5, "<="),
        "cli_600_limit_0_2_tracebacks": Goal(0, "=="),
        "set_instances": Goal(12 if not args.quick else 6, ">="),
        "set_solved": Goal(found["set_instances"], "=="),
        "set_within_limits": Goal(found["set_instances"], "=="),
        "set_max_gap": Goal(0.001, "<="),
        "set_disagreements": Goal(0, "=="),
        "set_rule_breaks": Goal(0, "=="),
        "set_repeat_pairs_above_reference": Goal(0, "=="),
    }
    if "large" in sizes:
        goals.update(
            {
                "large_s": Goal(20.0 * 1.1, "<="),
                "large_gap": Goal(0.001, "<="),
                "large_rule_breaks": Goal(0, "=="),
            }
        )
    result = report("assignment", quick=args.quick, figures=figures_all, goals=goals, notes=notes)
    result["set"] = rows
    path = ROOT / "bench" / "results" / "assignment.json"
    path.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
