"""The check-in app in Chromium: two phones lose the network, scan on, and upload when it is
back; a 360 px phone searches, checks in and undoes; the vendored library reads our QR
codes; every new page passes axe-core at 360 and 1280 px."""

import base64
import io

import pypdfium2
import pytest
import segno
from django.db import connection
from django.urls import reverse
from django.utils import translation

from goedeburen.events.demo import SLUG

from .site import VIEWPORTS, axe_violations, describe_violations

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"
PEOPLE = 19
SCAN_IMAGE = (
    "async (src) => (await QrScanner.scanImage(src, {returnDetailedScanResult: true})).data"
)


@pytest.fixture(scope="module")
def day(site, django_db_blocker):
    """The demo with check-in staff, an owner and PEOPLE + 1 confirmed participants."""
    from goedeburen.checkin import tickets
    from goedeburen.events.models import Event, Role, TeamMember
    from goedeburen.registration import tokens
    from goedeburen.registration.models import TicketType
    from tests.factories import AttendeeFactory, RegistrationFactory, UserFactory

    with django_db_blocker.unblock():
        event = Event.objects.get(slug=SLUG)
        users = {}
        for name, role in (("ingrid", Role.CHECKIN), ("joost", Role.CHECKIN), ("olga", Role.OWNER)):
            users[name] = UserFactory(username=f"e2e-{name}", first_name=name.title())
            TeamMember.objects.create(
                organiser=event.organiser, user=users[name], event=event, role=role
            )
        ticket = TicketType.objects.get(event=event, name_nl="Deelname")
        token, hashed = tokens.new_manage_token()
        registrations, attendees = [], []
        for n in range(PEOPLE + 1):  # the last one for the phone that searches
            registration = RegistrationFactory(
                event=event, manage_token_hash=hashed if n == 0 else tokens.new_manage_token()[1]
            )
            registrations.append(registration)
            attendees.append(
                AttendeeFactory(
                    registration=registration,
                    ticket_type=ticket,
                    given_name=f"Gast{n:02d}",
                    family_name="Scanner",
                    organisation="Portaal",
                )
            )
        secrets_ = [tickets.secret_for(a) for a in attendees]
    yield {
        "event": event,
        "users": users,
        "attendees": attendees,
        "secrets": secrets_,
        "token": token,
        "first": registrations[0],
    }
    with django_db_blocker.unblock():
        from goedeburen.checkin.models import CheckIn, Scan

        Scan.objects.filter(event=event).delete()
        CheckIn.objects.filter(event=event).delete()
        for registration in registrations:
            registration.delete()
        for user in users.values():
            user.delete()


def _phone(browser, site, user, *, viewport="360px"):
    context = browser.new_context(viewport=VIEWPORTS[viewport], reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(site.url("/en/backoffice/login/"))
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return context, page


def _open_app(page, site):
    page.goto(site.url(f"/en/backoffice/{SLUG}/checkin/"))
    page.wait_for_selector("#checkin-app[data-ready='1']")


def _scan(page, code, queued):
    page.fill("#checkin-code-input", code)
    page.press("#checkin-code-input", "Enter")
    page.wait_for_selector(f"#checkin-app[data-queued='{queued}']")


def _axe(page, where):
    violations = axe_violations(page)
    if violations:
        pytest.fail(f"{where}: {describe_violations(violations)}", pytrace=False)


def _counts(django_db_blocker, event):
    from goedeburen.checkin.models import CheckIn, Scan

    with django_db_blocker.unblock():
        return (
            CheckIn.objects.filter(event=event, undone=None).count(),
            Scan.objects.filter(event=event).count(),
            Scan.objects.filter(event=event, outcome="conflict").count(),
        )


def test_two_offline_phones_upload_every_scan_once_with_the_double_in_the_conflicts(
    browser, site, day, django_db_blocker, client, db
):
    if connection.vendor != "postgresql":
        pytest.skip("the live server shares the database with this test on PostgreSQL")
    secrets_ = day["secrets"]
    phones = [_phone(browser, site, day["users"][name]) for name in ("ingrid", "joost")]
    for _context, page in phones:
        _open_app(page, site)
    for context, _page in phones:
        context.set_offline(True)
    (_a, phone_a), (_b, phone_b) = phones
    # Eleven scans on one phone, nine on the other; the last ticket on both.
    for n, code in enumerate([*secrets_[:10], secrets_[18]], start=1):
        _scan(phone_a, code, n)
    for n, code in enumerate([*secrets_[10:18], secrets_[18]], start=1):
        _scan(phone_b, code, n)
    queue = phone_a.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("goedeburen-checkin", 1);
            open.onsuccess = () => {
                const rows = open.result.transaction("queue").objectStore("queue").getAll();
                rows.onsuccess = () => resolve(rows.result.map((row) => row.scan));
            };
        })"""
    )
    assert phone_a.locator("#checkin-network").inner_text().startswith("Offline")
    assert _counts(django_db_blocker, day["event"]) == (0, 0, 0)

    for context, _page in phones:
        context.set_offline(False)
    for _context, page in phones:
        page.wait_for_selector("#checkin-app[data-queued='0'][data-online='1']")

    assert _counts(django_db_blocker, day["event"]) == (PEOPLE, 20, 1)
    from goedeburen.checkin import queries

    with django_db_blocker.unblock():
        counts = queries.counts(day["event"])
    phone_b.reload()
    phone_b.wait_for_selector("#checkin-app[data-ready='1']")
    assert phone_b.locator("#checkin-counts").inner_text() == (
        f"{counts.checked_in} of {counts.expected} checked in"
    )
    assert counts.checked_in == PEOPLE

    # The same queue sent three more times changes nothing.
    for _ in range(3):
        answer = phone_a.evaluate(
            """async ([url, scans]) => {
                const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
                const response = await fetch(url, {method: "POST", credentials: "same-origin",
                    headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                    body: JSON.stringify({offline: true, door: "", scans: scans})});
                return (await response.json()).results.map((r) => r.replayed);
            }""",
            [phone_a.locator("#checkin-app").get_attribute("data-scans-url"), queue],
        )
        assert answer == [True] * len(queue)
    assert _counts(django_db_blocker, day["event"]) == (PEOPLE, 20, 1)

    # The owner sees the double in the conflict list.
    with django_db_blocker.unblock():
        client.force_login(day["users"]["olga"])
        page = client.get(
            reverse("backoffice:checkin.conflicts", kwargs={"event": SLUG})
        ).content.decode()
    assert day["attendees"][18].full_name in page
    assert [p.errors for _c, p in phones] == [[], []]
    for context, _page in phones:
        context.close()


def test_phone_of_360_px_searches_checks_in_and_undoes(browser, site, day, db):
    context, page = _phone(browser, site, day["users"]["ingrid"])
    _open_app(page, site)
    person = day["attendees"][PEOPLE]
    _axe(page, "check-in app")
    page.fill("#checkin-search-input", f"gast{PEOPLE}")
    button = page.get_by_role("button", name=f"Check in: {person.full_name}")
    button.click()
    page.wait_for_selector("#checkin-undo")
    message = page.locator(".checkin-message").inner_text()
    _axe(page, "check-in app after checking in")
    page.click("#checkin-undo")
    page.wait_for_function(
        "() => document.querySelector('.checkin-message').textContent.includes('undone')"
    )

    assert message == f"Checked in: {person.full_name}"
    undone = page.locator(".checkin-message").inner_text()
    assert undone == f"Check-in of {person.full_name} undone."
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    _axe(page, "check-in app after undoing")
    assert page.errors == []
    context.close()


def test_vendored_qr_library_reads_a_ticket_code(browser, site, day, db):
    context, page = _phone(browser, site, day["users"]["ingrid"], viewport="1280px")
    _open_app(page, site)
    buffer = io.BytesIO()
    segno.make(day["secrets"][0], error="m").save(buffer, kind="png", scale=8, border=4)
    image = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()

    from goedeburen.checkin.pdf import badges

    badge = badges.render_badges([badges.Badge(name="Gast", qr=day["secrets"][1])], layout="a6")
    document = pypdfium2.PdfDocument(badge)
    printed = io.BytesIO()
    document[0].render(scale=3).to_pil().save(printed, format="PNG")
    document.close()
    from_pdf = "data:image/png;base64," + base64.b64encode(printed.getvalue()).decode()

    read = [page.evaluate(SCAN_IMAGE, src) for src in (image, from_pdf)]

    # The code as the personal page draws it, and as a badge prints it (fixed mask).
    assert read == [day["secrets"][0], day["secrets"][1]]
    context.close()


BACKOFFICE_PAGES = [
    "checkin.app",
    "checkin.walk_in",
    "checkin.conflicts",
    "checkin.settings",
    "checkin.badges",
    "checkin.lists",
    "checkin.caterer",
]


@pytest.mark.parametrize("viewport", ["360px", "1280px"])
def test_new_pages_pass_axe(browser, site, day, viewport, db):
    context, page = _phone(browser, site, day["users"]["olga"], viewport=viewport)
    registration = day["first"]
    with translation.override("en"):
        paths = [reverse(f"backoffice:{name}", kwargs={"event": SLUG}) for name in BACKOFFICE_PAGES]
        manage = {"event": SLUG, "code": registration.code, "token": day["token"]}
        paths += [
            reverse("public:registration.manage", kwargs=manage),
            reverse(
                "public:registration.badge",
                kwargs={**manage, "attendee": day["attendees"][0].pk},
            ),
            reverse("public:certificate.verify", kwargs={"event": SLUG}) + "?code=AAAA-BBBB-CCCC",
        ]
    failures = []
    for path in paths:
        response = page.goto(site.url(path))
        assert (path, response.status) == (path, 200)
        violations = axe_violations(page)
        if violations:
            failures.append(f"{path}: {describe_violations(violations)}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if viewport == "360px" and width > 360:
            failures.append(f"{path}: {width} px wide")
    assert failures == [], "\n".join(failures)
    assert page.errors == []
    context.close()
