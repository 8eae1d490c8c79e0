"""A new visitor registers two attendees on a phone, with and without JavaScript.

axe-core checks the empty form, the form with its errors, the review, the confirmation and
the manage page; a script typed into a name must never run on the pages that show it; the
buyer's VAT number, typed as people do, comes back compact.
"""

import re

import pytest
from django.utils import translation

from goedeburen.events.demo import SLUG

from .site import axe_violations, describe_violations

pytestmark = pytest.mark.e2e

SCRIPT_NAME = "<script>alert('first')</script><img src=x onerror=\"alert('second')\">"


@pytest.fixture(scope="module")
def registration_open(site, django_db_blocker):
    """The demo with its date ahead and registration open; the real date again afterwards."""
    from goedeburen.events.demo import load_demo

    with django_db_blocker.unblock():
        load_demo(upcoming=True)
    yield
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def no_dialogs(_tabs):
    """Record every alert/confirm/prompt a page opens (a script that ran), and dismiss it."""
    opened = []

    def on_dialog(dialog):
        opened.append(dialog.message)
        dialog.dismiss()

    watched = []

    def watch(tab):
        tab.on("dialog", on_dialog)
        watched.append(tab)
        return tab

    yield watch, opened
    for tab in watched:
        tab.remove_listener("dialog", on_dialog)


def _assert_accessible(tab, where: str, *, javascript: bool) -> None:
    if not javascript:
        return  # axe-core is a script: it judges the pages in the JavaScript variant
    violations = axe_violations(tab)
    if violations:
        pytest.fail(f"{where}: {describe_violations(violations)}", pytrace=False)


def _fill_attendee(tab, number: int, *, given_name: str, family_name: str) -> None:
    attendee = tab.locator(f"#attendee-{number}")
    attendee.get_by_role("radio", name=re.compile("Participation")).check()
    attendee.get_by_role("textbox", name="First name", exact=True).fill(given_name)
    attendee.get_by_role("textbox", name=re.compile(r"^Last name")).fill(family_name)
    attendee.get_by_role("textbox", name=re.compile(r"^Organisation")).fill(
        "Woonstichting De Linde"
    )
    attendee.get_by_label("In which role do you take part?").select_option("housing_corporation")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_new_visitor_registers_two_attendees_on_a_phone(
    visit, registration_open, no_dialogs, javascript
):
    watch, dialogs = no_dialogs
    with translation.override("en"):
        home = f"/en/{SLUG}/"
    tab = watch(visit(home, viewport="360px", javascript=javascript))

    tab.get_by_role("link", name="Register", exact=True).first.click()
    tab.wait_for_load_state()
    assert tab.get_by_role("heading", level=1).inner_text().startswith("Register for ")
    _assert_accessible(tab, "empty form", javascript=javascript)

    tab.get_by_role("button", name="Next: check your registration", exact=True).last.click()
    tab.wait_for_load_state()
    assert tab.title().startswith("Error:")
    assert tab.locator(".reg-error-summary").is_visible()
    _assert_accessible(tab, "form with errors", javascript=javascript)

    tab.get_by_label("Your name").fill("Bea Boeker")
    tab.get_by_label("Your email address").fill("bea@example.org")
    _fill_attendee(tab, 1, given_name=SCRIPT_NAME, family_name="de Vries")
    tab.get_by_role("button", name="Add another attendee").click()
    tab.wait_for_load_state()
    assert tab.locator("#attendee-2").is_visible()
    _fill_attendee(tab, 2, given_name="Karim", family_name="El Amrani")
    tab.get_by_label("Organisation or name on the invoice").fill("Woonstichting De Linde")
    tab.get_by_label("Invoice address").fill("Lindelaan 1\n3500 AA Utrecht")
    tab.get_by_label(re.compile(r"^VAT number")).fill("nl 0044.95.445 b01")
    tab.get_by_role("radio", name="By bank transfer").check()
    tab.get_by_role("button", name="Next: check your registration", exact=True).last.click()
    tab.wait_for_load_state()
    assert tab.get_by_role("heading", level=1).inner_text() == "Check your registration"
    names = tab.locator(".reg-review-attendees").inner_text()
    assert f"{SCRIPT_NAME} de Vries" in names
    assert "Karim El Amrani" in names
    _assert_accessible(tab, "review", javascript=javascript)
    tab.get_by_role("button", name="Register for good", exact=True).click()
    tab.wait_for_load_state()

    assert tab.get_by_role("heading", level=1).inner_text() == "Thank you for registering"
    code = tab.locator(".reg-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{8}", code), code
    names = tab.locator(".card-list").get_by_role("heading", level=3).all_inner_texts()
    assert names == [f"{SCRIPT_NAME} de Vries", "Karim El Amrani"]
    _assert_accessible(tab, "confirmation", javascript=javascript)

    tab.locator(".reg-link a").click()
    tab.wait_for_load_state()
    assert code in tab.locator("main").inner_text()
    assert SCRIPT_NAME in tab.locator("main").inner_text()
    assert "NL004495445B01" in tab.locator("main").inner_text()  # the VAT number, compact
    _assert_accessible(tab, "manage page", javascript=javascript)

    assert dialogs == []
