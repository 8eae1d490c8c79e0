"""Signing in, the second factor, the team and history screens in real Chromium: axe-core
clean at 360 and 1280 px, and a passkey made and used with a virtual authenticator (CDP
`WebAuthn.addVirtualAuthenticator`). An invitation's new-account form refused (a user name
taken, the invitation withdrawn meanwhile) is checked too."""

import pytest
from django.urls import reverse

from goedeburen.accounts.models import AppDevice
from goedeburen.events.demo import SLUG
from tests.clients import current_code

from .conftest import VIEWPORTS
from .site import axe_violations, describe_violations

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def staff(site, django_db_blocker):
    """An organiser owner with an authenticator app, and a finance member with nothing yet."""
    from goedeburen.common.audit import log_action
    from goedeburen.events.models import Event, Role, TeamMember
    from tests.factories import UserFactory

    with django_db_blocker.unblock():
        event = Event.objects.get(slug=SLUG)
        owner = UserFactory(username="eigenaar", email="eigenaar@example.org")
        TeamMember.objects.create(organiser=event.organiser, user=owner, role=Role.OWNER)
        AppDevice.objects.create(user=owner, name="app", confirmed=True)
        finance = UserFactory(username="penningmeester", email="penning@example.org")
        TeamMember.objects.create(organiser=event.organiser, user=finance, role=Role.FINANCE)
        host = UserFactory(username="gastvrouw")
        TeamMember.objects.create(organiser=event.organiser, user=host, role=Role.HOST, event=event)
        log_action(event, action="event.status", by=owner, data={"status": ["draft", "published"]})
    yield {"event": event, "owner": owner, "finance": finance}
    with django_db_blocker.unblock():
        for user in (owner, finance, host):
            user.delete()


def _axe(page, where):
    violations = axe_violations(page)
    if violations:
        pytest.fail(f"{where}: {describe_violations(violations)}", pytrace=False)


def _context(browser, viewport):
    return browser.new_context(viewport=VIEWPORTS[viewport], reduced_motion="reduce")


def _sign_in(page, base, username):
    page.goto(base + "/en/backoffice/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _give_code(page, user, *, steps_ahead=0):
    device = AppDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Code").fill(current_code(device, steps_ahead=steps_ahead))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", ["360px", "1280px"])
def test_sign_in_second_factor_team_and_history_pages_pass_axe(browser, site, staff, db, viewport):
    context = _context(browser, viewport)
    page = context.new_page()
    base = site.base_url
    page.goto(base + "/en/backoffice/login/")
    _axe(page, "sign-in page")
    page.goto(base + "/en/backoffice/account/password/")
    _axe(page, "new password page")
    page.goto(base + "/en/backoffice/login/")

    _sign_in(page, base, "eigenaar")
    assert "/backoffice/account/second-factor/" in page.url
    _axe(page, "second factor page")
    _give_code(page, staff["owner"], steps_ahead=0 if viewport == "360px" else 1)

    event, organiser = staff["event"], staff["event"].organiser
    with_names = {
        "event team": reverse("backoffice:team.event", args=[event.slug]),
        "organiser team": reverse("backoffice:team.organiser", args=[organiser.slug]),
        "event history": reverse("backoffice:history.event", args=[event.slug]),
        "organiser history": reverse("backoffice:history.organiser", args=[organiser.slug]),
        "account": reverse("backoffice:account"),
        "second factor set-up": reverse("backoffice:two_factor.setup"),
    }
    for where, path in with_names.items():
        response = page.goto(base + "/en" + path)
        assert response.status == 200, where
        assert response.headers["cache-control"].count("no-store") == 1
        _axe(page, where)
        assert (
            page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
        ), where
    context.close()


@pytest.fixture(scope="module")
def invitations(staff, django_db_blocker):
    """Per viewport an open invitation to the demo event for an address without an account."""
    import datetime as dt

    from django.utils import timezone

    from goedeburen.events.models import Invitation, Role

    with django_db_blocker.unblock():
        return {
            viewport: Invitation.objects.create(
                organiser=staff["event"].organiser,
                event=staff["event"],
                email=f"nieuw-{viewport}@example.org",
                role=Role.REGISTRATIONS,
                invited_by=staff["owner"],
                expires_at=timezone.now() + dt.timedelta(days=7),
            )
            for viewport in VIEWPORTS
        }


@pytest.mark.parametrize("viewport", ["360px", "1280px"])
def test_an_invitations_new_account_form_refused_says_why(
    browser, site, staff, invitations, db, viewport
):
    from goedeburen.events import teams
    from goedeburen.events.models import Invitation
    from tests.threads import all_at_once

    invitation = invitations[viewport]
    path = reverse("backoffice:invitation", args=[teams.invitation_token(invitation)])
    context = _context(browser, viewport)
    page = context.new_page()
    width = VIEWPORTS[viewport]["width"]
    page.goto(site.base_url + "/en" + path)

    def send(username):
        page.get_by_label("User name").fill(username)
        page.locator("main input[type=password]").nth(0).fill(PASSWORD)
        page.locator("main input[type=password]").nth(1).fill(PASSWORD)
        page.get_by_role("button", name="Make the account and accept").click()
        page.wait_for_load_state()

    send("eigenaar")  # the owner's
    alert = page.locator("main form").get_by_role("alert")
    assert alert.is_visible()
    assert "User name: This user name is taken; choose another." in alert.inner_text()
    assert page.title().startswith("Error:")
    _axe(page, "new account refused: user name taken")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Withdrawn meanwhile by the owner: committed in a thread of its own (its own database
    # connection, outside this test's transaction), so that the live server sees it.
    done = all_at_once(1, lambda _: teams.revoke_invitation(invitation, by=staff["owner"]))
    assert done == [None]
    send(f"nieuw-{viewport}")
    alert = page.locator("main").get_by_role("alert")
    assert alert.is_visible()
    assert alert.inner_text() == "This invitation has already been used or withdrawn."
    _axe(page, "new account refused: invitation used")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
    assert Invitation.objects.get(pk=invitation.pk).accepted_by is None


def test_finance_sets_up_a_passkey_and_signs_in_with_it(browser, site, staff, db, settings):
    # Browsers offer passkeys on https or localhost only, never on an IP address.
    base = site.base_url.replace("127.0.0.1", "localhost")
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [base]
    context = _context(browser, "1280px")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]

    _sign_in(page, base, "penningmeester")
    assert "/backoffice/account/second-factor/set-up/" in page.url
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_url("**/backoffice/account/")
    assert "Remove passkey" in page.locator("main").inner_text()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    _sign_in(page, base, "penningmeester")
    assert "/backoffice/account/second-factor/" in page.url
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(base + "/en/backoffice/")
    assert page.get_by_role("heading", name="Events").count() == 1
    from goedeburen.common.models import LogEntry

    assert LogEntry.objects.filter(
        action="second_factor.added", data__user="penningmeester", data__kind="passkey"
    ).exists()
    context.close()
