"""`goedeburen assign INSTANCE.json --out RESULT.json [--time-limit S]`: the solver on a file.

Reads and writes the formats of docs/development.md ("Assignment files"). A file that is
not JSON or breaks the format gets one line naming the path of the problem, and exit code 2;
a time limit too short to place everyone (nor prove it impossible) gets exit code 1.
"""

import json
import sys

from django.core.management.base import BaseCommand

from goedeburen.matching.solver import InstanceError, parse_instance, solve


class Command(BaseCommand):
    help = "Place participants in sessions: read an instance file, write the result file."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("instance", help="the instance file (JSON)")
        parser.add_argument("--out", required=True, help="where to write the result (JSON)")
        parser.add_argument(
            "--time-limit", type=float, default=None, help="seconds; the best placement found"
        )

    def handle(self, *args, instance, out, time_limit, **options):
        try:
            with open(instance, encoding="utf-8") as file:
                data = json.load(file)
        except OSError as error:
            self._fail(f"{instance}: cannot read the file ({error.strerror})")
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            self._fail(f"{instance}: not JSON ({error})")
        if time_limit is not None and time_limit <= 0:
            self._fail("--time-limit: must be more than 0 seconds")
        try:
            parsed = parse_instance(data)
        except InstanceError as error:
            self._fail(f"{instance}: {error}")
        try:
            result = solve(parsed, time_limit=time_limit)
        except TimeoutError as error:
            self.stderr.write(f"goedeburen assign: {instance}: {error}")
            sys.exit(1)
        with open(out, "w", encoding="utf-8") as file:
            json.dump(result.to_json(), file, indent=1)
            file.write("\n")
        self.stdout.write(
            f"{result.status}: objective {result.objective}, bound {result.bound}, "
            f"{len(result.unassigned)} not placed, {result.seconds:.2f} s"
        )

    def _fail(self, message: str):
        self.stderr.write(f"goedeburen assign: {message}")
        sys.exit(2)
