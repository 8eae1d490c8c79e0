"""`goedeburen assign INSTANCE.json --out RESULT.json [--time-limit S]`: the solver on a file.

Runs without Django (no settings, no SECRET_KEY): `goedeburen.__main__` hands the `assign`
command here before it loads any settings. Reads and writes the shared formats
(docs/development.md, "Session assignment"). The summary line goes to standard output;
everything else (errors, anything the solver library prints) to standard error.
Exit codes: 0 a result file written; 2 a file that cannot be read or breaks the format
(one line naming the JSON path). With a time limit, `solve` has one fast pass place
everyone first (`greedy.py`), before it loads HiGHS: when the time ends before the search
found a cheaper placement, or leaves none to load it, the file holds that placement. When
even the fast pass left someone out, the file holds what it, or a second pass after the
search, places (`solve.out_of_time`), and a line on standard error says so.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from .instance import InstanceError, ids_as_written, parse_instance
from .solve import out_of_time, solve, tail_seconds

PROG = "goedeburen assign"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        _fail(message)


def _fail(message: str, code: int = 2):
    sys.stderr.write(f"{PROG}: {message}\n")
    sys.exit(code)


def read_json(raw: bytes):
    """Return the JSON document in `raw`, or raise ValueError saying why it is none.

    UTF-8, UTF-16 or UTF-32, with or without a byte order mark (editors and Windows tools
    write one; PowerShell writes UTF-16). A document nested deeper than Python's recursion
    limit, or a number of more than 4,300 digits, is no JSON this command reads: a
    ValueError too, not a traceback.
    """
    try:
        text = raw.decode(json.detect_encoding(raw))
    except UnicodeDecodeError as error:
        raise ValueError(str(error)) from None
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except RecursionError:
        raise ValueError("nested too deeply") from None


def json_lines(document: dict):
    """Yield `document` as JSON text: a line per key, and per entry of a list or object.

    As readable as `indent` for a person, and five times faster (`indent` takes Python's
    own encoder, not the C one: 0.15 s at 8,000 participant-rounds, of a time limit).
    """
    dumps = json.JSONEncoder(ensure_ascii=True, allow_nan=False).encode

    def member(key, value) -> str:
        return dumps({key: value})[1:-1]  # a key as JSON writes it (1 → "1")

    yield "{"
    for n, (key, value) in enumerate(document.items()):
        yield f"{',' if n else ''}\n {member(key, None).removesuffix('null')}"
        if isinstance(value, dict) and value:
            yield "{" + ",".join(f"\n  {member(k, v)}" for k, v in value.items()) + "\n }"
        elif isinstance(value, list) and value:
            yield "[" + ",".join(f"\n  {dumps(v)}" for v in value) + "\n ]"
        else:
            yield dumps(value)
    yield "\n}\n"


def main(argv: list[str] | None = None, *, started: float | None = None) -> int:
    """Run the command with `argv` (without the program and command name); return 0.

    `started` (time.monotonic() when the process began its work) counts the time spent
    before, loading numpy and HiGHS above all, into the time limit.
    """
    parser = _Parser(
        prog=PROG,
        description="Place participants in sessions: read an instance file, write the result.",
    )
    parser.add_argument("instance", help="the instance file (JSON)")
    parser.add_argument("--out", required=True, help="where to write the result (JSON)")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds, model building included; the best complete placement found by then",
    )
    started = time.monotonic() if started is None else started
    args = parser.parse_args(argv)
    try:
        with open(args.instance, "rb") as file:
            data = read_json(file.read())
    except OSError as error:
        _fail(f"{args.instance}: cannot read the file ({error.strerror})")
    except ValueError as error:
        _fail(f"{args.instance}: not JSON ({error})")
    if args.time_limit is not None and not args.time_limit > 0:
        _fail("--time-limit: must be more than 0 seconds")
    try:
        instance = parse_instance(data)
    except InstanceError as error:
        _fail(f"{args.instance}: {error}")
    try:
        result = solve(instance, time_limit=args.time_limit, started=started)
    except TimeoutError as error:
        # The format has no "out of time": write what one fast pass places (`greedy.py`).
        sys.stderr.write(f"{PROG}: {args.instance}: {error}\n")
        # What is left of the limit, less what the figures and the file take after the
        # pass, to place and to try again; the pass stops then.
        # Without a limit (HiGHS gave up on its own), the pass as long as it takes.
        last = None
        if args.time_limit is not None:
            slots = sum(len(person.rounds) for person in instance.participants)
            last = started + args.time_limit - tail_seconds(slots)
        result = out_of_time(
            instance,
            started=started,
            message=str(error),
            seconds=0.5 if last is None else min(max(last - 0.2 - time.monotonic(), 0.0), 0.5),
            placed=getattr(error, "placed", None),
            deadline=last,
            placement=getattr(error, "fast", None),
            code=getattr(error, "code", "time_limit"),
        )
    try:
        with open(args.out, "w", encoding="utf-8") as file:
            file.writelines(json_lines(ids_as_written(instance, result.to_json())))
    except OSError as error:
        _fail(f"{args.out}: cannot write the result ({error.strerror})")
    sys.stdout.write(
        f"{result.status}: objective {result.objective}, bound {result.bound}, "
        f"{len(result.unassigned)} not placed, {result.seconds:.2f} s\n"
    )
    return 0
