"""Approve or reject several registrations from the list at once (issue 12)."""

import pytest

from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from tests.backoffice.conftest import url
from tests.factories import AttendeeFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def awaiting(world):
    found = []
    for _ in range(3):
        registration = RegistrationFactory(
            event=world.event, status=RegistrationStatus.AWAITING_APPROVAL
        )
        AttendeeFactory(registration=registration, ticket_type=world.ticket_type)
        found.append(registration)
    return found


def _statuses(registrations):
    return [Registration.objects.get(pk=r.pk).status for r in registrations]


def test_list_offers_a_box_only_for_registrations_awaiting_approval(owner_client, world, awaiting):
    html = owner_client.get(url("registration.list", world)).content.decode()
    for registration in awaiting:
        assert f'value="{registration.code}"' in html
    assert f'value="{world.registration.code}"' not in html  # confirmed


def test_bulk_approve_asks_first_then_approves_the_ticked(owner_client, world, awaiting):
    data = {"decision": "approve", "codes": [r.code for r in awaiting[:2]], "message": "Welkom"}

    asked = owner_client.post(url("registration.bulk", world), data)

    assert asked.status_code == 200 and "2" in asked.context["text"]
    assert _statuses(awaiting) == [RegistrationStatus.AWAITING_APPROVAL] * 3
    done = owner_client.post(url("registration.bulk", world), {**data, "confirm": "yes"})
    assert done.status_code == 302
    statuses = _statuses(awaiting)
    assert statuses[2] == RegistrationStatus.AWAITING_APPROVAL
    assert all(s != RegistrationStatus.AWAITING_APPROVAL for s in statuses[:2])


def test_bulk_reject_skips_one_no_longer_awaiting_with_the_reason(owner_client, world, awaiting):
    data = {
        "decision": "reject",
        "codes": [awaiting[0].code, world.registration.code],
        "confirm": "yes",
    }

    response = owner_client.post(url("registration.bulk", world), data, follow=True)

    assert _statuses(awaiting)[0] == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=world.registration.pk).status == "confirmed"
    problems = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(problems) == 1 and world.registration.code in problems[0]


def test_registrations_of_another_event_are_not_touched(owner_client, world, other_world):
    other = RegistrationFactory(
        event=other_world.event, status=RegistrationStatus.AWAITING_APPROVAL
    )
    data = {"decision": "approve", "codes": [other.code], "confirm": "yes"}
    owner_client.post(url("registration.bulk", world), data)
    assert Registration.objects.get(pk=other.pk).status == RegistrationStatus.AWAITING_APPROVAL


def test_list_pages_by_number_and_chosen_size(owner_client, world):
    from tests.factories import fill_seats

    fill_seats(world.ticket_type, 30)  # 31 registrations

    response = owner_client.get(url("registration.list", world), {"per_page": "25", "page": "2"})

    assert response.context["paginator"].per_page == 25
    assert len(response.context["object_list"]) == 6
    html = response.content.decode()
    assert 'aria-current="page"' in html and 'name="per_page"' in html
    assert (
        owner_client.get(url("registration.list", world), {"per_page": "7"})
        .context["paginator"]
        .per_page
        == 50
    )  # only the sizes offered


def test_bulk_decision_with_a_code_that_no_registration_has_decides_nothing(
    owner_client, world, awaiting
):
    # A NUL byte is in no code, and PostgreSQL cannot look it up (a 500 before).
    data = {"decision": "approve", "codes": ["ABC\x00", "x" * 5000], "confirm": "yes"}

    response = owner_client.post(url("registration.bulk", world), data, follow=True)

    assert response.status_code == 200
    assert "Over 0 aanmeldingen is besloten." in response.content.decode()
    assert _statuses(awaiting) == [RegistrationStatus.AWAITING_APPROVAL] * 3


def test_more_than_the_largest_page_at_once_is_refused_and_decides_nothing(
    owner_client, world, awaiting
):
    """200, the list's largest page, is the most: deciding 500 took 16 s in the request."""
    codes = [r.code for r in awaiting] + [f"ZZ{n:06d}" for n in range(197)]
    data = {"decision": "approve", "codes": codes, "confirm": "yes"}

    refused = owner_client.post(
        url("registration.bulk", world), {**data, "codes": [*codes, "X"]}, follow=True
    )
    asked = owner_client.post(url("registration.bulk", world), {**data, "confirm": ""})

    assert refused.redirect_chain
    assert "U kunt over hoogstens 200 aanmeldingen tegelijk besluiten." in (
        refused.content.decode()
    )
    assert _statuses(awaiting) == [RegistrationStatus.AWAITING_APPROVAL] * 3
    assert asked.status_code == 200 and "201" not in asked.context["text"]
    owner_client.post(url("registration.bulk", world), data)
    assert RegistrationStatus.AWAITING_APPROVAL not in _statuses(awaiting)
