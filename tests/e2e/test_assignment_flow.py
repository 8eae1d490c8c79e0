"""A participant ranks sessions on a phone; the organiser runs and publishes the assignment in
the back office (a real worker process solves it); the personal programme then shows on the
participant's page and arrives by mail (a real SMTP server) with a calendar file.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from icalendar import Calendar

from goedeburen.events.demo import SLUG
from tests.clients import current_code
from tests.smtp import SmtpServer, free_port

from .site import axe_violations, describe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def smtp_server():
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def people(site, django_db_blocker):
    """The demo with its date ahead, an organiser, and one participant with a known link."""
    if connection.vendor == "sqlite":
        pytest.skip("the live server and the worker need PostgreSQL (see test_registration_flow)")
    from goedeburen.events.demo import load_demo
    from goedeburen.events.models import Role, TeamMember
    from goedeburen.registration import tokens
    from goedeburen.registration.models import TicketType
    from tests.factories import AttendeeFactory, RegistrationFactory, UserFactory

    with django_db_blocker.unblock():
        event, _ = load_demo(upcoming=True)
        organiser = UserFactory(username="secretariaat")
        TeamMember.objects.create(organiser=event.organiser, user=organiser, role=Role.OWNER)
        # An organiser's owner signs in with a second factor: an authenticator app.
        TOTPDevice.objects.create(user=organiser, name="app", confirmed=True)
        token, hashed = tokens.new_manage_token()
        registration = RegistrationFactory(
            event=event,
            manage_token_hash=hashed,
            email="rita@example.org",
            booker_name="Rita Ranker",
            language="en",
        )
        attendee = AttendeeFactory(
            registration=registration,
            ticket_type=TicketType.objects.get(event=event, name_nl="Deelname"),
            given_name="Rita",
            family_name="Ranker",
            role="resident",
        )
    yield {
        "event": event,
        "organiser": organiser,
        "registration": registration,
        "attendee": attendee,
        "token": token,
    }
    with django_db_blocker.unblock():
        registration.delete()
        organiser.delete()
        load_demo()


@pytest.fixture(scope="module")
def worker(people, smtp_server, tmp_path_factory):
    """`goedeburen worker` on the database backend, sending mail to the test SMTP server."""
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "GOEDEBUREN_TEST_DB_NAME": connection.settings_dict["NAME"],
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "PYTHONPATH": str(REPO),
    }
    env.pop("REDIS_URL", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "goedeburen", "worker", "--backend", "default"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log = log_path
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _axe(tab, where):
    violations = axe_violations(tab)
    if violations:
        pytest.fail(f"{where}: {describe_violations(violations)}", pytrace=False)


def _wait_for_mail(server, address, worker, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in list(server.messages):
            parts = [p.get_content_type() for p in message.iter_attachments()]
            if message["To"] == address and "text/calendar" in parts:
                return message
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped:\n{worker.log.read_text()}")
        time.sleep(0.2)
    pytest.fail(f"no programme mail for {address} after {seconds} s:\n{worker.log.read_text()}")


def test_participant_ranks_organiser_publishes_programme_shows_and_arrives(
    visit, people, worker, smtp_server, _tabs
):
    with translation.override("en"):
        manage = reverse(
            "public:registration.manage",
            kwargs={"event": SLUG, "code": people["registration"].code, "token": people["token"]},
        )
    # 1. The participant ranks sessions on a phone.
    tab = visit(manage, viewport="360px")
    tab.get_by_role("link", name="Choose your sessions").click()
    tab.wait_for_load_state()
    assert tab.get_by_role("heading", level=1).inner_text() == "Choose your sessions"
    _axe(tab, "session choice")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    # With JavaScript every round is one list: add sessions, put them in order.
    rounds = tab.locator("fieldset.rank-round")
    wanted = []
    for k in range(rounds.count()):
        pool = rounds.nth(k).locator(".rank-list--others .rank-label")
        first, second = pool.nth(3).inner_text(), pool.nth(4).inner_text()
        rounds.nth(k).get_by_role("button", name=f"Add {first} to my list").click()
        rounds.nth(k).get_by_role("button", name=f"Add {second} to my list").click()
        rounds.nth(k).get_by_role("button", name=f"Move {second} up").click()
        order = rounds.nth(k).locator("ol.rank-list .rank-label").all_inner_texts()
        assert order == [second, first]
        wanted.append((second, first))
    _axe(tab, "session choice with sessions in order")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    tab.get_by_role("button", name="Save my choice").click()
    tab.wait_for_load_state()
    assert "Your choice of sessions is saved." in tab.locator("main").inner_text()
    from goedeburen.events.models import Session
    from goedeburen.matching.queries import rankings_by_attendee

    saved = rankings_by_attendee([people["attendee"].pk])[people["attendee"].pk]
    titles = Session.objects.in_bulk(field_name="pk")
    assert sorted(
        tuple(titles[pk].title_en for pk in ranked) for ranked in saved.values()
    ) == sorted(wanted)
    _axe(tab, "manage page after choosing")

    # 2. The organiser starts a run, watches it, and publishes it.
    office, problems = _tabs("1280px", True)
    problems.clear()
    base = tab.url.split("/en/")[0]
    office.goto(base + "/en/backoffice/login/")
    office.get_by_label("User name").fill("secretariaat")
    office.get_by_label("Password").fill(PASSWORD)
    office.get_by_role("button", name="Sign in").click()
    office.wait_for_load_state()
    app = TOTPDevice.objects.get(user=people["organiser"])
    office.get_by_label("Code").fill(current_code(app))
    office.get_by_role("button", name="Continue").click()
    office.wait_for_load_state()
    office.goto(base + f"/en/backoffice/{SLUG}/assignment/")
    office.get_by_role("button", name="Start a run").click()
    office.wait_for_load_state()
    # The page refreshes itself (meta refresh) until the run is done.
    publish = office.get_by_role("button", name="Publish this placement")
    deadline = time.monotonic() + 120
    while not publish.count():
        if time.monotonic() > deadline or worker.poll() is not None:
            pytest.fail(
                f"no finished run:\n{office.locator('main').inner_text()}\n{worker.log.read_text()}"
            )
        time.sleep(0.5)
    checks = office.locator("#rule-check tbody tr td:nth-child(2)").all_inner_texts()
    assert checks == ["0"] * 6
    office.get_by_role("button", name="Publish this placement").click()
    office.wait_for_load_state()
    assert "Published" in office.locator("main").inner_text()

    # 3. The programme shows on the participant's page …
    tab = visit(manage, viewport="360px")
    programme = tab.locator(
        "section", has=tab.get_by_role("heading", name="Your personal programme")
    )
    lines = programme.get_by_role("listitem").all_inner_texts()
    assert len(lines) == 3
    _axe(tab, "manage page with programme")
    from goedeburen.matching.models import Placement

    placed = list(
        Placement.objects.filter(attendee=people["attendee"], run__is_published=True)
        .select_related("session")
        .order_by("round__start")
    )
    for line, placement in zip(lines, placed, strict=True):
        assert placement.session.title_en in line
    # … and arrives by mail with a calendar file.
    message = _wait_for_mail(smtp_server, "rita@example.org", worker)
    body = message.get_body(preferencelist=("plain",)).get_content()
    for placement in placed:
        assert placement.session.title_en in body
    [ics] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    summaries = {str(e["summary"]) for e in Calendar.from_ical(ics.get_content()).walk("VEVENT")}
    assert {p.session.title_en for p in placed} <= summaries
    assert re.search(r"Your programme for ", message["Subject"])
    # Most first choices are granted; nobody is promised theirs.
    assert len(wanted) == 3
