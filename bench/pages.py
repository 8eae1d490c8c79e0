"""Benchmark the public event pages: home and programme under gunicorn, 50 concurrent clients.

It sets up what it measures: a fresh PostgreSQL database (`gb_bench_pages`), migrated, with
the Goede buren demo grown to 200 sessions, and `collectstatic`. It serves that with gunicorn
as production does (DEBUG off, settings from the environment, `goedeburen.gunicorn_config`)
and loads each page from 50 closed-loop clients: each sends its next request as soon as the
previous answer is in, on the same connection when the server keeps it alive, on a new one
otherwise (sync workers close it, as they do behind a proxy). The load generator runs in this
process; its share of the CPU is measured and reported beside gunicorn's, PostgreSQL's and
that of whatever else ran on the machine meanwhile. Afterwards gunicorn is stopped and the
database dropped. Each run writes bench/results/pages.json ("quick" says which kind it was).

Then Lighthouse (npm `lighthouse`, locked in bench/lighthouse/, installed there by this script
if missing) loads the home page, the programme and the registration form from the same
gunicorn as a first visit on a phone: its mobile preset (a mid-range phone on slow 4G,
simulated), in Debian's Chromium (CHROME_PATH, default /usr/bin/chromium; never a downloaded
browser). It reports the performance score, the Largest Contentful Paint and the CSS
transferred (compressed). The same three pages are measured in the same run from the code
of BASELINE (the last commit that linked the whole NL Design System CSS), served by a second
gunicorn on the same database; `--no-baseline` leaves that out, `--no-lighthouse` all of it.

    .venv/bin/python bench/pages.py [--quick] [--clients 50] [--redis] [--no-baseline]

BENCH_DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/
postgres); --redis serves with REDIS_URL set (the shared Redis cache instead of one memory
cache per process), from BENCH_REDIS_URL (default redis://127.0.0.1:6379/0).
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import resource
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "pages.json"
DATABASE = "gb_bench_pages"
SESSIONS = 200
PAGES = {"home": "/goede-buren/", "programme": "/goede-buren/programme/"}
GOALS = {
    "home_rps": (300, ">="),
    "home_p95_ms": (50, "<"),
    "programme_rps": (300, ">="),
    "programme_p95_ms": (50, "<"),
}
# Lighthouse: the pages a visitor lands on from a link, and the goals of issue 17.
LIGHTHOUSE = ROOT / "bench" / "lighthouse"
LIGHTHOUSE_PAGES = {
    "home": PAGES["home"],
    "programme": PAGES["programme"],
    "form": "/goede-buren/register/",
}
LIGHTHOUSE_GOALS = {
    "lighthouse_perf_min": (95, ">="),
    "lcp_max_s": (1.5, "<="),
    "css_kb_gz": (20, "<="),
}
# The last commit whose pages linked the whole vendored NL Design System CSS (three
# render-blocking stylesheets, 590 KB): measured in the same run for comparison.
BASELINE = "f17361f"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")


# --- set-up --------------------------------------------------------------------------------


def _server_url() -> urllib.parse.SplitResult:
    return urllib.parse.urlsplit(
        os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )


def _admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(urllib.parse.urlunsplit(_server_url()), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _environment(var_dir: Path) -> dict[str, str]:
    """Return the production environment the set-up and gunicorn run with."""
    server = _server_url()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            # Nothing here sends mail; production needs the variable, so it is set.
            "EMAIL_URL": "smtp://127.0.0.1:2525",
            "DATABASE_URL": urllib.parse.urlunsplit(server._replace(path=f"/{DATABASE}")),
            "GOEDEBUREN_VAR_DIR": str(var_dir),
            "MEDIA_ROOT": str(var_dir / "media"),
            "DJANGO_SETTINGS_MODULE": "goedeburen.settings",
            # The code measured is this tree's (not whatever the editable install points to).
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    return env


def _forget_cached_pages(redis_url: str, version: str) -> None:
    """Delete the pages this run cached in the shared Redis (their keys hold its version)."""
    from redis import Redis

    redis = Redis.from_url(redis_url)
    for key in redis.scan_iter(match=f"*:page:*:{version}"):
        redis.delete(key)


def _set_up(env: dict[str, str]) -> dict:
    """Migrate, load the demo, grow it to SESSIONS sessions, collect static files."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from goedeburen.events import queries, services
    from goedeburen.events.demo import load_demo
    from goedeburen.events.models import Room, Round, Session, SessionKind

    call_command("migrate", interactive=False, verbosity=0)
    # Registration open, as on the weeks before the conference: the form is one of the pages.
    event, _ = load_demo(upcoming=True)
    # Rooms of their own for the extra sessions: a room holds one session at a time, and the
    # rounds below repeat their hours every six rounds (24 rooms for each such layer).
    layers: dict[int, list[Room]] = {}

    def rooms_of(number: int) -> list[Room]:
        layer = (number - 1) // 6
        if layer not in layers:
            layers[layer] = [
                services.save_venue_part(
                    Room(
                        venue=event.venue, name=f"Extra huiskamer {layer + 1}.{n + 1}", capacity=12
                    ),
                    organiser=event.organiser,
                    by=None,
                )
                for n in range(24)
            ]
        return layers[layer]

    projects = list(event.projects.order_by("pk"))
    count = Session.objects.filter(round__event=event).count()
    number = 0
    while count < SESSIONS:
        number += 1
        start = dt.time(10 + number % 6, 0)
        round_ = services.save_event_part(
            Round(
                event=event,
                title_nl=f"Extra gesprekken, ronde {number}",
                title_en=f"Extra conversations, round {number}",
                description_nl="Extra ronde om het programma op 200 sessies te brengen.",
                description_en="An extra round that brings the programme to 200 sessions.",
                start=start,
                end=dt.time(start.hour, 45),
            ),
            event=event,
            by=None,
        )
        for order in range(min(24, SESSIONS - count)):
            project = projects[(number * 24 + order) % len(projects)]
            session = Session(
                round=round_,
                kind=SessionKind.LIVING_ROOM,
                title_nl=f"Huiskamergesprek: {project.name} ({number}.{order + 1})",
                title_en=f"Living-room conversation: {project.name} ({number}.{order + 1})",
                description_nl=f"In gesprek met bewoners van {project.name} ({project.place}).",
                description_en=f"Talk with residents of {project.name} ({project.place}).",
                room=rooms_of(number)[order],
                capacity=11,
                order=order,
            )
            services.save_event_part(
                session,
                event=event,
                by=None,
                save_related=lambda s=session, p=project: s.projects.set([p]),
            )
            count += 1
    call_command("collectstatic", interactive=False, verbosity=0)
    info = {
        "version": queries.public_event_version(event.slug),
        "uncached_ms": _uncached_ms(),
        "sessions": Session.objects.filter(round__event=event).count(),
        "database": f"postgresql {connection.pg_version // 10000}",
    }
    connection.close()
    return info


def _uncached_ms() -> dict[str, float]:
    """Return the median time in this process to render each page with the cache empty.

    What a page view would cost without the page cache, and what the first view of each
    page after a change costs in each gunicorn worker.
    """
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    times = {}
    for name, path in PAGES.items():
        client.get(path)  # load templates, translations and the static files' manifest
        samples = []
        for _ in range(5):
            cache.clear()
            sent = time.perf_counter()
            assert client.get(path).status_code == 200
            samples.append((time.perf_counter() - sent) * 1000)
        times[name] = sorted(samples)[len(samples) // 2]
    cache.clear()
    return times


# --- gunicorn ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:goedeburen.gunicorn_config",
                "goedeburen.wsgi",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not listen on port {port}:\n{log.read_text()}")


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _gunicorn_shape(master: int) -> dict:
    """Return what gunicorn runs: its worker class and how many workers it started."""
    from goedeburen import gunicorn_config

    return {"worker_class": gunicorn_config.worker_class, "workers": len(_children(master))}


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


# --- load ----------------------------------------------------------------------------------


class _Exchange:
    """One client's socket and the answer it is reading."""

    __slots__ = ("sock", "sent", "buffer", "length", "status", "closes")

    def __init__(self, sock: socket.socket, sent: float):
        self.sock, self.sent = sock, sent
        self.buffer = bytearray()
        self.length = self.status = None
        self.closes = False


def _load(port: int, path: str, *, clients: int, seconds: float) -> dict:
    """Run `clients` closed-loop clients for `seconds`; return latencies, sizes and errors.

    Each client sends its next request as soon as the previous answer is complete: on the
    same connection when the server keeps it alive, on a new one when it closes it (the
    time to connect is then part of the request's latency, as it is for a browser). One
    thread with non-blocking sockets and a selector: per request it costs a few system
    calls and no Python objects beyond a buffer, so that the load generator takes as little
    of the machine as it can (its share is measured and reported).
    """
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        # What the TLS-terminating proxy of a production set-up adds.
        "X-Forwarded-Proto: https\r\nUser-Agent: goedeburen-bench\r\n\r\n"
    ).encode()
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    sizes: set[int] = set()
    errors = 0
    end = time.perf_counter() + seconds

    def connect() -> None:
        sock = socket.socket()
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        exchange = _Exchange(sock, time.perf_counter())
        sock.connect_ex(("127.0.0.1", port))
        selector.register(sock, selectors.EVENT_WRITE, exchange)

    def stop(exchange: _Exchange) -> None:
        selector.unregister(exchange.sock)
        exchange.sock.close()

    for _ in range(clients):
        connect()
    while selector.get_map():
        for key, events in selector.select(timeout=5):
            exchange = key.data
            if events & selectors.EVENT_WRITE:
                exchange.sock.send(request)
                selector.modify(exchange.sock, selectors.EVENT_READ, exchange)
                continue
            chunk = exchange.sock.recv(1 << 18)
            if not chunk:  # closed before the answer was complete
                errors += 1
                stop(exchange)
                if time.perf_counter() < end:
                    connect()
                continue
            exchange.buffer += chunk
            if exchange.length is None:
                head_end = exchange.buffer.find(b"\r\n\r\n")
                if head_end < 0:
                    continue
                head = bytes(exchange.buffer[:head_end]).decode("latin-1").lower()
                exchange.status = int(head[9:12])
                length = head.partition("\r\ncontent-length:")[2].partition("\r\n")[0]
                if not length:
                    raise SystemExit(f"{path}: an answer without Content-Length:\n{head}")
                exchange.length = head_end + 4 + int(length)
                exchange.closes = "\r\nconnection: close" in head
            if len(exchange.buffer) < exchange.length:
                continue
            done = time.perf_counter()
            if done <= end:
                latencies.append(done - exchange.sent)
                sizes.add(exchange.length)
                errors += exchange.status != 200
            if done >= end:
                stop(exchange)
            elif exchange.closes:
                stop(exchange)
                connect()
            else:
                exchange.buffer.clear()
                exchange.length = None
                exchange.sent = done
                exchange.sock.send(request)
    selector.close()
    return {"latencies": latencies, "errors": errors, "sizes": sizes}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _machine_ticks() -> tuple[int, int]:
    """Return (busy, total) clock ticks of the whole machine since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _process_ticks(pid: int) -> int:
    """Return the user + system clock ticks a process has used, or 0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def _our_processes(gunicorn: int) -> dict[str, list[int]]:
    """Return the pids of gunicorn (master and workers) and of our database's backends."""
    backends = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if command.startswith("postgres: ") and f" {DATABASE} " in command:
                backends.append(int(entry.name))
    return {"gunicorn": [gunicorn, *_children(gunicorn)], "postgres": backends}


class _CpuSampler(threading.Thread):
    """Follow the CPU time of gunicorn and of our database's backends, once a second.

    Processes come and go during a run (a database connection is renewed after
    CONN_MAX_AGE), so each is read while it lives: its time before the first look is left
    out, a process that ends loses at most its last second.
    """

    def __init__(self, gunicorn: int):
        super().__init__(daemon=True)
        self.gunicorn = gunicorn
        self.first: dict[int, tuple[str, int]] = {}
        self.last: dict[int, int] = {}
        self.stopping = threading.Event()
        self.own_cpu = 0.0
        self._look(new_from_zero=False)

    def _look(self, *, new_from_zero: bool) -> None:
        for kind, pids in _our_processes(self.gunicorn).items():
            for pid in pids:
                ticks = _process_ticks(pid)
                # A process first seen after the start began within the window.
                self.first.setdefault(pid, (kind, 0 if new_from_zero else ticks))
                self.last[pid] = ticks

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            self._look(new_from_zero=True)
        self._look(new_from_zero=True)
        usage = resource.getrusage(resource.RUSAGE_THREAD)
        self.own_cpu = usage.ru_utime + usage.ru_stime

    def ticks(self) -> dict[str, int]:
        self.stopping.set()
        self.join()
        totals = {"gunicorn": 0, "postgres": 0}
        for pid, (kind, first) in self.first.items():
            totals[kind] += max(0, self.last[pid] - first)
        return totals


def _measure(
    port: int, path: str, *, gunicorn: int, clients: int, warm_up: float, seconds: float
) -> dict:
    """Load one page; return throughput, latencies and where the machine's CPU went."""
    # Warm-up first, outside the window: every worker renders and caches its page once.
    _load(port, path, clients=clients, seconds=warm_up)
    sampler = _CpuSampler(gunicorn)
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    busy_before, total_before = _machine_ticks()
    sampler.start()
    result = _load(port, path, clients=clients, seconds=seconds)
    processes = sampler.ticks()
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    busy_after, total_after = _machine_ticks()
    hz = os.sysconf("SC_CLK_TCK")
    capacity = (total_after - total_before) / hz  # CPU seconds all cores had in the window
    # The load generator: this process, less the sampler thread.
    own_cpu = (own_after.ru_utime - own_before.ru_utime) + (
        own_after.ru_stime - own_before.ru_stime
    )
    client_cpu = own_cpu - sampler.own_cpu
    shares = {kind: ticks / hz / capacity for kind, ticks in processes.items()}
    shares["client"] = client_cpu / capacity
    shares["busy"] = (busy_after - busy_before) / hz / capacity
    # Whatever else ran meanwhile (other programs on the machine, the kernel's own work).
    shares["other"] = max(0.0, shares["busy"] - sum(shares[k] for k in (*processes, "client")))
    latencies = result["latencies"]
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p95_ms": _percentile(latencies, 0.95) * 1000,
        "requests": len(latencies),
        "errors": result["errors"],
        "bytes": max(result["sizes"]),
        "cpu": shares,
        "client_cpu_us_per_request": client_cpu / max(1, len(latencies)) * 1e6,
    }


def _check_pages(port: int) -> dict:
    """Fetch each page once: it must be a 200 with the whole programme in it."""
    found = {}
    for name, path in PAGES.items():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}:\n{body[:2000].decode()}")
        found[name] = body
    return {"sessions_shown": found["programme"].count(b'class="session-list__item"')}


# --- Lighthouse ----------------------------------------------------------------------------


def _lighthouse_ready() -> None:
    """Stop early, before the set-up, when Lighthouse cannot run; install it when missing."""
    if not Path(CHROMIUM).exists():
        raise SystemExit(
            f"Lighthouse needs Debian's Chromium at {CHROMIUM} (apt-get install chromium), "
            "or run with --no-lighthouse"
        )
    modules = LIGHTHOUSE / "node_modules"
    if not modules.exists() or (LIGHTHOUSE / "package-lock.json").stat().st_mtime > (
        modules.stat().st_mtime
    ):
        subprocess.run(
            ["npm", "ci", "--prefix", str(LIGHTHOUSE), "--no-audit", "--no-fund", "--silent"],
            env=_node_env(),
            check=True,
        )


def _node_env() -> dict[str, str]:
    # Nothing may fetch a browser of its own: Lighthouse drives Debian's Chromium.
    return {
        **os.environ,
        "CHROME_PATH": CHROMIUM,
        "PUPPETEER_SKIP_DOWNLOAD": "1",
        "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD": "1",
    }


def _lighthouse(port: int, *, runs: int) -> dict[str, dict]:
    """Return per page the median over `runs` Lighthouse runs of each of its figures."""
    urls = [f"http://127.0.0.1:{port}{path}" for path in LIGHTHOUSE_PAGES.values()]
    done = subprocess.run(
        ["node", str(LIGHTHOUSE / "run.mjs"), *urls * runs],
        env=_node_env(),
        capture_output=True,
        text=True,
        timeout=120 * len(urls) * runs,
    )
    if done.returncode:
        raise SystemExit(f"Lighthouse failed:\n{done.stderr[-3000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    pages = {}
    for name, url in zip(LIGHTHOUSE_PAGES, urls, strict=True):
        reports = [report for report in found if report["url"] == url]
        pages[name] = {
            key: sorted(report[key] for report in reports)[len(reports) // 2]
            for key in reports[0]
            if key != "url"
        }
    return pages


def _lighthouse_figures(pages: dict[str, dict]) -> dict[str, float]:
    figures = {}
    for name, page in pages.items():
        figures[f"{name}_lighthouse_perf"] = page["performance"]
        figures[f"{name}_lcp_s"] = round(page["lcp_ms"] / 1000, 2)
        figures[f"{name}_fcp_s"] = round(page["fcp_ms"] / 1000, 2)
        figures[f"{name}_css_kb_gz"] = round(page["css_transfer_bytes"] / 1024, 1)
        figures[f"{name}_css_kb_raw"] = round(page["css_resource_bytes"] / 1024, 1)
        figures[f"{name}_stylesheets"] = page["stylesheets"]
        figures[f"{name}_render_blocking_ms"] = round(page["render_blocking_ms"])
    figures["lighthouse_perf_min"] = min(page["performance"] for page in pages.values())
    figures["lcp_max_s"] = max(figures[f"{name}_lcp_s"] for name in pages)
    figures["css_kb_gz"] = max(figures[f"{name}_css_kb_gz"] for name in pages)
    return figures


def _baseline_lighthouse(env: dict[str, str], var_dir: Path, ref: str, *, runs: int) -> dict:
    """Serve the code of commit `ref` from a second gunicorn on the same database; run
    Lighthouse on it; stop it. Its own static files; the same uploaded files."""
    sys.path.insert(0, str(ROOT / "bench"))
    from _common import checkout, commit_of

    ref = commit_of(ref)
    folder = checkout(ref)
    process = None
    try:
        base_env = {
            **env,
            "PYTHONPATH": str(folder / "src"),
            "GOEDEBUREN_VAR_DIR": str(var_dir / "baseline"),
        }
        subprocess.run(
            [sys.executable, "-m", "goedeburen", "collectstatic", "--noinput", "--verbosity", "0"],
            env=base_env,
            cwd=folder,
            check=True,
        )
        port = _free_port()
        process = _start_gunicorn(base_env, port, var_dir / "gunicorn-baseline.log")
        return {"ref": ref, "pages": _lighthouse(port, runs=runs)}
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


# --- report --------------------------------------------------------------------------------


def _met(value: float, target: float, op: str) -> bool:
    return {">=": value >= target, "<=": value <= target, "<": value < target}[op]


def _table(figures: dict, goals: dict, baseline: dict) -> str:
    rows = [("figure", "value", "goal", "ratio", "baseline", "ratio")]
    for name, value in figures.items():
        goal = goals.get(name)
        before = baseline.get(name)
        rows.append(
            (
                name,
                f"{value:g}",
                f"{goal['op']} {goal['target']:g} ({'met' if goal['met'] else 'MISSED'})"
                if goal
                else "",
                f"{value / goal['target']:.2f}" if goal and goal["target"] else "",
                f"{before:g}" if isinstance(before, int | float) else "",
                f"{value / before:.2f}" if isinstance(before, int | float) and before else "",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a run of under a minute")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--redis", action="store_true", help="serve with REDIS_URL set")
    parser.add_argument("--no-lighthouse", action="store_true", help="leave Lighthouse out")
    parser.add_argument(
        "--no-baseline", action="store_true", help=f"no Lighthouse of commit {BASELINE}"
    )
    args = parser.parse_args()
    warm_up, seconds = (2.0, 8.0) if args.quick else (5.0, 60.0)
    # Lighthouse's score moves by a few points from run to run: the median of three.
    lighthouse_runs = 1 if args.quick else 3
    if not args.no_lighthouse:
        _lighthouse_ready()

    var_dir = Path(tempfile.mkdtemp(prefix="gb-bench-pages-"))
    env = _environment(var_dir)
    # Only gunicorn gets REDIS_URL: the set-up must not push its calendar tasks onto a queue
    # that other workers on this Redis may be reading.
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    serve_env = {**env, "REDIS_URL": redis_url} if args.redis else env
    gunicorn = info = None
    lighthouse = before = None
    started = time.monotonic()
    try:
        _admin_sql(
            f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}"
        )
        print(f"setting up {DATABASE}: migrate, demo, {SESSIONS} sessions, collectstatic …")
        info = _set_up(env)
        port = _free_port()
        gunicorn = _start_gunicorn(serve_env, port, var_dir / "gunicorn.log")
        shown = _check_pages(port)["sessions_shown"]
        if shown != SESSIONS:
            raise SystemExit(f"the programme shows {shown} sessions, not {SESSIONS}")
        shape = _gunicorn_shape(gunicorn.pid)
        print(
            f"gunicorn: {shape['workers']} {shape['worker_class']} workers; {args.clients} "
            f"clients, {seconds:g} s per page after {warm_up:g} s warm-up"
        )
        runs = {}
        for name, path in PAGES.items():
            runs[name] = _measure(
                port,
                path,
                gunicorn=gunicorn.pid,
                clients=args.clients,
                warm_up=warm_up,
                seconds=seconds,
            )
            if runs[name]["errors"]:
                raise SystemExit(f"{path}: {runs[name]['errors']} answers were not 200")
        if not args.no_lighthouse:
            print(f"Lighthouse (mobile), {lighthouse_runs} run(s) per page …", flush=True)
            lighthouse = _lighthouse(port, runs=lighthouse_runs)
            _stop(gunicorn)
            if not args.no_baseline:
                print(f"Lighthouse of commit {BASELINE} on the same data …", flush=True)
                before = _baseline_lighthouse(env, var_dir, BASELINE, runs=lighthouse_runs)
    finally:
        _stop(gunicorn)
        if args.redis and info:
            _forget_cached_pages(redis_url, info["version"])
        _admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        shutil.rmtree(var_dir, ignore_errors=True)

    figures = {}
    for name, run in runs.items():
        figures[f"{name}_rps"] = round(run["rps"], 1)
        figures[f"{name}_p50_ms"] = round(run["p50_ms"], 1)
        figures[f"{name}_p95_ms"] = round(run["p95_ms"], 1)
    for name, run in runs.items():
        figures[f"{name}_uncached_ms"] = round(info["uncached_ms"][name], 1)
        figures[f"{name}_kb"] = round(run["bytes"] / 1024, 1)
        for part, share in run["cpu"].items():
            figures[f"{name}_cpu_{part}"] = round(share, 3)
        figures[f"{name}_client_cpu_us_per_request"] = round(run["client_cpu_us_per_request"])
    figures["programme_sessions"] = info["sessions"]
    all_goals = dict(GOALS)
    if lighthouse:
        figures.update(_lighthouse_figures(lighthouse))
        all_goals.update(LIGHTHOUSE_GOALS)
    goals = {
        name: {"target": target, "op": op, "met": _met(figures[name], target, op)}
        for name, (target, op) in all_goals.items()
    }
    baseline = {}
    if RESULTS.exists():
        baseline = json.loads(RESULTS.read_text()).get("figures", {})
    # Lighthouse's figures beside those of the baseline commit from this same run.
    same_run = {}
    if before:
        same_run = {"ref": before["ref"], "figures": _lighthouse_figures(before["pages"])}
        baseline.update(same_run["figures"])
    result = {
        "benchmark": "pages",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "database": info["database"],
            "cache": "redis" if args.redis else "locmem (per process)",
            "gunicorn": shape,
            "clients": args.clients,
            "seconds_per_page": seconds,
        },
        "quick": args.quick,
        "figures": figures,
        "goals": goals,
    }
    if lighthouse:
        result["machine"]["lighthouse"] = {
            "preset": "mobile (simulated slow 4G, 4x CPU slowdown)",
            "runs_per_page": lighthouse_runs,
            "benchmark_index": min(page["benchmark_index"] for page in lighthouse.values()),
            "pages": LIGHTHOUSE_PAGES,
        }
    if same_run:
        result["baseline"] = same_run
    print()
    print(_table(figures, goals, baseline))
    busy_elsewhere = max(run["cpu"]["other"] for run in runs.values())
    if busy_elsewhere > 0.1:
        print(
            f"\nOther work took up to {busy_elsewhere:.0%} of the machine during the run: "
            "these figures are lower than a quiet machine gives."
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    if same_run:
        print(f"\nbaseline of the Lighthouse figures: commit {same_run['ref']}, in this run")
    print(
        f"\nbaseline: {RESULTS.relative_to(ROOT)} before this run; wrote it anew "
        f"({time.monotonic() - started:.0f} s)"
    )
    return 0 if all(goal["met"] for goal in goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
