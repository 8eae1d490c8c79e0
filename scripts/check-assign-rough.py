#!/usr/bin/env python
"""Run `goedeburen assign` over instances of the second generator and check every result
(a sweep for bugs, not a benchmark: `bench/assignment.py` measures).

The instances are `tests/matching/rough_instances.py`'s (rules other than the first
generator's: 300 small rooms a round, hosts pinned past a room's seats, one group of up to
70 %, …). Each runs as its own process, as another person's benchmark runs it; the result
is checked by the independent checker (`tests/matching/checker.py`), small ones (--ref) also
against the optimum of the independent reference MILP (`tests/matching/reference.py`), and
the wall time of the whole process is compared with the limit. Prints one line per
instance with a problem or a time over the limit, then a summary with the load average.

    .venv/bin/python scripts/check-assign-rough.py PEOPLE ROOMS FIRST_SEED LAST_SEED [--limit S]
        [--ref] [--kinds tiny-rooms,tiny-rooms,...] [--no-overfull]

For example `12 12 0 200 --ref` (to the optimum) or `3000 300 0 5 --limit 1
--kinds tiny-rooms,tiny-rooms,tiny-rooms`.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.matching.checker import result_problems  # noqa: E402
from tests.matching.reference import solve_reference  # noqa: E402
from tests.matching.rough_instances import canonical, rough_instance  # noqa: E402


def _against_reference(doc: dict, result: dict) -> str | None:
    optimum = solve_reference(canonical(doc), tight=True)["optimum"]
    if optimum is None:
        return None if result["status"] == "infeasible" else f"reference: none, {result['status']}"
    if result["status"] != "optimal" or result["objective"] != round(optimum):
        return f"reference {optimum}, {result['status']} {result['objective']}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("people", type=int)
    parser.add_argument("rooms", type=int)
    parser.add_argument("first", type=int)
    parser.add_argument("last", type=int)
    parser.add_argument("--limit", type=float)
    parser.add_argument("--ref", action="store_true")
    parser.add_argument("--kinds")
    parser.add_argument("--no-overfull", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    kinds = tuple(args.kinds.split(",")) if args.kinds else None
    walls, bad, statuses = [], 0, {}
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder, "instance.json"), Path(folder, "result.json")
        for seed in range(args.first, args.last):
            doc = rough_instance(
                seed,
                people=args.people,
                rooms=args.rooms,
                kinds=kinds,
                overfull=not args.no_overfull,
            )
            source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            command = [sys.executable, "-m", "goedeburen", "assign", str(source)]
            command += ["--out", str(out)]
            if args.limit:
                command += ["--time-limit", str(args.limit)]
            began = time.monotonic()
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            wall = time.monotonic() - began
            walls.append(wall)
            if done.returncode != 0 or "Traceback" in done.stderr:
                bad += 1
                print(seed, "exit", done.returncode, done.stderr[-300:])
                continue
            result = json.loads(out.read_text(encoding="utf-8"))
            statuses[result["status"]] = statuses.get(result["status"], 0) + 1
            problems = result_problems(doc, result)
            if args.ref:
                mismatch = _against_reference(doc, result)
                problems += [mismatch] if mismatch else []
            over = args.limit is not None and wall > args.limit
            if problems or over:
                bad += bool(problems)
                print(seed, result["status"], f"wall {wall:.2f} s", problems[:3], flush=True)
    print(
        f"{len(walls)} instances, {bad} with a problem, {statuses}; wall "
        f"{min(walls):.2f} to {max(walls):.2f} s (limit {args.limit}); "
        f"load {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
