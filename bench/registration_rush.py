"""Registration rush: many browsers race for one quota through HTTP.

Sets up a fresh PostgreSQL database with the Goede buren demo (registration open), sizes
its shared quota ("Zaal") to SEATS, and serves the app with gunicorn as production does
(DEBUG off, gthread workers). CLIENTS threads then each repeat, until ATTEMPTS are made:
GET the form (CSRF cookie and one-time form token), POST it with one €125 attendee and
billing details. A few more attempts than seats are made, so the race ends sold out.

Figures: registrations_per_min (registrations made / wall time of the whole race),
p50_ms and p95_ms (of the POST that registers or is told "sold out"), oversold (seats held
beyond the quota, must be 0) and lost (a confirmation shown with no registration behind
it, must be 0).

Run: .venv/bin/python bench/registration_rush.py [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from _common import App, Goal, percentile, report

SLUG = "goede-buren"
FORM_PATH = f"/en/{SLUG}/register/"
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")
TICKET = re.compile(r'name="attendee-0-ticket_type" value="(\d+)"')

SIZES = {
    # quick: under a minute; full: long enough for the count under the lock to grow.
    True: {"seats": 300, "extra": 60, "clients": 24},
    False: {"seats": 3000, "extra": 300, "clients": 32},
}


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_attempt: int = 0
    outcomes: Counter = field(default_factory=Counter)
    post_ms: list[float] = field(default_factory=list)
    get_ms: list[float] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _request(conn: http.client.HTTPConnection, method: str, path: str, **kwargs):
    started = time.perf_counter()
    conn.request(method, path, **kwargs)
    response = conn.getresponse()
    body = response.read().decode()
    return response, body, (time.perf_counter() - started) * 1000


def _client(port: int, attempts: int, tally: Tally) -> None:
    """Register again and again, as one browser after another on one connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while True:
        with tally.lock:
            n = tally.next_attempt
            if n >= attempts:
                break
            tally.next_attempt += 1
        try:
            response, html, get_ms = _request(conn, "GET", FORM_PATH)
            csrf = CSRF_COOKIE.search(response.headers.get("Set-Cookie", "")).group(1)
            body = urlencode(
                {
                    "csrfmiddlewaretoken": CSRF_FIELD.search(html).group(1),
                    "form_token": TOKEN.search(html).group(1),
                    "attendee_count": "1",
                    "action": "register",
                    "booker-name": f"Booker {n}",
                    "booker-email": f"booker{n}@example.org",
                    "attendee-0-ticket_type": TICKET.search(html).group(1),
                    "attendee-0-given_name": f"Ada {n}",
                    "attendee-0-family_name": "de Vries",
                    "attendee-0-role": "housing_corporation",
                    "attendee-0-badge_name": "full",
                    "billing-organisation": "Woonstichting De Linde",
                    "billing-address": "Lindelaan 1\n3500 AA Utrecht",
                }
            )
            response, text, post_ms = _request(
                conn,
                "POST",
                FORM_PATH,
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={csrf}",
                },
            )
        except Exception as failed:  # counted, and the connection started afresh
            with tally.lock:
                tally.outcomes["error"] += 1
                tally.problems.append(repr(failed))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        location = response.headers.get("Location") or ""
        if response.status == 302 and "/register/done/" in location:
            outcome = "registered"
        elif response.status == 200 and "is sold out." in text:
            outcome = "sold_out"
        else:
            outcome = f"http_{response.status}"
        with tally.lock:
            tally.outcomes[outcome] += 1
            tally.get_ms.append(get_ms)
            tally.post_ms.append(post_ms)
            if outcome == "registered":
                tally.codes.append(location.rstrip("/").rsplit("/", 1)[-1])
    conn.close()


COUNT_IN_DATABASE = """
import json
from django.utils import timezone
from goedeburen.registration import queries
from goedeburen.registration.models import Quota, Registration
quota = Quota.objects.get(event__slug="goede-buren")
taken = queries.seats_taken([quota.pk], now=timezone.now())[quota.pk]
codes = list(Registration.objects.values_list("code", flat=True))
print(json.dumps({"size": quota.size, "taken": taken, "codes": codes}))
"""


def run(*, quick: bool, workers: int, threads: int) -> dict:
    size = SIZES[quick]
    seats, clients = size["seats"], size["clients"]
    attempts = seats + size["extra"]
    app = App(name="gb_bench_rush")
    try:
        print(f"setting up: database {app.name}, demo event, quota of {seats} …", flush=True)
        app.create()
        app.command("demo", "--upcoming")
        app.shell(
            "from goedeburen.registration.models import Quota; "
            f"Quota.objects.filter(event__slug='{SLUG}').update(size={seats})"
        )
        app.serve(workers=workers, threads=threads)
        warm = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
        for _ in range(workers * threads * 2):  # every worker imports and loads its templates
            _request(warm, "GET", FORM_PATH)
        warm.close()

        print(f"racing: {clients} clients, {attempts} attempts …", flush=True)
        tally = Tally()
        pool = [
            threading.Thread(target=_client, args=(app.port, attempts, tally))
            for _ in range(clients)
        ]
        started = time.perf_counter()
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        elapsed = time.perf_counter() - started

        counted = json.loads(app.shell(COUNT_IN_DATABASE))
        server_errors = app.server_log().count("Traceback")
    finally:
        app.clean_up()

    registered = tally.outcomes["registered"]
    figures = {
        "registrations_per_min": round(registered / elapsed * 60),
        "p50_ms": round(percentile(tally.post_ms, 0.50), 1),
        "p95_ms": round(percentile(tally.post_ms, 0.95), 1),
        "oversold": max(0, counted["taken"] - counted["size"]),
        "lost": len(set(tally.codes) - set(counted["codes"])),
        "attempts_per_min": round(sum(tally.outcomes.values()) / elapsed * 60),
        "registered": registered,
        "sold_out": tally.outcomes["sold_out"],
        "other_responses": sum(
            v for k, v in tally.outcomes.items() if k not in ("registered", "sold_out")
        ),
        "server_errors": server_errors,
        "seats": seats,
        "seats_taken": counted["taken"],
        "form_p95_ms": round(percentile(tally.get_ms, 0.95), 1),
        "clients": clients,
        "gunicorn_workers": workers,
        "gunicorn_threads": threads,
        "elapsed_s": round(elapsed, 1),
    }
    goals = {
        "registrations_per_min": Goal(10_000, ">="),
        "p95_ms": Goal(250, "<"),
        "oversold": Goal(0, "=="),
        "lost": Goal(0, "=="),
    }
    notes = [f"problems: {tally.problems[:3]}"] if tally.problems else []
    return report("registration_rush", quick=quick, figures=figures, goals=goals, notes=notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, under a minute")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (≥ 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    args = parser.parse_args()
    run(quick=args.quick, workers=max(2, args.workers), threads=args.threads)


if __name__ == "__main__":
    main()
