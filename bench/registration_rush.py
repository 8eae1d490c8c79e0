"""Registration rush: browsers race for one quota through HTTP, as the hall fills up.

Sets up a fresh PostgreSQL database with the Goede buren demo (registration open) and
serves it with gunicorn as production does (DEBUG off, sync workers as
`goedeburen.gunicorn_config` has them, cores + 1). Then, for each level of seats already
sold (0, 10,000 and 29,950: registrations written in the database, one attendee each), the
shared quota ("Zaal") is sized to hold SEATS more, and CLIENTS threads each repeat what a
browser does until ATTEMPTS are made: GET the form (CSRF cookie and one-time form token),
POST it with one €125 attendee, billing details and payment by bank transfer, and load the
confirmation page with the cookie the POST set. A few more attempts than seats are made, so
each race ends sold out. Before the races the cached home page is loaded by the same clients
for a while: its requests per second are the baseline.

Figures: per level `per_min_at_<sold>_sold` (registrations made / wall time of the race);
`registrations_per_min` the lowest of them; `p50_ms`, `p95_ms` of GET + POST (the highest
level's), `done_p95_ms` of the confirmation page; `full_hall_ratio` (29,950 sold ÷ 0 sold);
`cached_page_rps`; `registration_page_ratio` (time of one registration ÷ one cached page);
`oversold` (records beyond the quota, must be 0) and `lost` (a confirmation page shown with
no registration behind it, must be 0); the CPU each registration cost gunicorn, PostgreSQL
and this load generator, and the machine's load average, since the machine may be shared.

Run: .venv/bin/python bench/registration_rush.py [--quick] [--port 8180] [--workers N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from _common import App, Goal, database_url, percentile, report

SLUG = "goede-buren"
HOME_PATH = f"/en/{SLUG}/"
FORM_PATH = f"/en/{SLUG}/register/"
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TICKET = re.compile(r'name="attendee-0-ticket_type" value="(\d+)"')  # the first: €125
COOKIE = re.compile(r"(?:^|, )([\w-]+)=([^;]*)")  # name=value of each Set-Cookie
SOLD = (0, 10_000, 29_950)

SIZES = {
    # quick: under a minute; full: long enough to hold a steady rate at each level.
    True: {"seats": 300, "extra": 30, "clients": 16, "home_s": 3},
    False: {"seats": 2000, "extra": 100, "clients": 24, "home_s": 10},
}

FILL = """
from django.db import connection
from goedeburen.registration.models import Attendee, Quota, Registration, TicketType
from goedeburen.registration.queries import counted_seats

sold = {sold}
ticket = TicketType.objects.get(event__slug="{slug}", price=125)
quota = Quota.objects.get(event__slug="{slug}")


def insert(template, numbered, source, source_params):
    columns, values, params = [], [], []
    for f in template._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.column in numbered:
            values.append(numbered[f.column])
        else:
            values.append("%s")
            params.append(f.get_db_prep_save(f.pre_save(template, True), connection))
    table = template._meta.db_table
    sql = f"INSERT INTO {{table}} ({{', '.join(columns)}}) SELECT {{', '.join(values)}} {{source}}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *source_params])


if sold:
    registration = Registration(
        event=ticket.event, code="X", booker_name="Vol", email="vol@example.org",
        status="confirmed", language="nl", manage_token_hash="x",
    )
    insert(
        registration,
        {{"code": "'F' || lpad(n::text, 7, '0')",
         "manage_token_hash": "md5('m' || n::text) || md5('n' || n::text)"}},
        "FROM generate_series(1, %s) AS n",
        [sold],
    )
    attendee = Attendee(
        ticket_type=ticket, given_name="Vol", role="other", price=ticket.price,
        vat_rate=ticket.vat_rate, ticket_secret="x",
    )
    insert(
        attendee,
        {{"registration_id": "r.id",
         "ticket_secret": "md5('t' || r.code) || md5('s' || r.code)"}},
        "FROM registration_registration r WHERE r.code LIKE 'F0%%'",
        [],
    )
taken = counted_seats([quota.pk])[quota.pk]
Quota.objects.filter(pk=quota.pk).update(size=taken + {seats}, taken=taken)
print(taken)
"""

COUNT_IN_DATABASE = """
import json
from goedeburen.registration import queries
from goedeburen.registration.models import Quota, Registration
quota = Quota.objects.get(event__slug="goede-buren")
records = queries.counted_seats([quota.pk])[quota.pk]
codes = list(Registration.objects.exclude(code__startswith="F0").values_list("code", flat=True))
print(json.dumps({"size": quota.size, "taken": quota.taken, "records": records, "codes": codes}))
"""

RESET = """
TRUNCATE registration_answer_options, registration_answer, registration_attendee,
    registration_registration, registration_formtoken, mail_mailattachment, mail_outgoingmail,
    common_logentry, django_tasks_database_dbtaskresult CASCADE;
UPDATE registration_quota SET taken = 0;
"""


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_attempt: int = 0
    outcomes: Counter = field(default_factory=Counter)
    register_ms: list[float] = field(default_factory=list)
    done_ms: list[float] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Browser:
    """One visitor after another on one client thread; a new connection when the server
    closes it (sync workers close every connection, as behind a proxy)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, **kwargs):
        try:
            self.conn.request(method, path, **kwargs)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, **kwargs)
            response = self.conn.getresponse()
        return response, response.read().decode()

    def close(self) -> None:
        self.conn.close()


def _cookies(response) -> dict[str, str]:
    return dict(COOKIE.findall(", ".join(response.headers.get_all("Set-Cookie") or [])))


def _register(browser: Browser, n: int, tally: Tally) -> None:
    started = time.perf_counter()
    response, html = browser.request("GET", FORM_PATH)
    cookies = _cookies(response)
    ticket = TICKET.search(html).group(1)
    body = urlencode(
        {
            "csrfmiddlewaretoken": CSRF_FIELD.search(html).group(1),
            "form_token": TOKEN.search(html).group(1),
            "attendee_count": "1",
            "action": "register",
            "booker-name": f"Booker {n}",
            "booker-email": f"booker{n}@example.org",
            "attendee-0-ticket_type": ticket,
            "attendee-0-given_name": f"Ada {n}",
            "attendee-0-family_name": "de Vries",
            "attendee-0-role": "housing_corporation",
            "attendee-0-badge_name": "full",
            "billing-organisation": "Woonstichting De Linde",
            "billing-address": "Lindelaan 1\n3500 AA Utrecht",
            # The way to pay is chosen in the form since the review came: by transfer, the
            # first the demo offers (seats held for the payment term, the invoice issued).
            "payment-provider": "bank_transfer",
        }
    )
    response, text = browser.request(
        "POST",
        FORM_PATH,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    registered_ms = (time.perf_counter() - started) * 1000
    location = response.headers.get("Location") or ""
    if response.status == 302 and "/register/done/" in location:
        code = location.rstrip("/").rsplit("/", 1)[-1]
        cookies.update(_cookies(response))
        sent = time.perf_counter()
        done, page = browser.request(
            "GET",
            location,
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
        )
        done_ms = (time.perf_counter() - sent) * 1000
        outcome = "registered" if done.status == 200 and code in page else f"done_{done.status}"
    elif response.status == 200 and "is sold out." in text:
        outcome, code, done_ms = "sold_out", None, None
    else:
        outcome, code, done_ms = f"http_{response.status}", None, None
    with tally.lock:
        tally.outcomes[outcome] += 1
        tally.register_ms.append(registered_ms)
        if done_ms is not None:
            tally.done_ms.append(done_ms)
        if outcome == "registered":
            tally.codes.append(code)


def _client(port: int, attempts: int, tally: Tally) -> None:
    browser = Browser(port)
    while True:
        with tally.lock:
            n = tally.next_attempt
            if n >= attempts:
                break
            tally.next_attempt += 1
        try:
            _register(browser, n, tally)
        except Exception as failed:  # counted, and the connection started afresh
            with tally.lock:
                tally.outcomes["error"] += 1
                tally.problems.append(repr(failed))
            browser.close()
            browser = Browser(port)
    browser.close()


def _home(port: int, clients: int, seconds: float) -> tuple[float, float]:
    """Load the cached home page from `clients` threads; return requests/s and p95 ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def load():
        browser = Browser(port)
        mine = []
        while time.perf_counter() < stop_at:
            sent = time.perf_counter()
            response, _ = browser.request("GET", HOME_PATH)
            assert response.status == 200, response.status
            mine.append((time.perf_counter() - sent) * 1000)
        browser.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    _in_threads(clients, load)
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, percentile(latencies, 0.95)


def _in_threads(count: int, target, *args) -> None:
    pool = [threading.Thread(target=target, args=args) for _ in range(count)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


# --- where the CPU went ---------------------------------------------------------------------

HZ = os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _backends(app: App) -> list[int]:
    import psycopg

    with psycopg.connect(database_url(app.name), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return [row[0] for row in rows]


class CpuMeter:
    """CPU seconds of gunicorn (master and workers), of the database's backends and of this
    process, between `start` and `stop`.

    The backends are looked at twice a second: a connection that ends meanwhile
    (`CONN_MAX_AGE`) takes its CPU time with it, so the last figure seen of each counts.
    """

    def __init__(self, app: App):
        self.app = app

    def _gunicorn(self) -> float:
        master = self.app.process.pid
        return sum(_ticks(pid) for pid in [master, *_children(master)]) / HZ

    def _look(self) -> None:
        for pid in _backends(self.app):
            ticks = _ticks(pid)
            if ticks:
                self.first.setdefault(pid, ticks if not self.looking else 0)
                self.last[pid] = max(self.last.get(pid, 0), ticks)

    def _watch(self) -> None:
        while not self.done.wait(0.5):
            self._look()

    def start(self) -> None:
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.looking = False
        self._look()
        self.looking = True
        self.done = threading.Event()
        self.watcher = threading.Thread(target=self._watch, daemon=True)
        self.before = {"gunicorn": self._gunicorn(), "client": sum(os.times()[:2])}
        self.watcher.start()

    def stop(self) -> dict[str, float]:
        after = {"gunicorn": self._gunicorn(), "client": sum(os.times()[:2])}
        self.done.set()
        self.watcher.join()
        self._look()
        database = sum(self.last[pid] - self.first[pid] for pid in self.last)
        return {
            "gunicorn": after["gunicorn"] - self.before["gunicorn"],
            "database": database / HZ,
            "client": after["client"] - self.before["client"],
        }


# --- the run --------------------------------------------------------------------------------


def _race(app: App, *, sold: int, seats: int, attempts: int, clients: int) -> dict:
    import psycopg

    with psycopg.connect(database_url(app.name), autocommit=True) as conn:
        conn.execute(RESET)
    taken = int(app.shell(FILL.format(sold=sold, seats=seats, slug=SLUG)).strip())
    with psycopg.connect(database_url(app.name), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE registration_registration, registration_attendee")
    assert taken == sold, (taken, sold)

    print(f"racing at {sold:,} sold: {clients} clients, {attempts} attempts …", flush=True)
    tally = Tally()
    meter = CpuMeter(app)
    load_before = os.getloadavg()[0]
    meter.start()
    started = time.perf_counter()
    _in_threads(clients, _client, app.port, attempts, tally)
    elapsed = time.perf_counter() - started
    cpu = meter.stop()
    load_after = os.getloadavg()[0]
    counted = json.loads(app.shell(COUNT_IN_DATABASE))

    registered = tally.outcomes["registered"]
    per_registration = max(registered, 1)
    return {
        "per_min": round(registered / elapsed * 60),
        "p50_ms": round(percentile(tally.register_ms, 0.50), 1),
        "p95_ms": round(percentile(tally.register_ms, 0.95), 1),
        "done_p95_ms": round(percentile(tally.done_ms, 0.95), 1),
        "registered": registered,
        "sold_out": tally.outcomes["sold_out"],
        "other": sum(v for k, v in tally.outcomes.items() if k not in ("registered", "sold_out")),
        "oversold": max(
            0, counted["records"] - counted["size"], counted["taken"] - counted["size"]
        ),
        "counter_off": abs(counted["records"] - counted["taken"]),
        "lost": len(set(tally.codes) - set(counted["codes"])),
        "elapsed_s": round(elapsed, 1),
        "cpu_ms_gunicorn": round(cpu["gunicorn"] / per_registration * 1000, 1),
        "cpu_ms_database": round(cpu["database"] / per_registration * 1000, 1),
        "cpu_ms_client": round(cpu["client"] / per_registration * 1000, 1),
        "load": round((load_before + load_after) / 2, 1),
        "problems": tally.problems[:3],
        "outcomes": dict(tally.outcomes),
    }


def run(*, quick: bool, workers: int, port: int) -> dict:
    size = SIZES[quick]
    seats, clients = size["seats"], size["clients"]
    attempts = seats + size["extra"]
    app = App(name="gb_bench_rush")
    races = {}
    try:
        print(f"setting up: database {app.name}, demo event …", flush=True)
        app.create()
        app.command("demo", "--upcoming")
        app.serve(workers=workers, worker_class="sync", port=port)
        warm = Browser(app.port)
        for _ in range(workers * 4):  # every worker imports and loads its templates
            warm.request("GET", FORM_PATH)
            warm.request("GET", HOME_PATH)
        warm.close()

        print(f"baseline: the cached home page, {clients} clients …", flush=True)
        meter = CpuMeter(app)
        meter.start()
        home_load = os.getloadavg()[0]
        home_rps, home_p95 = _home(app.port, clients, size["home_s"])
        home_cpu = meter.stop()
        home_requests = home_rps * size["home_s"]
        for sold in SOLD:
            races[sold] = _race(app, sold=sold, seats=seats, attempts=attempts, clients=clients)
        server_errors = app.server_log().count("Traceback")
    finally:
        app.clean_up()

    slowest = min(races.values(), key=lambda r: r["per_min"])
    rate = slowest["per_min"] / 60
    figures = {
        "registrations_per_min": slowest["per_min"],
        "p50_ms": max(r["p50_ms"] for r in races.values()),
        "p95_ms": max(r["p95_ms"] for r in races.values()),
        "oversold": sum(r["oversold"] for r in races.values()),
        "lost": sum(r["lost"] for r in races.values()),
        **{f"per_min_at_{sold}_sold": races[sold]["per_min"] for sold in SOLD},
        "full_hall_ratio": round(races[SOLD[-1]]["per_min"] / max(races[0]["per_min"], 1), 2),
        "cached_page_rps": round(home_rps),
        "registration_page_ratio": round(home_rps / rate, 1) if rate else float("inf"),
        "done_p95_ms": max(r["done_p95_ms"] for r in races.values()),
        "cached_page_p95_ms": round(home_p95, 1),
        "counter_off": sum(r["counter_off"] for r in races.values()),
        "other_responses": sum(r["other"] for r in races.values()),
        "server_errors": server_errors,
    }
    for sold in SOLD:
        race = races[sold]
        for key in ("p95_ms", "cpu_ms_gunicorn", "cpu_ms_database", "cpu_ms_client", "load"):
            figures[f"{key}_at_{sold}_sold"] = race[key]
    figures.update(
        {
            "cached_page_cpu_ms": round(
                (home_cpu["gunicorn"] + home_cpu["database"]) / max(home_requests, 1) * 1000, 2
            ),
            "load_average_baseline": round(home_load, 1),
            "seats_per_race": seats,
            "attempts_per_race": attempts,
            "clients": clients,
            "gunicorn_workers": workers,
            "gunicorn_worker_class": "sync",
        }
    )
    registration_cpu = (
        races[0]["cpu_ms_gunicorn"] + races[0]["cpu_ms_database"]
    )  # server CPU of one registration (three requests) at 0 sold
    if figures["cached_page_cpu_ms"]:
        figures["registration_page_cpu_ratio"] = round(
            registration_cpu / figures["cached_page_cpu_ms"], 1
        )
    goals = {
        "registrations_per_min": Goal(10_000, ">="),
        "p95_ms": Goal(250, "<"),
        "oversold": Goal(0, "=="),
        "lost": Goal(0, "=="),
        "full_hall_ratio": Goal(0.9, ">="),
        "registration_page_ratio": Goal(6, "<="),
    }
    notes = [
        f"load average (1 min) during the races: "
        f"{', '.join(str(races[s]['load']) for s in SOLD)} on {os.cpu_count()} CPUs"
    ]
    notes += [f"problems at {s}: {races[s]['problems']}" for s in SOLD if races[s]["problems"]]
    notes += [f"outcomes at {s}: {races[s]['outcomes']}" for s in SOLD]
    return report("registration_rush", quick=quick, figures=figures, goals=goals, notes=notes)


def production_workers() -> int:
    from goedeburen import gunicorn_config

    return gunicorn_config.workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, under a minute")
    parser.add_argument(
        "--workers",
        type=int,
        default=production_workers(),
        help="gunicorn sync workers (default: production's, cores + 1)",
    )
    parser.add_argument("--port", type=int, default=0, help="port for gunicorn (0: any free)")
    args = parser.parse_args()
    run(quick=args.quick, workers=max(2, args.workers), port=args.port)


if __name__ == "__main__":
    main()
