"""API: page through 10,000 registrations, and deliver 5,000 webhooks to a local receiver.

Sets up a fresh PostgreSQL database with the Goede buren demo, adds REGISTRATIONS confirmed
registrations (one attendee each, written in bulk) and an API token of the demo organiser's
owner. gunicorn (2 workers × 4 threads) serves the API as production does. One client
reads every page of `/registrations/?page_size=100&expand=attendees` one after the other,
following `next`; the baseline in the same run is the event's own detail (one small row).
Then WEBHOOKS deliveries are queued to an endpoint on a local HTTP receiver in this process
(which checks every signature with the `standardwebhooks` library) and WORKERS `goedeburen
worker` processes send them.

Figures: api_page_p95_ms (p95 of one page of 100), baseline_p95_ms (the event detail),
webhooks_per_min (deliveries received / wall time from starting the workers to the last),
webhooks_lost (queued but never received), webhooks_duplicates (a webhook-id received twice),
bad_signatures.

Run: .venv/bin/python bench/api.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import psycopg
from _common import PYTHON, REPO, App, Goal, database_url, percentile, report, timed_get
from standardwebhooks.webhooks import Webhook

SLUG = "goede-buren"
SIZES = {
    True: {"registrations": 1000, "webhooks": 500},
    False: {"registrations": 10000, "webhooks": 5000},
}

SET_UP = """
import datetime as dt
from django.utils import timezone
from goedeburen.api import services
from goedeburen.events.models import Event, Role, TeamMember
from goedeburen.registration import tokens
from goedeburen.registration.models import Attendee, Registration, TicketType
from django.contrib.auth import get_user_model

event = Event.objects.get(slug="{slug}")
ticket = TicketType.objects.filter(event=event, needs_approval=False, visible=True).first()
registrations = Registration.objects.bulk_create(
    Registration(event=event, code=f"B{{n:07d}}", booker_name=f"Deelnemer {{n}}",
                 email=f"person{{n}}@example.org", status="confirmed", language="nl",
                 manage_token_hash=tokens.new_manage_token()[1])
    for n in range({count})
)
Attendee.objects.bulk_create(
    Attendee(registration=r, ticket_type=ticket, given_name="Deelnemer", family_name=str(n),
             role="other", price=ticket.price, vat_rate=ticket.vat_rate,
             ticket_secret=tokens.new_ticket_secret())
    for n, r in enumerate(registrations)
)
owner = get_user_model().objects.create_user("bench-owner", "owner@example.org", "x")
TeamMember.objects.create(organiser=event.organiser, user=owner, role=Role.OWNER)
_token, text = services.create_token(
    organiser=event.organiser, event=None, name="bench",
    scopes=["events:read", "registrations:read"],
    expires=timezone.now() + dt.timedelta(days=1), by=owner,
)
print(text)
"""

QUEUE_WEBHOOKS = """
from django.db import transaction
from goedeburen.api import services, webhooks
from goedeburen.events.models import Event

event = Event.objects.get(slug="{slug}")
owner = event.organiser.team.get(user__username="bench-owner").user
endpoint, secret = services.create_endpoint(
    organiser=event.organiser, event=None, url="{url}",
    event_types=["registration.created"], by=owner,
)
for start in range(0, {count}, 500):
    with transaction.atomic():
        for n in range(start, min(start + 500, {count})):
            webhooks.queue_delivery(
                endpoint, event_type="registration.created", data={{"id": f"B{{n:07d}}"}}
            )
print(secret)
"""


class Receiver:
    """Counts deliveries by webhook-id and checks each signature."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ids: Counter = Counter()
        self.bad = 0
        self.last_at = 0.0
        self.secret = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Webhook(receiver.secret).verify(body, headers)
                    ok = True
                except Exception:
                    ok = False
                with receiver.lock:
                    receiver.ids[headers.get("webhook-id", "")] += 1
                    receiver.bad += not ok
                    receiver.last_at = time.perf_counter()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _get(port: int, path: str, token: str) -> tuple[float, dict]:
    took, body = timed_get(port, path, {"Authorization": f"Bearer {token}"})
    return took, json.loads(body)


def run(*, quick: bool, workers: int) -> dict:
    size = SIZES[quick]
    app = App(name="gb_bench_api")
    receiver = Receiver()
    processes = []
    states: dict = {}
    answers: dict = {}
    worker_errors: list[str] = []
    try:
        print(f"setting up: database {app.name}, demo, {size['registrations']} registrations …")
        app.create()
        app.command("demo", "--upcoming")
        token = app.shell(SET_UP.format(slug=SLUG, count=size["registrations"])).split()[-1]
        app.serve(workers=2, threads=4)

        base = f"/api/v1/events/{SLUG}/"
        for _ in range(5):  # warm both workers
            _get(app.port, base, token)
        baseline = [_get(app.port, base, token)[0] for _ in range(100)]
        print("paging through the registrations …", flush=True)
        pages, path = [], f"{base}registrations/?page_size=100&expand=attendees"
        rows = 0
        while path:
            took, body = _get(app.port, path, token)
            pages.append(took)
            rows += len(body["results"])
            path = (
                urlsplit(body["next"])._replace(scheme="", netloc="").geturl()
                if body["next"]
                else ""
            )

        print(f"queueing {size['webhooks']} webhooks …", flush=True)
        receiver.secret = app.shell(
            QUEUE_WEBHOOKS.format(slug=SLUG, url=receiver.url, count=size["webhooks"])
        ).split()[-1]
        print(f"delivering with {workers} worker processes …", flush=True)
        started = time.perf_counter()
        for n in range(workers):
            log = open(app.var_dir / f"worker-{n}.log", "w")  # noqa: SIM115 — open while it runs
            processes.append(
                (
                    subprocess.Popen(
                        [PYTHON, "-m", "goedeburen", "worker"],
                        env=app.env,
                        cwd=REPO,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
        deadline = started + 480
        while time.perf_counter() < deadline:
            with receiver.lock:
                if len(receiver.ids) >= size["webhooks"]:
                    break
            time.sleep(0.25)
        with receiver.lock:
            elapsed = (receiver.last_at or time.perf_counter()) - started
        with psycopg.connect(database_url(app.name)) as conn:
            states = dict(
                conn.execute(
                    "SELECT state || ':' || coalesce(last_error, ''), count(*) "
                    "FROM api_webhookdelivery GROUP BY 1"
                ).fetchall()
            )
            # What each delivery task answered ("delivered", "not_due" …): a delivery left
            # queued by a task that ran says why here.
            answers = dict(
                conn.execute(
                    "SELECT status || ':' || coalesce(return_value::text, ''), count(*) "
                    "FROM django_tasks_database_dbtaskresult "
                    "WHERE task_path LIKE '%deliver_webhook' GROUP BY 1"
                ).fetchall()
            )
        worker_errors = [
            line
            for n in range(len(processes))
            for line in (app.var_dir / f"worker-{n}.log").read_text().splitlines()
            if "Error" in line or "Exception" in line
        ]
    finally:
        for process, log in processes:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
        receiver.server.shutdown()
        app.clean_up()

    with receiver.lock:
        ids = Counter(receiver.ids)
        bad = receiver.bad
    figures = {
        "api_page_p95_ms": round(percentile(pages, 0.95), 1),
        "baseline_p95_ms": round(percentile(baseline, 0.95), 1),
        "page_ratio": round(percentile(pages, 0.95) / max(percentile(baseline, 0.95), 0.1), 1),
        "pages": len(pages),
        "rows": rows,
        "webhooks_per_min": round(len(ids) / elapsed * 60) if elapsed > 0 else 0,
        "webhooks_lost": size["webhooks"] - len(ids),
        "webhooks_duplicates": sum(ids.values()) - len(ids),
        "bad_signatures": bad,
        "webhook_workers": workers,
        "webhooks_elapsed_s": round(elapsed, 1),
        "load_average": round(os.getloadavg()[0], 2),
    }
    notes = [f"deliveries by state: {states}", f"tasks: {answers}", *worker_errors[:10]]
    goals = {
        "api_page_p95_ms": Goal(100, "<"),
        "webhooks_per_min": Goal(3000, ">="),
        "webhooks_lost": Goal(0, "=="),
        "webhooks_duplicates": Goal(0, "=="),
        "bad_signatures": Goal(0, "=="),
    }
    return report("api", quick=quick, figures=figures, goals=goals, notes=notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, under a minute")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="worker processes (default: CPUs)"
    )
    args = parser.parse_args()
    run(quick=args.quick, workers=max(1, args.workers))


if __name__ == "__main__":
    main()
