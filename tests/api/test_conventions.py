import datetime as dt

import pytest
import yaml
from django.core.cache import cache
from django.utils import timezone

from goedeburen.registration.models import Registration
from tests.factories import AttendeeFactory, RegistrationFactory


def _registrations(world):
    return f"/api/v1/events/{world.event.slug}/registrations/"


def test_lists_are_paged_with_next_and_previous_links(api, world):
    for _ in range(4):
        AttendeeFactory(
            registration=RegistrationFactory(event=world.event), ticket_type=world.ticket_type
        )

    first = api.get(_registrations(world) + "?page_size=2").json()
    second = api.get(first["next"]).json()

    assert len(first["results"]) == 2 and first["previous"] is None
    assert len(second["results"]) == 2 and second["previous"]
    codes = [r["code"] for r in first["results"] + second["results"]]
    assert len(set(codes)) == 4


# "²" is a digit to str.isdigit() but no number to int().
@pytest.mark.parametrize("size", ["0", "501", "100000", "-1", "x", "1.5", "²"])
def test_a_page_size_outside_1_to_500_is_a_problem(api, world, size):
    response = api.get(_registrations(world) + f"?page_size={size}")

    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


# Made-up cursors (base64 of "p=2026-13-45", "p=1e5", "p=%00", and not base64 at all): the
# position must be an id, else the database lookup failed with a 500.
@pytest.mark.parametrize("cursor", ["cD0yMDI2LTEzLTQ1", "cD0xZTU=", "cD0lMDA=", "%ff"])
@pytest.mark.parametrize("path", ["registrations/", "rounds/", "rooms/"])
def test_a_cursor_we_did_not_make_is_not_found(api, world, path, cursor):
    response = api.get(f"/api/v1/events/{world.event.slug}/{path}?cursor={cursor}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("value", ["paid", "CONFIRMED", "%00", "a%00b"])
def test_an_unknown_registration_status_is_a_problem(api, world, value):
    # A NUL byte reached the database before, which refused it: a 500.
    response = api.get(_registrations(world) + f"?status={value}")

    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_the_status_filter_gives_the_registrations_of_that_status(api, world):
    RegistrationFactory(event=world.event, status="cancelled")

    response = api.get(_registrations(world) + "?status=cancelled")

    assert [r["status"] for r in response.json()["results"]] == ["cancelled"]


@pytest.mark.parametrize("value", ["attendees,secrets", "", "attendees,"])
def test_an_unknown_or_empty_expand_is_a_problem(api, world, value):
    response = api.get(_registrations(world) + f"?expand={value}")

    assert response.status_code == 400
    assert response.json()["errors"]["expand"][0].startswith("Kan niet uitklappen: ")


def test_updated_since_filters_and_a_bad_value_is_a_problem(api, world):
    later = timezone.now() + dt.timedelta(minutes=5)
    Registration.objects.filter(pk=world.registration.pk).update(updated=later)
    old = RegistrationFactory(event=world.event)
    Registration.objects.filter(pk=old.pk).update(updated=timezone.now() - dt.timedelta(days=3))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()

    found = api.get(_registrations(world), QUERY_STRING="").json()
    recent = api.client.get(
        _registrations(world), {"updated_since": since}, headers=api.headers
    ).json()
    bad = api.get(_registrations(world) + "?updated_since=yesterday")

    assert {r["code"] for r in found["results"]} == {world.registration.code, old.code}
    assert [r["code"] for r in recent["results"]] == [world.registration.code]
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"


def test_expand_includes_the_related_objects(api, world):
    plain = api.get(_registrations(world)).json()["results"][0]
    expanded = api.get(_registrations(world) + "?expand=attendees").json()["results"][0]

    assert plain["attendees"] == [world.attendee.pk]
    assert expanded["attendees"][0]["given_name"] == "Ada"


def test_a_read_carries_an_etag_and_if_none_match_answers_304(api, world):
    first = api.get(_registrations(world))

    again = api.get(_registrations(world), **{"If-None-Match": first["ETag"]})

    assert first["ETag"].startswith('"')
    assert again.status_code == 304
    assert again.content == b""


def test_too_many_requests_get_429_with_retry_after(api, world, settings):
    cache.clear()
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    from goedeburen.api.rest import TokenThrottle

    original = TokenThrottle.THROTTLE_RATES
    TokenThrottle.THROTTLE_RATES = {**rates, "token": "3/min"}
    try:
        statuses = [api.get(_registrations(world)).status_code for _ in range(4)]
        last = api.get(_registrations(world))
    finally:
        TokenThrottle.THROTTLE_RATES = original

    assert statuses == [200, 200, 200, 429]
    assert int(last["Retry-After"]) > 0
    assert last["Content-Type"] == "application/problem+json"


def test_the_openapi_document_is_served_as_3_1_and_describes_expand(client):
    response = client.get("/api/v1/schema/")

    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.1")
    parameters = document["paths"]["/api/v1/events/{event}/registrations/"]["get"]["parameters"]
    assert {p["name"] for p in parameters} >= {"expand", "updated_since", "cursor", "page_size"}
    # Our token, as `api.schema` describes it (loaded with the API's URLs).
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_reference_pages_load_only_from_this_site(client):
    response = client.get("/api/v1/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


def test_the_generated_document_is_valid_and_has_no_warnings():
    from django.core.management import call_command

    # Raises on any warning or error of drf-spectacular, and validates against OpenAPI 3.1.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_the_dashboard_links_the_organisers_api_screens(owner_client_for_world, world):
    html = owner_client_for_world.get("/backoffice/").content.decode()

    assert f"/backoffice/organisers/{world.organiser.slug}/api/" in html
    assert f"/backoffice/organisers/{world.organiser.slug}/webhooks/" in html


def test_the_openapi_document_describes_the_buyers_vat_number(client):
    document = yaml.safe_load(client.get("/api/v1/schema/").content)
    schemas = document["components"]["schemas"]

    sent = schemas["NewBillingRequest"]["properties"]["vat_number"]
    assert (sent["type"], sent["maxLength"]) == ("string", 20)
    assert "BT-48" in sent["description"]
    assert (
        "NL001234567B01"
        in schemas["Registration"]["properties"]["billing_vat_number"]["description"]
    )
    assert "buyer_vat_number" in schemas["Invoice"]["properties"]
