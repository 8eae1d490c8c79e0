"""The privacy screens: the personal page's part, the statement, the organiser's erasure."""

import io
import json

import pytest
from pypdf import PdfReader

from goedeburen.privacy.models import ConsentRecord, Erasure, ErasureRequest, PrivacyStatement
from goedeburen.registration import services as registration_services
from goedeburen.registration.models import Attendee, Registration
from tests import factories

from .conftest import database_text

pytestmark = pytest.mark.django_db


def _user(event, role):
    user = factories.UserFactory()
    factories.TeamMemberFactory(organiser=event.organiser, user=user, role=role, event=event)
    return user


def _privacy_url(registration, token, suffix=""):
    return (
        f"/{registration.event.slug}/register/manage/{registration.code}/{token}/privacy/{suffix}"
    )


def test_statement_names_the_organiser_and_the_periods_from_the_settings(client, event):
    from goedeburen.privacy.models import PrivacySettings

    PrivacySettings.objects.create(event=event, special_category_days=14, anonymise_months=18)

    html = client.get(f"/{event.slug}/privacy/").content.decode()

    assert event.organiser.name in html
    assert "14 dagen na het evenement" in html and "18 maanden" in html


def test_personal_page_withdraws_a_consent_and_asks_for_erasure(
    client, register, event, free_ticket
):
    registration = register(
        free_ticket,
        event=event,
        attendees=[factories.attendee(free_ticket, photo_consent=True)],
    )
    token = registration.manage_token
    attendee = Attendee.objects.get(registration=registration)

    assert client.get(_privacy_url(registration, token)).status_code == 200
    response = client.post(
        _privacy_url(registration, token),
        {"action": "withdraw", "kind": "photos", "attendee": attendee.pk},
    )
    assert response.status_code == 302
    attendee.refresh_from_db()
    assert attendee.photo_consent is False
    client.post(_privacy_url(registration, token), {"action": "erase"})
    assert ErasureRequest.objects.get(registration=registration).state == "open"


@pytest.mark.parametrize(
    "data",
    [
        {"action": "withdraw", "kind": "photos", "attendee": "x"},
        {"action": "withdraw", "kind": "privacy_statement", "attendee": "1"},
        {"action": "nonsense"},
    ],
)
def test_bad_input_on_the_personal_page_changes_nothing(client, register, event, free_ticket, data):
    registration = register(free_ticket, event=event)
    before = ConsentRecord.objects.count()

    response = client.post(_privacy_url(registration, registration.manage_token), data)

    assert response.status_code in (200, 400)
    assert ConsentRecord.objects.count() == before


def test_export_as_json_and_pdf(client, register, event, free_ticket):
    registration = register(free_ticket, event=event, name="Bea Boeker")
    token = registration.manage_token

    data = json.loads(client.get(_privacy_url(registration, token, "export.json")).content)
    pdf = client.get(_privacy_url(registration, token, "export.pdf")).content

    assert data["registration"]["booker_name"] == "Bea Boeker"
    assert {c["kind"] for c in data["consents"]} >= {"privacy_statement", "mailings"}
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Bea Boeker" in text and registration.code in text
    assert client.get(_privacy_url(registration, "wrong", "export.json")).status_code == 404


def test_organiser_previews_then_erases_on_request(client, register, event, free_ticket):
    registration = register(free_ticket, event=event, name="Bea Telefoon")
    registration_services.cancel_registration(registration, by=None, reason="")
    client.force_login(_user(event, "owner"))
    url = f"/backoffice/{event.slug}/privacy/erase/{registration.code}/"
    before = database_text()

    preview = client.get(url)
    refused = client.post(url, {})  # not confirmed

    assert preview.status_code == 200 and "Bea Telefoon" not in preview.content.decode()
    assert refused.status_code == 200 and database_text() == before
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert Erasure.objects.filter(registration=registration).exists()
    assert ErasureRequest.objects.get().source == "staff"
    assert Registration.objects.get(pk=registration.pk).booker_name == "—"


@pytest.mark.parametrize("role", ["finance", "checkin"])
def test_other_roles_may_not_erase_or_edit_the_statement(
    client, register, event, free_ticket, role
):
    registration = register(free_ticket, event=event)
    client.force_login(_user(event, role))

    assert (
        client.get(f"/backoffice/{event.slug}/privacy/erase/{registration.code}/").status_code
        == 403
    )
    assert (
        client.post(
            f"/backoffice/{event.slug}/privacy/", {"form": "statement", "text_nl": "x"}
        ).status_code
        == 403
    )
    assert not PrivacyStatement.objects.exists()


def test_organiser_saves_a_new_statement_version(client, event):
    client.force_login(_user(event, "owner"))

    page = client.get(f"/backoffice/{event.slug}/privacy/")
    client.post(
        f"/backoffice/{event.slug}/privacy/",
        {"form": "statement", "text_nl": "## Wij\n\n{{ organiser }}"},
    )

    assert page.status_code == 200
    assert PrivacyStatement.objects.get().version == 1
    assert event.organiser.name in client.get(f"/{event.slug}/privacy/").content.decode()


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_erasure_requests_list_costs_the_same_queries_for_1_and_3_rows(
    client, register, event, free_ticket
):
    from goedeburen.privacy import services

    client.force_login(_user(event, "owner"))
    url = f"/backoffice/{event.slug}/privacy/requests/"
    services.ask_erasure(register(free_ticket, event=event, email="p0@example.org"))
    one = _queries(client, url)
    for n in (1, 2):
        services.ask_erasure(register(free_ticket, event=event, email=f"p{n}@example.org"))

    assert _queries(client, url) == one


@pytest.mark.parametrize("value", ["abc", "", "999999", "²"])
def test_bad_request_id_is_refused_with_a_message(client, event, value):
    client.force_login(_user(event, "owner"))
    path = f"/backoffice/{event.slug}/privacy/requests/"

    response = client.post(path, {"request": value}, follow=True)

    assert response.redirect_chain == [(path, 302)]
    assert "Dat verzoek hoort niet bij dit evenement." in response.content.decode()


@pytest.mark.parametrize("form", [None, "", "other", "settings\x00"])
def test_a_form_the_privacy_screen_does_not_have_saves_nothing_and_says_so(client, event, form):
    from goedeburen.privacy.models import PrivacySettings

    client.force_login(_user(event, "owner"))
    path = f"/backoffice/{event.slug}/privacy/"
    data = {"text_nl": "## Wij", "text_en": "## We", "registrations_months": "1"}
    if form is not None:
        data["form"] = form

    response = client.post(path, data, follow=True)

    assert response.redirect_chain == [(path, 302)]
    assert "Dit formulier is niet herkend, dus er is niets opgeslagen." in response.content.decode()
    assert not PrivacyStatement.objects.exists()
    assert not PrivacySettings.objects.exists()
