"""The waiting list screen (issue 12): who waits and since when, offers and their end,
a place offered out of turn (asked first), removal through the cancel page."""

import pytest

from goedeburen.common.models import LogEntry
from goedeburen.registration import services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Quota, Registration
from tests.backoffice.conftest import CONFIRM, url
from tests.factories import AttendeeFactory, RegistrationFactory, fill_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(world):
    registration = RegistrationFactory(
        event=world.event, status=RegistrationStatus.WAITING_LIST, booker_name="Wim Wachter"
    )
    AttendeeFactory(registration=registration, ticket_type=world.ticket_type)
    return registration


def _offer_url(world, registration):
    return url("waiting_list.offer", world).replace(world.registration.code, registration.code)


def test_list_shows_who_waits_since_when(owner_client, world, waiting):
    response = owner_client.get(url("waiting_list", world))

    assert [r.code for r in response.context["rows"]] == [waiting.code]
    html = response.content.decode()
    assert (
        "Wim Wachter" in html
        and url("registration.cancel", world).replace(world.registration.code, waiting.code) in html
    )


def test_a_place_is_offered_out_of_turn_after_confirmation(owner_client, world, waiting):
    path = _offer_url(world, waiting)

    assert owner_client.post(path).status_code == 200  # asked first
    assert Registration.objects.get(pk=waiting.pk).offer_until is None

    response = owner_client.post(path, CONFIRM)

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.offer_until is not None and waiting.status == RegistrationStatus.WAITING_LIST
    assert Quota.objects.get(pk=world.quota.pk).taken == 2  # the offer holds its seat
    assert LogEntry.objects.filter(action="registration.offered_by_hand").count() == 1


def test_no_place_is_offered_when_none_is_free(owner_client, world, waiting):
    fill_seats(world.ticket_type, 49)  # the quota of 50 is full

    response = owner_client.post(_offer_url(world, waiting), CONFIRM, follow=True)

    waiting.refresh_from_db()
    assert waiting.offer_until is None
    assert any(
        "sold out" in str(m) or "uitverkocht" in str(m) for m in response.context["messages"]
    )


def test_a_registration_not_waiting_is_not_offered(world):
    with pytest.raises(RegistrationError) as refused:
        services.offer_seat(world.registration, by=None)
    assert refused.value.code == "wrong_state"
