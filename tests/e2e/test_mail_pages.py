"""The mail pages of the event site in Chromium: the contact form (empty, with errors, sent)
and the page of the unsubscribe link, under axe-core, on a phone and a desktop screen."""

import pytest
from django.urls import reverse
from django.utils import translation

from goedeburen.events.demo import SLUG
from goedeburen.events.models import Event
from goedeburen.mail.placeholders import unsubscribe_token

from .site import LANGUAGES, VIEWPORTS, axe_violations, describe_violations, page_path

pytestmark = pytest.mark.e2e

PHONE_WIDTH = 360


def _assert_fine(tab, where: str) -> None:
    violations = axe_violations(tab)
    if violations:
        pytest.fail(f"{where}: {describe_violations(violations)}", pytrace=False)
    if tab.viewport_size["width"] == PHONE_WIDTH:
        assert tab.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_contact_form_empty_and_with_errors_is_accessible(visit, viewport):
    tab = visit(page_path("contact", "en"), viewport=viewport)
    _assert_fine(tab, "empty form")
    assert not tab.get_by_label("Leave this field empty").is_visible()

    tab.get_by_role("button", name="Send message").click()
    tab.wait_for_load_state()

    assert tab.title().startswith("Error:")
    _assert_fine(tab, "form with errors")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_contact_form_sent_is_accessible(visit, viewport):
    tab = visit(page_path("contact", "en"), viewport=viewport)

    tab.get_by_label("Your name").fill("Karin Kwast")
    tab.get_by_label("Your email address").fill("karin@example.org")
    tab.get_by_label("Your message").fill("Is er parkeerplek bij Het Huis van Portaal?")
    tab.get_by_role("button", name="Send message").click()
    tab.wait_for_load_state()

    assert tab.get_by_text("Your message is on its way to the secretariat").is_visible()
    _assert_fine(tab, "message sent")


def _unsubscribe_path(language: str, email: str) -> str:
    event = Event.objects.get(slug=SLUG)
    with translation.override(language):
        return reverse(
            "public:mail.unsubscribe",
            kwargs={"event": SLUG, "token": unsubscribe_token(event, email)},
        )


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_unsubscribe_page_is_accessible(visit, language, viewport):
    tab = visit(_unsubscribe_path(language, "ann@example.org"), viewport=viewport)

    _assert_fine(tab, "asking")


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_unsubscribe_page_after_opting_out_is_accessible(visit, language, viewport):
    email = f"{language}{viewport}@example.org"
    tab = visit(_unsubscribe_path(language, email), viewport=viewport)

    tab.locator("main button[type=submit]").click()
    tab.wait_for_load_state()

    _assert_fine(tab, "opted out")
    assert Event.objects.get(slug=SLUG).mail_opt_outs.filter(email=email).exists()
