"""The check-in app's page without JavaScript, its JSON list, and what each role sees."""

import json

import pytest
from django.urls import reverse

from goedeburen.checkin import tickets
from goedeburen.checkin.models import CheckIn, Scan
from goedeburen.events.models import Role
from goedeburen.registration.services import AttendeeDetails

from .conftest import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def carla(event, hall, ticket, register):
    """A participant with accessibility needs (special-category data) and no photo consent."""
    registration = register(
        attendees=[
            AttendeeDetails(
                ticket_type=ticket,
                given_name="Carla",
                family_name="Rolstoel",
                role="resident",
                organisation="Portaal",
                special_category_consent=True,
                accessibility_needs="rolstoel, drempelvrije zaal",
            )
        ]
    )
    return registration.attendees.get()


def _app(event):
    return reverse("backoffice:checkin.app", kwargs={"event": event.slug})


def test_code_typed_by_a_scanner_checks_in_without_javascript(client, event, carla, ingrid):
    client.force_login(ingrid)

    response = client.post(_app(event), {"code": tickets.secret_for(carla), "nonce": "n" * 32})

    text = response.content.decode()
    assert "Ingecheckt: Carla Rolstoel" in text
    assert "Portaal" in text and "Geen foto's" in text
    assert CheckIn.objects.filter(attendee=carla).count() == 1


@pytest.mark.parametrize("code", ["", "   "])
def test_enter_on_an_empty_field_records_nothing_and_says_what_to_do(
    client, event, carla, ingrid, code
):
    client.force_login(ingrid)

    response = client.post(_app(event), {"code": code, "nonce": "n" * 32})

    answer = response.content.decode().split('id="checkin-answer-body"')[1].split("</section>")[0]
    assert response.status_code == 200
    assert "Er is niets gescand: scan een ticket of typ de code, en druk op Enter." in answer
    assert "Onbekende code" not in answer
    assert not Scan.objects.exists()


def test_search_check_in_and_undo_without_javascript(client, event, carla, ingrid):
    client.force_login(ingrid)

    found = client.get(_app(event), {"q": "carla"})
    checked = client.post(_app(event), {"attendee": carla.pk, "nonce": "a" * 32})
    undone = client.post(_app(event), {"undoes": "a" * 32, "nonce": "b" * 32})

    assert "Carla inchecken" not in found.content.decode()  # full name on the button
    assert "Carla Rolstoel inchecken" in found.content.decode()
    assert "Ingecheckt: Carla Rolstoel" in checked.content.decode()
    assert "Check-in van Carla Rolstoel ongedaan gemaakt." in undone.content.decode()
    assert CheckIn.objects.get(attendee=carla).undone is not None


def test_check_in_role_sees_no_accessibility_needs_nor_attending_role(client, event, carla, ingrid):
    client.force_login(ingrid)

    page = client.post(_app(event), {"code": tickets.secret_for(carla), "nonce": "n" * 32})
    data = client.get(reverse("backoffice:checkin.data", kwargs={"event": event.slug})).json()

    assert "rolstoel, drempelvrije" not in page.content.decode()
    assert "needs" not in json.dumps(data)
    assert "resident" not in json.dumps(data) and "Bewoner" not in json.dumps(data)


def test_editor_sees_accessibility_needs_at_the_door(client, event, carla):
    client.force_login(member(event, Role.EDITOR))

    data = client.get(reverse("backoffice:checkin.data", kwargs={"event": event.slug})).json()

    [row] = [p for p in data["people"] if p["id"] == carla.pk]
    assert row["needs"] == "rolstoel, drempelvrije zaal"


@pytest.mark.parametrize(
    "name", ["payment.overview", "invoice.list", "bank.list", "registration.list"]
)
def test_check_in_role_cannot_see_finance_or_bookings(client, event, ingrid, name):
    client.force_login(ingrid)

    response = client.get(reverse(f"backoffice:{name}", kwargs={"event": event.slug}))

    assert response.status_code == 403


def test_offline_list_holds_hashes_never_secrets(client, event, carla, ingrid):
    client.force_login(ingrid)

    data = client.get(reverse("backoffice:checkin.data", kwargs={"event": event.slug})).json()

    secret = tickets.secret_for(carla)
    assert secret not in json.dumps(data)
    assert data["tickets"][tickets.hash_secret(secret)] == [carla.pk, ""]
    assert set(data["people"][0]) == {
        "id",
        "name",
        "organisation",
        "sessions",
        "no_photos",
        "refused",
    }


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"{}",
        b'{"scans": [{"nonce": "x"}]}',
        b'{"scans": [{"nonce": "12345678", "attendee": "x"}]}',
        # JSON reads 1e309 as infinity, which is no whole number.
        b'{"scans": [{"nonce": "12345678", "attendee": 1e309}]}',
        b'{"scans": [{"nonce": "12345678", "session": -1e309}]}',
        # PostgreSQL cannot store a NUL byte; no phone of ours sends one.
        b'{"scans": [{"nonce": "12345678\\u0000", "ticket": ""}]}',
        b'{"scans": [{"nonce": "12345678", "undoes": "a\\u0000b"}]}',
        b'{"door": "Hal\\u0000", "scans": [{"nonce": "12345678", "ticket": ""}]}',
        # Nor half of a UTF-16 pair, which JSON can spell and no text may hold.
        b'{"scans": [{"nonce": "12345678\\ud800", "ticket": ""}]}',
        b'{"scans": [{"nonce": "12345678", "undoes": "a\\udfffb"}]}',
        b'{"door": "Hal\\ud83d", "scans": [{"nonce": "12345678", "ticket": ""}]}',
        # Nesting deeper than Python reads (well under the size limit): a 500 before.
        b'{"scans": ' + b"[" * 100_000,
    ],
)
def test_bad_scan_upload_is_refused_with_a_message_and_changes_nothing(
    client, event, carla, ingrid, body
):
    client.force_login(ingrid)

    response = client.post(
        reverse("backoffice:checkin.scans", kwargs={"event": event.slug}),
        body,
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"] == "Deze scan kon niet gelezen worden; scan opnieuw."
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    "at",
    [
        # Year 1 east of Greenwich is before year 1 in UTC: it could not even be shown (a
        # 500 after the check-in was stored), and PostgreSQL kept what nobody can read back.
        "0001-01-01T00:00:00+14:00",
        "0001-01-01T00:30:00+01:00",
        "2000-01-01T00:00:00Z",  # a phone whose clock was reset
    ],
)
def test_an_offline_scan_from_a_time_no_queue_is_that_old_counts_as_made_now(
    client, event, carla, ingrid, at
):
    from django.utils import timezone

    client.force_login(ingrid)
    scans = reverse("backoffice:checkin.scans", kwargs={"event": event.slug})
    body = {"offline": True, "scans": [{"nonce": "a" * 32, "attendee": carla.pk, "at": at}]}
    before = timezone.now()

    first = client.post(scans, body, content_type="application/json")
    again = client.post(scans, body, content_type="application/json")

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["results"][0]["outcome"] == "checked_in"
    assert again.json()["results"][0]["replayed"] is True
    assert before <= CheckIn.objects.get().at <= timezone.now()
    assert client.get(_app(event)).status_code == 200


def test_an_attendee_id_that_is_no_number_checks_nobody_in(client, event, carla, ingrid):
    # "²" is a digit to str.isdigit() but no number to int().
    client.force_login(ingrid)

    response = client.post(_app(event), {"attendee": "²", "nonce": "a" * 32})

    assert response.status_code == 200
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("field", ["nonce", "undoes", "door"])
def test_a_nul_byte_in_the_app_form_answers_400_and_changes_nothing(
    client, event, carla, ingrid, field
):
    client.force_login(ingrid)
    data = {"attendee": carla.pk, "nonce": "a" * 32, field: "a\x00b"}

    response = client.post(_app(event), data)

    assert response.status_code == 400
    assert "Dit adres klopt niet" in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_host_cannot_upload_scans_at_the_door(client, event, carla):
    client.force_login(member(event, Role.HOST))

    response = client.post(
        reverse("backoffice:checkin.scans", kwargs={"event": event.slug}),
        {"scans": [{"nonce": "12345678", "attendee": carla.pk}]},
        content_type="application/json",
    )

    assert response.status_code in (403, 404)
    assert CheckIn.objects.count() == 0


def test_app_page_allows_the_qr_worker_and_no_inline_script(client, event, ingrid):
    client.force_login(ingrid)

    response = client.get(_app(event))

    policy = response["Content-Security-Policy"]
    assert "worker-src 'self' blob:" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
