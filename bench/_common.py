"""What every benchmark needs: a fresh PostgreSQL database, the app under gunicorn with
production settings, percentiles, the table for people and the JSON for programs
(/work/shared/formats/bench.md)."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
PYTHON = sys.executable
ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` (0–1) of `values` lie (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def timed_get(port: int, path: str, headers: dict, *, timeout: int = 60) -> tuple[float, bytes]:
    """GET `path` from the local server; return (milliseconds, body); raise unless 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    took = (time.perf_counter() - started) * 1000
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status} {body[:300]!r}")
    return took, body


def _psql(sql: str) -> str:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        cursor = conn.execute(sql)
        row = cursor.fetchone() if cursor.description else None
    return row[0] if row else ""


def add_baseline_arguments(parser, default: str) -> None:
    """Add --baseline (the commit measured beside this tree in the same run) and
    --no-baseline to a benchmark's `parser`."""
    parser.add_argument(
        "--baseline",
        default=default,
        help=f"git commit to measure in the same run for comparison (default {default})",
    )
    parser.add_argument("--no-baseline", action="store_true", help="measure this tree only")


def database_url(name: str) -> str:
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def checkout(ref: str) -> Path:
    """Return a temporary directory holding `src/` as it was at the git commit `ref`.

    For a baseline measured in the same run as the code of the working tree (the machine is
    shared: only figures taken side by side compare). The compiled translations, which git
    does not keep, are copied from the working tree. Delete the directory afterwards.
    """
    folder = Path(tempfile.mkdtemp(prefix="gb-bench-baseline-"))
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref, "src"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    for compiled in (REPO / "src").glob("goedeburen/locale/*/LC_MESSAGES/*.mo"):
        target = folder / compiled.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(compiled, target)
    return folder


def commit_of(ref: str) -> str:
    """Return the short commit id that `ref` names."""
    done = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", ref], capture_output=True, text=True
    )
    return done.stdout.strip() or ref


@dataclass
class App:
    """The app as production runs it, on its own database and var dir.

    `source` is a directory holding another `src/` to run instead of the working tree's
    (a baseline, see `checkout`); the database schema must be the same.
    """

    name: str
    var_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="gb-bench-")))
    process: subprocess.Popen | None = None
    port: int = 0
    source: Path | None = None

    @property
    def env(self) -> dict[str, str]:
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
        return {
            **{k: os.environ[k] for k in keep if k in os.environ},
            "DJANGO_SETTINGS_MODULE": "goedeburen.settings",
            "DEBUG": "false",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_URL": "smtp://127.0.0.1:2525",  # nothing is sent: no worker runs
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": database_url(self.name),
            "CONN_MAX_AGE": "60",
            "GOEDEBUREN_VAR_DIR": str(self.var_dir),
            "MEDIA_ROOT": str(self.var_dir / "media"),
            "PYTHONUNBUFFERED": "1",
            # Every simulated visitor comes from 127.0.0.1: not the abuse that the review of
            # many seats from one address is for (registration.services.abuse).
            "REGISTRATION_REVIEW_SEATS_PER_HOUR": "1000000",
            # The webhook receiver of bench/api.py listens on 127.0.0.1.
            "WEBHOOK_PRIVATE_ADDRESSES": "true",
            # The code measured: this tree's, or the baseline's (before the editable install).
            "PYTHONPATH": str((self.source or REPO) / "src"),
        }

    def __post_init__(self):
        self.secret_key = secrets.token_hex(32)

    def create(self) -> None:
        """Create the database afresh, migrate it and collect the static files."""
        self.drop_database()
        _psql(f'CREATE DATABASE "{self.name}"')
        self.command("migrate", "--noinput", "--verbosity", "0")
        self.command("collectstatic", "--noinput", "--verbosity", "0")

    def command(self, *args: str, timeout: float = 300) -> str:
        """Run a `goedeburen` management command; return what it printed."""
        done = subprocess.run(
            [PYTHON, "-m", "goedeburen", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"goedeburen {args[0]} failed:\n{done.stderr}")
        return done.stdout

    def shell(self, code: str, *, timeout: float = 300) -> str:
        return self.command("shell", "--no-imports", "-c", code, timeout=timeout)

    def serve(
        self, *, workers: int, threads: int = 1, worker_class: str = "gthread", port: int = 0
    ) -> None:
        """Start gunicorn and wait until it answers; `port` 0 takes any free one.

        gthread workers with `threads` each and keep-alive, or sync workers (production's
        `goedeburen.gunicorn_config`: one request at a time, the connection closed after it).
        """
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
            self.port = sock.getsockname()[1]
        self.log = open(self.var_dir / "gunicorn.log", "w+")  # noqa: SIM115 — kept open while it runs
        shape = [f"--worker-class={worker_class}"]
        if worker_class == "gthread":
            shape += [f"--threads={threads}", "--keep-alive=5"]
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "goedeburen.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                *shape,
                "--backlog=2048",
            ],
            env=self.env,
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped:\n" + self.server_log())
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/static/goedeburen/site.css")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer within 30 s")

    def server_log(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def drop_database(self) -> None:
        _psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def clean_up(self) -> None:
        """Stop the server, drop the database, delete the var dir."""
        self.stop()
        self.drop_database()
        shutil.rmtree(self.var_dir, ignore_errors=True)


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "database": "postgresql " + _psql("SHOW server_version").split()[0],
    }


@dataclass(frozen=True)
class Goal:
    target: float
    op: str  # ">=" or "<=" or "=="

    def met(self, value: float) -> bool:
        return {
            ">=": value >= self.target,
            "<=": value <= self.target,
            "<": value < self.target,
            "==": value == self.target,
        }[self.op]


def report(
    name: str,
    *,
    quick: bool,
    figures: dict,
    goals: dict[str, Goal],
    notes=(),
    baseline: dict | None = None,
) -> dict:
    """Print the table (figure, goal, ratio, met) and write bench/results/NAME.json.

    `baseline`, when the benchmark measured one in the same run: {"ref": commit,
    "figures": {name: value}, "lower_is_better": {name: bool}}. The table then shows each
    figure beside its baseline and the gain (above 1 is better, either way).
    """
    result = {
        "benchmark": name,
        "when": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "quick": quick,
        "figures": figures,
        "goals": {
            key: {"target": goal.target, "op": goal.op, "met": goal.met(figures[key])}
            for key, goal in goals.items()
        },
    }
    if baseline:
        result["baseline"] = baseline
    m = result["machine"]
    print(f"\n{name}{' (quick)' if quick else ''} — {m['cpus']} CPUs, Python {m['python']}, ")
    print(f"{m['database']}\n")
    if baseline:
        _baseline_table(figures, goals, baseline)
    else:
        _table(figures, goals)
    for note in notes:
        print(note)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten: {path.relative_to(REPO)}")
    return result


def _goal_ratio(value: float, goal: Goal) -> str:
    ratio = value / goal.target if goal.target else float("nan")
    if goal.op in ("<=", "<") and value:
        ratio = goal.target / value  # above 1 means better than the goal either way
    return f"{ratio:.2f}" if goal.target else "-"


def _baseline_table(figures: dict, goals: dict[str, Goal], baseline: dict) -> None:
    before, lower = baseline["figures"], baseline.get("lower_is_better", {})
    print(f"baseline: commit {baseline['ref']}, measured in this run\n")
    print(
        f"{'figure':<24} {'value':>10} {'baseline':>10} {'gain':>7} {'goal':>9} {'ratio':>6}  met"
    )
    for key, value in figures.items():
        old = before.get(key)
        gain = "-"
        if old is not None and key in lower and value and old:
            gain = f"{(old / value if lower[key] else value / old):.2f}×"
        goal = goals.get(key)
        line = f"{key:<24} {value:>10} {'' if old is None else old:>10} {gain:>7}"
        if goal is not None:
            met = "yes" if goal.met(value) else "NO"
            line += f" {goal.op + ' ' + str(goal.target):>9} {_goal_ratio(value, goal):>6}  {met}"
        print(line)


def _table(figures: dict, goals: dict[str, Goal]) -> None:
    print(f"{'figure':<24} {'value':>12} {'goal':>12} {'ratio':>8}  met")
    for key, value in figures.items():
        goal = goals.get(key)
        if goal is None:
            print(f"{key:<24} {value:>12}")
            continue
        ratio = value / goal.target if goal.target else float("nan")
        if goal.op in ("<=", "<") and value:
            ratio = goal.target / value  # above 1 means better than the goal either way
        met = "yes" if goal.met(value) else "NO"
        ratio_text = f"{ratio:.2f}" if goal.target else "-"
        print(
            f"{key:<24} {value:>12} {goal.op + ' ' + str(goal.target):>12} {ratio_text:>8}  {met}"
        )
