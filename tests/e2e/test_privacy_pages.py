"""The survey and the privacy part of the personal page in Chromium under axe-core, on a
phone (360 px) and a desktop screen; the organiser's privacy and survey screens too."""

import pytest

from .site import VIEWPORTS, axe_violations, describe_violations

pytestmark = pytest.mark.e2e

PHONE_WIDTH = 360


def _assert_fine(tab, where: str) -> None:
    violations = axe_violations(tab)
    if violations:
        pytest.fail(f"{where}: {describe_violations(violations)}", pytrace=False)
    if tab.viewport_size["width"] == PHONE_WIDTH:
        assert tab.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH, where


@pytest.fixture(scope="module")
def survey_people(site, django_db_blocker):
    """A confirmed participant with a known manage link, an open survey, an organiser."""
    from goedeburen.events.demo import SLUG
    from goedeburen.events.models import Event, Role, TeamMember
    from goedeburen.registration import tokens
    from goedeburen.registration.models import TicketType
    from goedeburen.survey import services
    from goedeburen.survey.models import Survey
    from goedeburen.survey.tokens import survey_token
    from tests.factories import AttendeeFactory, RegistrationFactory, UserFactory

    with django_db_blocker.unblock():
        event = Event.objects.get(slug=SLUG)
        token, hashed = tokens.new_manage_token()
        registration = RegistrationFactory(event=event, manage_token_hash=hashed, language="en")
        attendee = AttendeeFactory(
            registration=registration,
            ticket_type=TicketType.objects.filter(event=event).first(),
            photo_consent=True,
        )
        survey = Survey.objects.create(event=event, intro_nl="Vertel het ons.")
        services.add_question(survey, kind="scale", label_nl="Hoe was de dag?", required=True)
        services.add_question(
            survey, kind="single", label_nl="Kwam u terug?", options=["Ja", "Nee"]
        )
        services.add_question(
            survey, kind="multiple", label_nl="Wat hielp?", options=["Sprekers", "Lunch"]
        )
        services.add_question(survey, kind="text", label_nl="Wat kan beter?")
        services.set_state(survey, state="open")
        organiser = UserFactory(username="privacy-owner")
        TeamMember.objects.create(organiser=event.organiser, user=organiser, role=Role.OWNER)
        link = survey_token(attendee)
    yield {"event": event, "registration": registration, "token": token, "survey": link}
    with django_db_blocker.unblock():
        survey.delete()
        registration.delete()
        organiser.delete()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_survey_is_accessible_empty_and_with_an_error(visit, survey_people, viewport):
    event = survey_people["event"]
    tab = visit(f"/en/{event.slug}/survey/{survey_people['survey']}/", viewport=viewport)
    _assert_fine(tab, "survey")

    tab.get_by_role("button", name="Send my answers").click()
    tab.wait_for_load_state()

    assert tab.title().startswith("Error:")
    _assert_fine(tab, "survey with an error")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_personal_privacy_page_is_accessible(visit, survey_people, viewport):
    registration, token = survey_people["registration"], survey_people["token"]
    path = f"/en/{registration.event.slug}/register/manage/{registration.code}/{token}/privacy/"
    _assert_fine(visit(path, viewport=viewport), "your data")


def test_organiser_privacy_and_survey_screens_are_accessible(site, browser, survey_people):
    event = survey_people["event"]
    context = browser.new_context(viewport=VIEWPORTS["1280px"])
    tab = context.new_page()
    try:
        tab.goto(site.url("/en/backoffice/login/"))
        tab.get_by_label("User name").fill("privacy-owner")
        tab.get_by_label("Password").fill("correct horse battery")
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_load_state()
        for path in ("privacy/", "privacy/requests/", "survey/", "survey/results/"):
            response = tab.goto(site.url(f"/en/backoffice/{event.slug}/{path}"))
            assert response.status == 200, path
            _assert_fine(tab, path)
        response = tab.goto(
            site.url(
                f"/en/backoffice/{event.slug}/privacy/erase/{survey_people['registration'].code}/"
            )
        )
        assert response.status == 200
        _assert_fine(tab, "erase preview")
    finally:
        context.close()
