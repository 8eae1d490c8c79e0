"""Back office: an event with 10,000 attendees, 20 staff users at once.

Sets up a fresh PostgreSQL database with the Goede buren demo, adds ATTENDEES confirmed
registrations (one attendee each, written in bulk; the demo's quota made big enough) and a
signed-in session of an event editor. gunicorn (2 workers × 4 threads) serves the app as
production does. CLIENTS threads then each load the attendee list (first page, 50 rows)
and the event's dashboard ROUNDS times; then the whole attendee list is exported once as
CSV and once as XLSX.

Figures: list_p95_ms, dashboard_p95_ms (p95 over every client's requests), csv_10000_s,
xlsx_10000_s (one export each, the download read to its end). Goals (issue 12): both pages
p95 < 300 ms with 20 concurrent staff users, CSV ≤ 2 s, XLSX ≤ 10 s.

Run: .venv/bin/python bench/backoffice.py [--quick] [--baseline REF | --no-baseline]

The baseline (BASELINE, before the work on these pages' speed) is measured first in the same
run, on its own database, and each figure is shown beside it with the gain.
"""

from __future__ import annotations

import argparse
import os
import shutil
import threading

from _common import (
    App,
    Goal,
    add_baseline_arguments,
    checkout,
    commit_of,
    percentile,
    report,
    timed_get,
)

SLUG = "goede-buren"
SIZES = {True: {"attendees": 2000, "rounds": 3}, False: {"attendees": 10000, "rounds": 10}}
CLIENTS = 20
# The code before the work on the back office's speed (main on 5 December 2026, end of day),
# measured beside this tree in every run unless --no-baseline.
BASELINE = "df17bfb"

SET_UP = """
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from goedeburen.events.models import Event, Role, TeamMember
from goedeburen.registration import tokens
from goedeburen.registration.models import Attendee, Quota, Registration, TicketType

event = Event.objects.get(slug="{slug}")
Quota.objects.filter(event=event).update(size={count} + 1000)
ticket = TicketType.objects.filter(event=event, needs_approval=False, visible=True).first()
registrations = Registration.objects.bulk_create(
    Registration(event=event, code=f"B{{n:07d}}", booker_name=f"Deelnemer {{n}}",
                 email=f"person{{n}}@example.org", status="confirmed", language="nl",
                 manage_token_hash=tokens.new_manage_token()[1])
    for n in range({count})
)
Attendee.objects.bulk_create(
    Attendee(registration=r, ticket_type=ticket, given_name="Deelnemer", family_name=str(n),
             organisation=f"Organisatie {{n % 300}}", role="other", price=ticket.price,
             vat_rate=ticket.vat_rate, ticket_secret=tokens.new_ticket_secret())
    for n, r in enumerate(registrations)
)
Quota.objects.filter(event=event).update(
    taken=Attendee.objects.filter(registration__event=event).count()
)
# What autovacuum does soon after a bulk load in production: without table statistics the
# planner takes the 10,000 rows for 3 and picks nested loops over the whole event.
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
editor = get_user_model().objects.create_user("bench-editor", "editor@example.org", "x")
TeamMember.objects.create(organiser=event.organiser, user=editor, event=event, role=Role.EDITOR)
client = Client()
client.force_login(editor)
print(client.cookies["sessionid"].value)
"""


def _get(port: int, path: str, session: str) -> tuple[float, int]:
    took, body = timed_get(port, path, {"Cookie": f"sessionid={session}"}, timeout=120)
    return took, len(body)


def _concurrently(port: int, path: str, session: str, rounds: int) -> list[float]:
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client():
        for _ in range(rounds):
            try:
                took, _size = _get(port, path, session)
            except Exception as error:  # noqa: BLE001 — reported below
                with lock:
                    errors.append(str(error))
                return
            with lock:
                timings.append(took)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return timings


def measure(size: dict, *, name: str, source=None) -> dict:
    """Serve the tree at `source` (this one: None) on database `name` and measure it."""
    app = App(name=name, source=source)
    try:
        print(f"setting up: database {app.name}, demo, {size['attendees']} attendees …")
        app.create()
        app.command("demo", "--upcoming")
        session = app.shell(SET_UP.format(slug=SLUG, count=size["attendees"])).split()[-1]
        app.serve(workers=2, threads=4)
        base = f"/backoffice/{SLUG}"
        for path in (f"{base}/attendees/", f"{base}/"):
            for _ in range(4):  # warm both workers
                _get(app.port, path, session)
        print(f"{CLIENTS} staff users load the attendee list and the dashboard …", flush=True)
        lists = _concurrently(app.port, f"{base}/attendees/", session, size["rounds"])
        boards = _concurrently(app.port, f"{base}/", session, size["rounds"])
        print("exporting every attendee as CSV and as XLSX …", flush=True)
        csv_ms, csv_bytes = _get(app.port, f"{base}/attendees/export.csv", session)
        xlsx_ms, xlsx_bytes = _get(app.port, f"{base}/attendees/export.xlsx", session)
        return {
            "list_p95_ms": round(percentile(lists, 0.95)),
            "dashboard_p95_ms": round(percentile(boards, 0.95)),
            f"csv_{size['attendees']}_s": round(csv_ms / 1000, 2),
            f"xlsx_{size['attendees']}_s": round(xlsx_ms / 1000, 2),
            "csv_kb": csv_bytes // 1024,
            "xlsx_kb": xlsx_bytes // 1024,
            "load_average_1m": round(os.getloadavg()[0], 2),
        }
    finally:
        app.clean_up()


def _lower_is_better(figures: dict) -> dict[str, bool]:
    """Times are better lower; the sizes of the files are neither."""
    return {key: True for key in figures if key.endswith(("_ms", "_s"))}


def run(*, quick: bool, baseline_ref: str | None) -> dict:
    size = SIZES[quick]
    baseline = None
    if baseline_ref:
        ref = commit_of(baseline_ref)
        print(f"baseline: commit {ref} …", flush=True)
        folder = checkout(ref)
        try:
            before = measure(size, name="gb_bench_backoffice_base", source=folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        baseline = {"ref": ref, "figures": before, "lower_is_better": _lower_is_better(before)}
    print("this tree …", flush=True)
    figures = measure(size, name="gb_bench_backoffice")
    if baseline:
        baseline["gains"] = {
            key: round(old / new, 2)
            for key in _lower_is_better(figures)
            if (old := baseline["figures"].get(key)) and (new := figures.get(key))
        }
    goals = {
        "list_p95_ms": Goal(300, "<"),
        "dashboard_p95_ms": Goal(300, "<"),
        f"csv_{size['attendees']}_s": Goal(2, "<="),
        f"xlsx_{size['attendees']}_s": Goal(10, "<="),
    }
    return report("backoffice", quick=quick, figures=figures, goals=goals, baseline=baseline)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 attendees, fewer rounds")
    add_baseline_arguments(parser, BASELINE)
    args = parser.parse_args()
    run(quick=args.quick, baseline_ref=None if args.no_baseline else args.baseline)


if __name__ == "__main__":
    main()
