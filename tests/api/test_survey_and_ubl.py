"""Survey results and e-invoices through the API: what the back office shows, nothing more."""

import pytest
from defusedxml import ElementTree

from goedeburen.registration.enums import RegistrationStatus
from goedeburen.survey import services
from goedeburen.survey.models import Survey
from tests.backoffice.conftest import _invoice
from tests.factories import AttendeeFactory, RegistrationFactory

from .conftest import Api, make_token

pytestmark = pytest.mark.django_db

UBL = "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"


def _survey(event, *, anonymous=True):
    survey = Survey.objects.create(event=event, anonymous=anonymous)
    services.add_question(survey, kind="scale", label_nl="Hoe was de dag?", required=True)
    services.add_question(survey, kind="text", label_nl="Wat kan beter?")
    services.set_state(survey, state="open")
    return survey


def _answers(survey, event, count):
    day, text = survey.questions.order_by("order", "pk")
    for n in range(count):
        registration = RegistrationFactory(event=event, status=RegistrationStatus.CONFIRMED)
        person = AttendeeFactory(registration=registration, given_name=f"R{n}")
        services.submit_response(
            survey,
            attendee=person,
            answers={f"q{day.pk}": str(n % 5 + 1), f"q{text.pk}": f"Tekst van R{n}"},
        )


def _results(world, scopes=("survey:read",)):
    response = Api(make_token(world, scopes=list(scopes))).get(
        f"/api/v1/events/{world.event.slug}/survey-results/"
    )
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_without_a_survey_the_results_are_empty(world):
    assert _results(world) == {
        "state": "draft",
        "anonymous": True,
        "responses": 0,
        "questions": [],
    }


def test_a_small_group_of_an_anonymous_survey_gives_no_numbers_and_no_texts(world):
    survey = _survey(world.event)
    _answers(survey, world.event, 4)

    found = _results(world)

    assert found["responses"] == 4
    for question in found["questions"]:
        (group,) = question["groups"]
        assert group["hidden"] is True
        assert group["bars"] == [] and group["texts"] == [] and group["mean"] == ""
    assert "Tekst van" not in str(found)


def test_from_five_answers_the_numbers_and_texts_are_given(world):
    survey = _survey(world.event)
    _answers(survey, world.event, 5)

    day, text = _results(world)["questions"]

    assert day["label"] == "Hoe was de dag?" and day["kind"] == "scale"
    (group,) = day["groups"]
    assert [bar["count"] for bar in group["bars"]] == [1, 1, 1, 1, 1]
    assert group["mean"] == "3.0"
    assert text["groups"][0]["texts"] == [f"Tekst van R{n}" for n in range(5)]


def test_survey_results_need_their_scope(world):
    response = Api(make_token(world, scopes=["events:read"])).get(
        f"/api/v1/events/{world.event.slug}/survey-results/"
    )

    assert response.status_code == 403


def test_an_invoice_downloads_as_ubl_from_its_link(world):
    invoice = _invoice(world)
    api = Api(make_token(world, scopes=["payments:read"]))
    listed = api.get(f"/api/v1/events/{world.event.slug}/invoices/{invoice.pk}/").json()

    response = api.get(listed["ubl"])

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response["Cache-Control"] == "private, no-store"
    root = ElementTree.fromstring(b"".join([response.content]))
    assert root.tag == UBL
    assert invoice.number in response.content.decode()


def test_an_invoice_whose_buyer_has_no_electronic_address_has_no_ubl(world):
    """Peppol requires the buyer's Peppol ID, OIN or KvK number (R010): without one the
    invoice has no e-invoice, its link is null and the download is not found."""
    invoice = _invoice(world, org_id="")
    api = Api(make_token(world, scopes=["payments:read"]))

    listed = api.get(f"/api/v1/events/{world.event.slug}/invoices/{invoice.pk}/").json()
    response = api.get(f"/api/v1/events/{world.event.slug}/invoices/{invoice.pk}/ubl/")

    assert listed["ubl"] is None
    assert response.status_code == 404
