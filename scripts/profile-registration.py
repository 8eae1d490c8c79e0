#!/usr/bin/env python
"""CPU of one registration inside the WSGI handler, as a gunicorn worker spends it.

Sets up a database with the demo event (registration open), then, in this one process with
production settings (DEBUG off), does what a browser does N times: GET the form, POST it with
one attendee, GET the confirmation page with the cookies the POST set. It calls the WSGI
application directly, as a sync worker does, and reports the process CPU per request kind
(time.process_time: independent of the machine's load, unlike wall time), the SQL statements
per request, and with --profile a cProfile of the POST and the confirmation page.

    .venv/bin/python scripts/profile-registration.py [-n 300] [--profile] [--database gb_prof]

The bench (`bench/registration_rush.py`) measures the same through gunicorn and HTTP.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from _common import App, database_url  # noqa: E402

SLUG = "goede-buren"
FORM_PATH = f"/en/{SLUG}/register/"
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TICKET = re.compile(r'name="attendee-0-ticket_type" value="(\d+)"')
COOKIE = re.compile(r"^([\w-]+)=([^;]*)")


def environ(method: str, path: str, *, cookies: dict, body: bytes = b"") -> dict:
    env = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": "profile-registration",
        "HTTP_ACCEPT": "text/html",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if cookies:
        env["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body:
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        env["CONTENT_LENGTH"] = str(len(body))
    return env


class Call:
    def __init__(self, application):
        self.application = application

    def __call__(self, method, path, *, cookies=None, body=b""):
        captured = {}

        def start_response(status, headers, exc_info=None):
            captured["status"] = int(status.split()[0])
            captured["headers"] = headers

        result = self.application(
            environ(method, path, cookies=cookies or {}, body=body), start_response
        )
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        set_cookies = dict(
            COOKIE.match(v.strip()).groups() for k, v in captured["headers"] if k == "Set-Cookie"
        )
        location = next((v for k, v in captured["headers"] if k == "Location"), "")
        return captured["status"], content.decode(), set_cookies, location


def one_registration(call: Call, n: int, clock: dict, profiles: dict | None):
    def timed(kind, *args, **kwargs):
        profile = profiles.get(kind) if profiles is not None else None
        started = time.process_time()
        if profile:
            profile.enable()
        out = call(*args, **kwargs)
        if profile:
            profile.disable()
        clock[kind] = clock.get(kind, 0.0) + time.process_time() - started
        return out

    status, html, cookies, _ = timed("form", "GET", FORM_PATH)
    assert status == 200, status
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
            # as the bench: pay by bank transfer (seats held, the invoice issued in the POST)
            "payment-provider": "bank_transfer",
        }
    ).encode()
    status, text, set_cookies, location = timed(
        "post", "POST", FORM_PATH, cookies={"csrftoken": cookies["csrftoken"]}, body=body
    )
    assert status == 302 and "/register/done/" in location, (status, text[:2000])
    cookies.update(set_cookies)
    code = location.rstrip("/").rsplit("/", 1)[-1]
    status, page, _, _ = timed("done", "GET", location, cookies=cookies)
    assert status == 200 and code in page, status


def _database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="registrations measured")
    parser.add_argument("--profile", action="store_true", help="print cProfile per request")
    parser.add_argument("--database", default="gb_profile_registration")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database if it exists, and keep it"
    )
    parser.add_argument("--sql", type=int, default=0, help="print each statement, cut at N")
    parser.add_argument("--dump", default="", help="also write PREFIX-<kind>.prof files")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()

    app = App(name=args.database, var_dir=Path(tempfile.gettempdir()) / f"{args.database}-var")
    app.secret_key = "profile-" + "k" * 56
    if not (args.keep and _database_exists(args.database)):
        app.create()
        app.command("demo", "--upcoming")
    elif not (app.var_dir / "static").exists():
        app.command("collectstatic", "--noinput", "--verbosity", "0")
    os.environ.update(app.env)
    app.shell(
        "from goedeburen.registration.models import Quota\n"
        f"Quota.objects.filter(event__slug='{SLUG}').update(size=1_000_000)\n"
    )

    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    call = Call(get_wsgi_application())
    warm = {}
    for i in range(20):  # imports, templates, caches, the connection
        one_registration(call, -1 - i, warm, None)

    statements = {}
    counting = {"kind": None}

    def count(execute, sql, params, many, context):
        statements[counting["kind"]] = statements.get(counting["kind"], 0) + 1
        if args.sql:
            print(f"[{counting['kind']}] {sql[: args.sql]}")
        return execute(sql, params, many, context)

    clock: dict[str, float] = {}
    profiles = (
        {kind: cProfile.Profile(time.process_time) for kind in ("form", "post", "done")}
        if args.profile
        else None
    )
    with connection.execute_wrapper(count):
        # one registration counted statement by statement (after the warm-up: caches filled)
        original = call.__call__

        class Counting(Call):
            def __call__(self, method, path, **kwargs):
                counting["kind"] = {"GET": "form" if path == FORM_PATH else "done"}.get(
                    method, "post"
                )
                return original(method, path, **kwargs)

        one_registration(Counting(call.application), 0, {}, None)
    started = time.perf_counter()
    for i in range(args.n):
        one_registration(call, i + 1, clock, profiles)
    wall = time.perf_counter() - started

    total = sum(clock.values())
    print(
        f"{args.n} registrations in one process, {wall:.1f} s wall, load {os.getloadavg()[0]:.1f}"
    )
    for kind in ("form", "post", "done"):
        print(
            f"  {kind:5} {clock[kind] / args.n * 1000:6.2f} ms CPU"
            f"   {statements.get(kind, 0):3} SQL statements"
        )
    print(f"  total {total / args.n * 1000:6.2f} ms CPU per registration")
    if profiles:
        for kind, profile in profiles.items():
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(f"\n===== {kind} =====\n{out.getvalue()}")
            if args.dump:
                profile.dump_stats(f"{args.dump}-{kind}.prof")
    connection.close()
    if not args.keep:
        app.drop_database()


if __name__ == "__main__":
    main()
