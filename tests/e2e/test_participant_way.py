"""The participant's way through on a phone (360 px), in Dutch and English, without traps
(issue 17): a double click or Back and send again makes one registration and shows the
link; sold out shows before the form is filled in; a lapsed registration says why and leads
back; a bank-transfer payer ranks sessions; the language switch keeps what was typed; a
visitor's crafted message never reaches another visitor; an edit from a form opened before
another change, and a choice of sessions sent after the registration was cancelled, are
refused with a message on the page. axe-core checks every new page."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from goedeburen.events.demo import SLUG

from .site import VIEWPORTS, axe_violations, describe_violations
from .test_registration_flow import registration_open  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("registration_open")]


@pytest.fixture
def phone(browser, site, db):
    """A fresh browser context (its own cookies) on a phone, with or without JavaScript."""
    opened = []

    def open_tab(*, javascript: bool = True, viewport: str = "360px"):
        context = browser.new_context(
            base_url=site.base_url,
            viewport=VIEWPORTS[viewport],
            java_script_enabled=javascript,
            reduced_motion="reduce",
        )
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        problems = []
        tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda error: problems.append(str(error)))
        tab.problems = problems
        opened.append(context)
        return tab

    yield open_tab
    for context in opened:
        context.close()


def _path(language: str, rest: str) -> str:
    return (f"/{SLUG}/" if language == "nl" else f"/en/{SLUG}/") + rest


def _accessible(tab, where: str) -> None:
    violations = axe_violations(tab)
    if violations:
        pytest.fail(f"{where}: {describe_violations(violations)}", pytrace=False)
    width = tab.viewport_size["width"]
    assert tab.evaluate("() => document.documentElement.scrollWidth") <= width, where
    assert tab.problems == [], tab.problems


def _fill(
    tab, *, email: str, given_name: str = "Ada", ticket: str = "", provider: str = "invoice"
) -> None:
    """Fill in the form for one attendee, by field name (the same in both languages)."""
    tab.fill('[name="booker-name"]', "Bea Boeker")
    tab.fill('[name="booker-email"]', email)
    radios = tab.locator('[name="attendee-0-ticket_type"]')
    (radios.locator(f"xpath=self::*[@value='{ticket}']") if ticket else radios.first).check()
    tab.fill('[name="attendee-0-given_name"]', given_name)
    tab.fill('[name="attendee-0-family_name"]', "de Vries")
    tab.select_option('[name="attendee-0-role"]', "housing_corporation")
    if tab.locator('[name="billing-organisation"]').is_visible():
        tab.fill('[name="billing-organisation"]', "Woonstichting De Linde")
        tab.fill('[name="billing-address"]', "Lindelaan 1\n3500 AA Utrecht")
        tab.locator(f'[name="payment-provider"][value="{provider}"]').check()


def _registrations(email: str) -> int:
    from goedeburen.registration.models import Registration

    return Registration.objects.filter(email=email).count()


def _final_button(tab, language: str):
    """Go from the form to the review; return the review's one binding button."""
    name = (
        "Verder: controleer uw aanmelding" if language == "nl" else "Next: check your registration"
    )
    tab.locator(".reg-actions").get_by_role("button", name=name, exact=True).click()
    tab.wait_for_load_state()
    name = "Definitief aanmelden" if language == "nl" else "Register for good"
    return tab.locator(".reg-actions").get_by_role("button", name=name, exact=True)


def _wait_for_done_after_a_double_click(tab) -> None:
    """Wait for the confirmation page. Without JavaScript the second click's POST aborts
    the first one's navigation, and Playwright may report that abort while it waits
    (`net::ERR_ABORTED`, seen once in CI): the second navigation goes on, so wait again."""
    for _ in range(2):
        try:
            tab.wait_for_url(re.compile(r"/register/done/"))
            return
        except PlaywrightError as error:
            if "ERR_ABORTED" not in str(error):
                raise
    tab.wait_for_url(re.compile(r"/register/done/"))


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_double_click_on_the_final_button_makes_one_registration_and_shows_the_link(
    phone, language, javascript
):
    email = f"dubbel-{language}-{javascript}@example.org"
    tab = phone(javascript=javascript)
    tab.goto(_path(language, "register/"))
    _fill(tab, email=email)

    # Without JavaScript both clicks reach the server: the second answer must show the link.
    _final_button(tab, language).dblclick()
    _wait_for_done_after_a_double_click(tab)

    assert _registrations(email) == 1
    assert "/register/manage/" in tab.locator(".reg-link a").get_attribute("href")
    if javascript:
        _accessible(tab, "confirmation")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_back_and_send_again_is_the_same_registration(phone, language):
    email = f"terug-{language}@example.org"
    tab = phone()
    tab.goto(_path(language, "register/"))
    _fill(tab, email=email)
    _final_button(tab, language).click()
    tab.wait_for_url(re.compile(r"/register/done/"))
    link = tab.locator(".reg-link a").get_attribute("href")

    # Back past the review to the form (two steps at once: Playwright's Chromium keeps no
    # back-forward cache, so the review, the answer to a POST, cannot be shown again), and
    # through the review and its binding button once more.
    tab.evaluate("history.go(-2)")
    tab.wait_for_url(re.compile(r"/register/$"))
    _fill(tab, email=email)  # what the browser restored, or typed again: the same people
    _final_button(tab, language).click()
    tab.wait_for_url(re.compile(r"/register/done/"))

    assert _registrations(email) == 1
    assert tab.locator(".reg-link a").get_attribute("href") == link
    assert tab.locator(".utrecht-alert--info").is_visible()
    _accessible(tab, "confirmation of a form sent again")


@pytest.fixture(scope="module")
def lapsed(registration_open, django_db_blocker):  # noqa: F811
    """A registration whose hold ran out unpaid (cancelled by the expiry), with its link."""
    from goedeburen.events.models import Event
    from goedeburen.registration import tokens
    from goedeburen.registration.enums import CancelReason, RegistrationStatus
    from goedeburen.registration.models import TicketType
    from tests.factories import AttendeeFactory, RegistrationFactory

    with django_db_blocker.unblock():
        event = Event.objects.get(slug=SLUG)
        token, hashed = tokens.new_manage_token()
        registration = RegistrationFactory(
            event=event,
            manage_token_hash=hashed,
            status=RegistrationStatus.CANCELLED,
            cancel_reason=CancelReason.HOLD_EXPIRED,
        )
        AttendeeFactory(
            registration=registration, ticket_type=TicketType.objects.filter(event=event).first()
        )
    yield registration, token
    with django_db_blocker.unblock():
        registration.delete()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_lapsed_hold_says_why_and_leads_back_to_the_form(lapsed, phone, language):
    registration, token = lapsed
    tab = phone()
    tab.goto(_path(language, f"register/manage/{registration.code}/{token}/"))

    status = tab.locator(".reg-status").inner_text()
    assert ("niet op tijd betaald" if language == "nl" else "not paid in time") in status
    # Only what still applies: no calendar, no mailing switch.
    assert tab.locator('a[href*="calendar.ics"]').count() == 0
    assert tab.locator('[name="opted_out"]').count() == 0
    _accessible(tab, "lapsed registration")

    tab.get_by_role(
        "link", name="Opnieuw aanmelden" if language == "nl" else "Register again"
    ).click()
    tab.wait_for_url(re.compile(r"/register/$"))
    assert tab.locator('[name="booker-name"]').is_visible()


def test_a_bank_transfer_payer_ranks_sessions_and_sees_the_ranking(phone):
    email = "overboeking@example.org"
    tab = phone(javascript=False)  # the plain selects that work on any phone
    tab.goto(_path("en", "register/"))
    _fill(tab, email=email, provider="bank_transfer")
    _final_button(tab, "en").click()
    tab.wait_for_url(re.compile(r"/register/done/"))
    tab.locator(".reg-link a").click()
    tab.wait_for_load_state()

    tab.get_by_role("link", name="Choose your sessions").click()
    tab.wait_for_load_state()
    first_choice = tab.locator("select").first
    options = first_choice.locator("option").all_inner_texts()
    first_choice.select_option(index=1)
    tab.get_by_role("button", name="Save my choice").click()
    tab.wait_for_load_state()

    shown = tab.locator(".reg-rankings").inner_text()
    assert f"1. {options[1]}" in shown
    sessions_page = tab.get_by_role("link", name="Change your choice of sessions").get_attribute(
        "href"
    )
    with_script = phone()  # the pages as most visitors see them, with their scripts
    with_script.goto(tab.url)
    _accessible(with_script, "personal page with the ranking")
    with_script.goto(sessions_page)
    with_script.locator(".rank-about").first.locator("summary").click()
    _accessible(with_script, "ranking page with the sessions described")
    from goedeburen.matching.models import Ranking

    assert Ranking.objects.filter(attendee__registration__email=email).count() == 1


@pytest.mark.parametrize(("start", "other"), [("nl", "English"), ("en", "Nederlands")])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_language_switch_keeps_what_was_typed(phone, start, other, javascript):
    tab = phone(javascript=javascript)
    tab.goto(_path(start, "register/"))
    _fill(tab, email="taal@example.org", given_name="Fatima")

    tab.get_by_role("button", name=other).click()
    tab.wait_for_load_state()

    assert tab.locator("html").get_attribute("lang") != start
    assert tab.input_value('[name="booker-email"]') == "taal@example.org"
    assert tab.input_value('[name="attendee-0-given_name"]') == "Fatima"
    assert tab.input_value('[name="attendee-0-role"]') == "housing_corporation"
    assert _registrations("taal@example.org") == 0
    if javascript:
        _accessible(tab, "form after switching language")


CRAFTED = "LET OP: conferentie AFGELAST – restitutie via example.org"


@pytest.fixture(scope="module")
def substitutable(registration_open, django_db_blocker):  # noqa: F811
    """A registration with one attendee and a known link, committed for the live server."""
    from goedeburen.events.models import Event
    from goedeburen.registration import tokens
    from goedeburen.registration.models import TicketType
    from tests.factories import AttendeeFactory, RegistrationFactory

    with django_db_blocker.unblock():
        event = Event.objects.get(slug=SLUG)
        token, hashed = tokens.new_manage_token()
        registration = RegistrationFactory(event=event, manage_token_hash=hashed)
        attendee = AttendeeFactory(
            registration=registration, ticket_type=TicketType.objects.filter(event=event).first()
        )
    yield registration, token, attendee
    with django_db_blocker.unblock():
        registration.delete()


def test_a_crafted_substitution_name_never_reaches_another_visitor(substitutable, phone):
    registration, token, attendee = substitutable
    manage = f"register/manage/{registration.code}/{token}/"
    visitor, other = phone(), phone()
    visitor.goto(_path("nl", manage))
    visitor.goto(_path("nl", f"{manage}attendees/{attendee.pk}/substitute/"))
    # Sent as the browser sends it (its cookies, its CSRF token), but the redirect to the
    # personal page is not followed: the message naming the substitute waits for the
    # visitor's next page, the event page, which the cache could keep.
    substitute = _path("nl", f"{manage}attendees/{attendee.pk}/substitute/")
    answer = visitor.context.request.post(
        substitute,
        form={
            "csrfmiddlewaretoken": visitor.input_value('[name="csrfmiddlewaretoken"]'),
            "given_name": CRAFTED,
        },
        max_redirects=0,
    )
    assert answer.status == 302

    visitor.goto(_path("nl", ""))
    other.goto(_path("nl", ""))
    again = phone()
    again.goto(_path("nl", ""))

    assert CRAFTED in visitor.locator("main").inner_text()  # their own page
    assert CRAFTED not in other.locator("main").inner_text()
    assert CRAFTED not in again.locator("main").inner_text()
    _accessible(other, "event page")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_dead_link_gets_a_friendly_page_with_the_way_to_a_new_one(phone, language):
    tab = phone()
    response = tab.goto(_path(language, "register/manage/ABCDEFGH/wrong-token/"))

    assert response.status == 404
    assert tab.locator("html").get_attribute("lang") == language
    tab.problems.clear()  # the 404 itself is the console's one error
    link = tab.locator("main").get_by_role(
        "link",
        name="Stuur mij mijn persoonlijke link" if language == "nl" else "Send me my personal link",
    )
    assert link.get_attribute("href").endswith(f"/{SLUG}/register/link/")
    _accessible(tab, "404 page")

    link.click()
    tab.wait_for_load_state()
    _accessible(tab, "link page")


@pytest.fixture(scope="module")
def meanwhile(registration_open, django_db_blocker):  # noqa: F811
    """Per viewport two confirmed registrations of one attendee with known links: one to
    edit from two tabs, one to cancel while its sessions are being chosen."""
    from goedeburen.events.models import Event
    from goedeburen.registration import tokens
    from goedeburen.registration.models import TicketType
    from tests.factories import AttendeeFactory, RegistrationFactory

    made = {}
    with django_db_blocker.unblock():
        event = Event.objects.get(slug=SLUG)
        ticket = TicketType.objects.get(event=event, name_nl="Deelname")
        for viewport in VIEWPORTS:
            for use in ("edit", "sessions"):
                token, hashed = tokens.new_manage_token()
                registration = RegistrationFactory(
                    event=event,
                    manage_token_hash=hashed,
                    status="confirmed",
                    billing_organisation="Woonstichting De Linde",
                    billing_address="Lindelaan 1\n3511 AA Utrecht",
                )
                AttendeeFactory(registration=registration, ticket_type=ticket)
                made[viewport, use] = (
                    registration,
                    f"register/manage/{registration.code}/{token}/",
                )
    # Left for the package's flush: a cancelled registration keeps its settlement.
    return made


# Dutch on the phone, English on the desktop: each message is read in both languages.
LANGUAGE_OF = {"360px": "nl", "1280px": "en"}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_edit_from_a_form_opened_before_another_change_says_so_on_the_form(
    phone, meanwhile, viewport
):
    language = LANGUAGE_OF[viewport]
    registration, manage = meanwhile[viewport, "edit"]
    edit = _path(language, f"{manage}edit/")
    save = "Wijzigingen opslaan" if language == "nl" else "Save changes"
    earlier, later = phone(viewport=viewport), phone(viewport=viewport)
    earlier.goto(edit)
    later.goto(edit)
    later.fill('[name="booker-name"]', "Bea Later")
    later.get_by_role("button", name=save).click()
    later.wait_for_load_state()

    earlier.fill('[name="booker-name"]', "Bea Eerder")
    earlier.get_by_role("button", name=save).click()
    earlier.wait_for_load_state()

    alert = earlier.locator("main").get_by_role("alert")
    expected = (
        "Uw wijzigingen zijn niet opgeslagen: deze aanmelding is intussen veranderd"
        if language == "nl"
        else "Your changes were not saved: this registration was changed in the meantime"
    )
    assert alert.is_visible()
    assert expected in alert.inner_text()
    assert earlier.title().startswith("Fout:" if language == "nl" else "Error:")
    assert earlier.input_value('[name="booker-name"]') == "Bea Later"  # as it is now
    _accessible(earlier, "edit form refused: changed meanwhile")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_choice_of_sessions_sent_after_a_cancellation_says_so(phone, meanwhile, viewport):
    language = LANGUAGE_OF[viewport]
    registration, manage = meanwhile[viewport, "sessions"]
    choosing, cancelling = phone(viewport=viewport), phone(viewport=viewport)
    choosing.goto(_path(language, f"{manage}sessions/"))
    cancelling.goto(_path(language, f"{manage}cancel/"))
    cancelling.get_by_role(
        "button",
        name="Ja, annuleer mijn aanmelding" if language == "nl" else "Yes, cancel my registration",
    ).click()
    cancelling.wait_for_load_state()

    choosing.get_by_role(
        "button", name="Mijn keuze opslaan" if language == "nl" else "Save my choice"
    ).click()
    choosing.wait_for_load_state()

    alert = choosing.locator("main").get_by_role("alert")
    expected = "Uw keuze is niet opgeslagen." if language == "nl" else "Your choice was not saved."
    assert alert.is_visible()
    assert expected in alert.inner_text()
    assert choosing.locator("main form").count() == 0  # nothing left to send
    _accessible(choosing, "session choice refused: cancelled meanwhile")
    from goedeburen.matching.models import Ranking

    assert Ranking.objects.filter(attendee__registration=registration).count() == 0
