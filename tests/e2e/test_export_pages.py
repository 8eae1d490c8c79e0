"""The export pages in Chromium on a phone and a desktop screen: the column chooser with its
presets, and a large export's progress page (with its script, and without); axe-core
checks each."""

import datetime as dt

import pytest
from django.utils import timezone

from .site import axe_violations, describe_violations

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"
USERNAME = "secretariaat-export"


@pytest.fixture(scope="module")
def export_pages(site, django_db_blocker):
    """The demo, a secretariat member, a team preset and an export half made."""
    from goedeburen.accounts.models import ExportJob, ExportPreset
    from goedeburen.events.demo import load_demo
    from goedeburen.events.models import Role, TeamMember
    from tests.factories import UserFactory

    with django_db_blocker.unblock():
        event, _ = load_demo(upcoming=True)
        user = UserFactory(username=USERNAME)
        user.set_password(PASSWORD)
        user.save()
        TeamMember.objects.create(
            organiser=event.organiser, event=event, user=user, role=Role.REGISTRATIONS
        )
        preset = ExportPreset.objects.create(
            event=event, kind="attendees", name="Catering", columns=["given_name", "family_name"]
        )
        running = ExportJob.objects.create(
            event=event,
            kind="attendees",
            format="xlsx",
            requested_by=user,
            state="running",
            rows_total=10_000,
            rows_done=4_000,
            expires=timezone.now() + dt.timedelta(hours=1),
        )
    yield {"event": event, "job": running, "preset": preset}


def _signed_in(visit, viewport, javascript=True):
    tab = visit("/en/backoffice/login/", viewport=viewport, javascript=javascript)
    sign_out = tab.get_by_role("button", name="Sign out")
    if sign_out.count():  # another module's user: this page is about our own exports
        sign_out.first.click()
        tab.wait_for_load_state()
        tab = visit("/en/backoffice/login/", viewport=viewport, javascript=javascript)
    if tab.get_by_label("User name").count():
        tab.get_by_label("User name").fill(USERNAME)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_load_state()
    return tab


@pytest.mark.parametrize("viewport", ["360px", "1280px"])
def test_export_pages_have_no_wcag_violations(visit, export_pages, viewport):
    _signed_in(visit, viewport)
    event = export_pages["event"]
    preset = export_pages["preset"].pk
    pages = {
        "chooser": f"/en/backoffice/{event.slug}/attendees/export/",
        "chooser with a preset": (
            f"/en/backoffice/{event.slug}/attendees/export/?status=confirmed&preset={preset}"
        ),
        "progress": f"/en/backoffice/{event.slug}/exports/{export_pages['job'].pk}/",
    }
    for name, path in pages.items():
        tab = visit(path, viewport=viewport)
        violations = axe_violations(tab)
        if violations:
            pytest.fail(f"{name}: {describe_violations(violations)}", pytrace=False)
        if viewport == "360px":
            assert tab.evaluate("document.documentElement.scrollWidth") <= 360, name
    progress = visit(pages["progress"], viewport=viewport)
    assert progress.locator("progress").get_attribute("value") == "4000"


def test_progress_page_works_without_javascript(visit, export_pages):
    _signed_in(visit, "1280px", javascript=False)
    event = export_pages["event"]
    tab = visit(f"/en/backoffice/{event.slug}/exports/{export_pages['job'].pk}/", javascript=False)
    assert tab.get_by_role("link", name="Refresh this page").count() == 1
    assert "4000 of 10000 rows written." in tab.locator("main").inner_text()
