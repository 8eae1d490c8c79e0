"""The registration's history says in a full sentence, in Dutch and English, what changed."""

import pytest
from django.utils import translation

from goedeburen.registration import services
from goedeburen.registration.enums import AttendingRole, RegistrationStatus
from tests.backoffice.conftest import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(world):
    """The world's registration with billing details, as a paid booking has them."""
    registration = world.registration
    registration.billing_organisation = "Woonstichting De Linde"
    registration.billing_address = "Lindelaan 1\n3511 AA Utrecht"
    registration.save()
    return registration


def _latest_sentence(client, world, language: str) -> str:
    with translation.override(language):
        response = client.get(url("registration.detail", world))
    assert response.status_code == 200
    (_entry, sentence), *_older = response.context["history"]
    assert sentence in response.content.decode()
    return sentence


SELF_SERVICE = {
    "nl": (
        "Gegevens gewijzigd: Ada de Vries: achternaam van “de Vries” naar “Jansen”; "
        "Ada de Vries: toestemming voor het doorgeven van dieetwensen en "
        "toegankelijkheidsbehoeften (gewijzigd); Ada de Vries: dieetwensen (gewijzigd)"
    ),
    "en": (
        "Details changed: Ada de Vries: last name from “de Vries” to “Jansen”; "
        "Ada de Vries: consents to sharing dietary wishes and accessibility needs (changed); "
        "Ada de Vries: dietary wishes (changed)"
    ),
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_self_service_edit_shows_what_changed(owner_client, world, booking, language):
    services.update_registration(
        booking,
        booker=services.Booker(name="Bea Boeker", email="bea@example.org"),
        attendees={
            world.attendee.pk: services.AttendeeChanges(
                given_name="Ada",
                family_name="Jansen",
                role=AttendingRole.OTHER,
                special_category_consent=True,
                dietary_wishes="Halal",
            )
        },
        billing=services.Billing(
            organisation="Woonstichting De Linde", address="Lindelaan 1\n3511 AA Utrecht"
        ),
    )

    sentence = _latest_sentence(owner_client, world, language)

    assert sentence == SELF_SERVICE[language]
    assert "Halal" not in sentence


BACK_OFFICE = {
    "nl": (
        "Gegevens gewijzigd: naam van “Bea Boeker” naar “Bea Bakker”; "
        "Ada de Vries: organisatie van “” naar “Gemeente”"
    ),
    "en": (
        "Details changed: name from “Bea Boeker” to “Bea Bakker”; "
        "Ada de Vries: organisation from “” to “Gemeente”"
    ),
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_back_office_edit_shows_what_changed(owner_client, world, booking, language):
    prefix = f"attendee-{world.attendee.pk}-"
    response = owner_client.post(
        url("registration.update", world),
        {
            "booker_name": "Bea Bakker",
            "email": "bea@example.org",
            "billing_organisation": "Woonstichting De Linde",
            "billing_address": "Lindelaan 1\n3511 AA Utrecht",
            f"{prefix}given_name": "Ada",
            f"{prefix}family_name": "de Vries",
            f"{prefix}organisation": "Gemeente",
            f"{prefix}role": AttendingRole.OTHER,
            f"{prefix}badge_name": "full",
        },
    )
    assert response.status_code == 302

    assert _latest_sentence(owner_client, world, language) == BACK_OFFICE[language]


APPROVAL = {
    "nl": "Goedgekeurd; status gewijzigd van “Wacht op goedkeuring” naar “Wacht op betaling”",
    "en": "Approved; status changed from “Awaiting approval” to “Pending payment”",
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_approval_shows_the_change_of_status(owner_client, world, language):
    world.registration.status = RegistrationStatus.AWAITING_APPROVAL
    world.registration.save()

    approved = services.approve_registration(world.registration, by=world.owner)

    assert approved.status == RegistrationStatus.PENDING_PAYMENT
    assert _latest_sentence(owner_client, world, language) == APPROVAL[language]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_cancellation_shows_its_reason(owner_client, world, language):
    services.cancel_registration(world.registration, by=world.owner, reason="Dubbel geboekt")

    expected = {
        "nl": "Geannuleerd (was “Bevestigd”): Dubbel geboekt",
        "en": "Cancelled (was “Confirmed”): Dubbel geboekt",
    }
    assert _latest_sentence(owner_client, world, language) == expected[language]
