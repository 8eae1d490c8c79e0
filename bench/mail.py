"""Mail: 5,000 mails through the worker to a local SMTP server, and what a registration
request spends on mail.

Sets up a fresh PostgreSQL database with the Goede buren demo (registration open). First
REGISTRATIONS registrations are made through the registration service, in one process, with
the mail receiver timed on its own (a receiver connected just before it and one just after
it on the same signal): that is the time a registration request spends on mail, which must
be ≈ 0 because the request only inserts the outbox row. Then a mailing goes to the rest of
MAILS (registrations written in bulk), and WORKERS `goedeburen worker` processes send the
registrations' confirmations and the mailing to an aiosmtpd server in this process.

Figures: mails_per_min (mails that reached the SMTP server / wall time from starting the
workers to the last mail), enqueue_p95_ms (p95 of the time the mail receiver took inside a
registration), lost (mails marked sent that never arrived, plus mails not sent at the end),
duplicates (mails that arrived more than once).

Run: .venv/bin/python bench/mail.py [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import threading
import time
from collections import Counter

import psycopg
from _common import PYTHON, REPO, App, Goal, database_url, percentile, report
from aiosmtpd.controller import Controller

SLUG = "goede-buren"
SIZES = {True: {"mails": 600, "registrations": 100}, False: {"mails": 5000, "registrations": 300}}

REGISTER_AND_TIME = """
import json, time
from goedeburen.mail import receivers
from goedeburen.registration import services, signals, tokens
from goedeburen.registration.enums import AttendingRole
from goedeburen.registration.models import Quota, Registration, TicketType
from goedeburen.events.models import Event

event = Event.objects.get(slug="{slug}")
Quota.objects.filter(event=event).update(size=100000)
ticket = TicketType.objects.filter(event=event, needs_approval=False, visible=True).first()
started = {{}}
took = []
def before(sender, registration, **kwargs):
    started["at"] = time.perf_counter()
def after(sender, registration, **kwargs):
    took.append((time.perf_counter() - started["at"]) * 1000)
# Around the mail receiver: disconnect it, connect the timer, it, then the stop watch.
created = signals.registration_created
created.disconnect(sender=Registration, dispatch_uid="mail.registration_created")
created.connect(before, sender=Registration, dispatch_uid="bench.before")
created.connect(
    receivers.registration_created, sender=Registration, dispatch_uid="mail.registration_created"
)
created.connect(after, sender=Registration, dispatch_uid="bench.after")
total = []
for n in range({count}):
    t = time.perf_counter()
    services.register(
        event,
        booker=services.Booker(name=f"Booker {{n}}", email=f"booker{{n}}@example.org"),
        attendees=[
            services.AttendeeDetails(
                ticket_type=ticket, given_name=f"Ada {{n}}", role=AttendingRole.MUNICIPALITY
            )
        ],
        billing=services.Billing(
            organisation="Woonstichting De Linde", address="Lindelaan 1\\n3500 AA Utrecht"
        ),
        form_token=tokens.issue_form_token(event_id=event.pk),
        language="nl",
    )
    total.append((time.perf_counter() - t) * 1000)
print(json.dumps({{"mail_ms": took, "register_ms": total}}))
"""

START_MAILING = """
from goedeburen.events.models import Event
from goedeburen.mail import services
from goedeburen.mail.models import Mailing
from goedeburen.registration import tokens
from goedeburen.registration.models import Attendee, Registration, TicketType

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
mailing = services.save_mailing(
    Mailing(
        subject_nl="Praktische informatie: {{{{ event }}}}",
        body_nl="Beste {{{{ name }}}},\\n\\nTot {{{{ date }}}} in {{{{ venue }}}}.\\n\\n"
        "Je registratie: {{{{ code }}}}",
        filters={{"status": ["confirmed"]}},
    ),
    event=event,
)
services.start_mailing(mailing)
print(mailing.pk)
"""


class Sink:
    """An SMTP server that counts what arrives, by Message-ID."""

    def __init__(self):
        self.lock = threading.Lock()
        self.message_ids: Counter = Counter()
        self.last_at = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        content = envelope.content.decode("utf-8", "replace")
        message_id = next(
            (
                line.split(":", 1)[1].strip()
                for line in content.splitlines()
                if line.lower().startswith("message-id:")
            ),
            "",
        )
        with self.lock:
            self.message_ids[message_id] += 1
            self.last_at = time.perf_counter()
        return "250 Message accepted for delivery"


def run(*, quick: bool, workers: int) -> dict:
    size = SIZES[quick]
    total, registrations = size["mails"], size["registrations"]
    app = App(name="gb_bench_mail")
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    processes = []
    try:
        print(f"setting up: database {app.name}, demo event …", flush=True)
        app.create()
        app.command("demo", "--upcoming")

        print(f"registering {registrations} through the service, timing the mail part …")
        timed = json.loads(
            app.shell(REGISTER_AND_TIME.format(slug=SLUG, count=registrations)).splitlines()[-1]
        )
        app.shell(START_MAILING.format(slug=SLUG, count=total - registrations))

        controller.start()
        env = {**app.env, "EMAIL_URL": f"smtp://127.0.0.1:{port}", "EMAIL_TIMEOUT": "10"}
        print(f"sending {total} mails with {workers} worker processes …", flush=True)
        started = time.perf_counter()
        for n in range(workers):
            log = open(app.var_dir / f"worker-{n}.log", "w")  # noqa: SIM115 — open while it runs
            processes.append(
                (
                    subprocess.Popen(
                        [PYTHON, "-m", "goedeburen", "worker"],
                        env=env,
                        cwd=REPO,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
        url = database_url(app.name)
        deadline = started + 540
        while time.perf_counter() < deadline:
            with sink.lock:
                arrived = sum(sink.message_ids.values())
            if arrived >= total:
                break
            time.sleep(0.25)
        with sink.lock:
            elapsed = (sink.last_at or time.perf_counter()) - started
        time.sleep(2)  # room for a duplicate to show up
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT message_id, state FROM mail_outgoingmail").fetchall()
        sent_ids = {message_id for message_id, state in rows if state == "sent"}
        not_sent = sum(1 for _id, state in rows if state != "sent")
        errors = sum(
            (app.var_dir / f"worker-{n}.log").read_text().count("Traceback")
            for n in range(len(processes))
        )
    finally:
        for process, log in processes:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
        with contextlib.suppress(AssertionError):  # never started
            controller.stop()
        app.clean_up()

    with sink.lock:
        arrived_ids = Counter(sink.message_ids)
    arrived = sum(arrived_ids.values())
    figures = {
        "mails_per_min": round(len(arrived_ids) / elapsed * 60) if elapsed > 0 else 0,
        "enqueue_p95_ms": round(percentile(timed["mail_ms"], 0.95), 2),
        "lost": len(sent_ids - set(arrived_ids)) + not_sent,
        "duplicates": arrived - len(arrived_ids),
        "mails": len(rows),
        "arrived": arrived,
        "elapsed_s": round(elapsed, 1),
        "workers": workers,
        "enqueue_p50_ms": round(percentile(timed["mail_ms"], 0.50), 2),
        "register_p95_ms": round(percentile(timed["register_ms"], 0.95), 1),
        "worker_tracebacks": errors,
    }
    goals = {
        "mails_per_min": Goal(3000, ">="),
        "enqueue_p95_ms": Goal(5, "<="),
        "lost": Goal(0, "=="),
        "duplicates": Goal(0, "=="),
    }
    return report("mail", quick=quick, figures=figures, goals=goals)


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
