"""Benchmark the session assignment: the solver against first come, first served (FCFS) and
random serial dictatorship (RSD) on generated instances of three sizes.

Sizes (issue 5): the conference (240 people; 2 rounds of 24 living rooms × 11 seats, 1 round
of 8 work sessions × 34), a tight one (600 people, 2 rounds × 50 sessions × 12 seats,
capacity = demand) and a large one (2,000 people, 2 rounds × 120 living rooms × 18, 1 round
× 40 work sessions × 55). Each instance is generated from its seed, written in the shared
format and read back through `parse_instance`, as `goedeburen assign` does. The solver runs
in this process with the time limit of the goal; FCFS and RSD get the same rule check.

    .venv/bin/python bench/assignment.py [--quick] [--seed 1]

--quick runs the conference and tight sizes only. Writes bench/results/assignment.json.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Goal, report  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = ["conference", "tight"] if args.quick else ["conference", "tight", "large"]
    figures_all: dict = {}
    notes: list[str] = []
    for size in sizes:
        found, said = measure(size, seed=args.seed)
        figures_all.update(found)
        notes.extend(said)
    goals = {
        "conference_s": Goal(1.0, "<="),
        "conference_gap": Goal(0.0, "=="),
        "conference_rule_breaks": Goal(0, "=="),
        "tight_s": Goal(5.0, "<="),
        "tight_gap": Goal(0.0, "=="),
        "tight_rule_breaks": Goal(0, "=="),
    }
    if "large" in sizes:
        goals.update(
            {
                "large_s": Goal(20.0, "<="),
                "large_gap": Goal(0.001, "<="),
                "large_rule_breaks": Goal(0, "=="),
            }
        )
    report("assignment", quick=args.quick, figures=figures_all, goals=goals, notes=notes)


if __name__ == "__main__":
    main()
