"""The event's target mix of stakeholder groups: set in the back office, checked by the
registration service (shares of 0–100 % that add up to 100 % at most), logged (issue 12)."""

from decimal import Decimal

import pytest

from goedeburen.common.models import LogEntry
from goedeburen.registration import services
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import TargetShare
from tests.backoffice.conftest import database_rows, url

pytestmark = pytest.mark.django_db


def _mix(world) -> dict:
    return dict(TargetShare.objects.filter(event=world.event).values_list("role", "share"))


def test_organiser_sets_the_target_mix_and_the_change_is_logged(owner_client, world, english):
    response = owner_client.post(
        url("target_mix", world),
        {"housing_corporation": "25", "care_welfare": "12,5", "resident": "30", "ministry": ""},
    )

    assert response.status_code == 302
    assert _mix(world) == {
        "housing_corporation": Decimal("25.00"),
        "care_welfare": Decimal("12.50"),
        "resident": Decimal("30.00"),
    }
    entry = LogEntry.objects.get(action="target_mix.changed")
    assert entry.data["changes"]["care_welfare"] == [None, "12.5"]
    page = owner_client.get(url("target_mix", world)).content.decode()
    assert 'value="12.5"' in page


def test_shares_above_100_together_are_refused_and_nothing_changes(owner_client, world, english):
    services.save_target_mix(world.event, shares={"resident": Decimal("40")}, by=None)
    before = _mix(world)

    response = owner_client.post(
        url("target_mix", world), {"housing_corporation": "60", "resident": "40,5"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The target shares add up to 100.5 %; together they may be 100 % at most."
    ]
    assert _mix(world) == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("101", "Ensure this value is less than or equal to 100."),
        ("-1", "Enter a percentage, such as 25 or 12,5."),
        ("veel", "Enter a percentage, such as 25 or 12,5."),
    ],
)
def test_a_share_that_is_no_percentage_is_refused(owner_client, world, english, value, message):
    before = database_rows()

    response = owner_client.post(url("target_mix", world), {"resident": value})

    assert response.status_code == 200
    assert response.context["form"].errors["resident"] == [message]
    assert database_rows() == before
    assert _mix(world) == {}


@pytest.mark.parametrize(
    ("shares", "code"),
    [
        ({"resident": Decimal("60"), "municipality": Decimal("41")}, "target_above_100"),
        ({"resident": Decimal("-5")}, "invalid"),
        ({"resident": Decimal("NaN")}, "invalid"),
        ({"neighbours": Decimal("5")}, "invalid"),
    ],
)
def test_service_refuses_a_mix_that_is_no_mix(world, shares, code):
    with pytest.raises(RegistrationError) as refused:
        services.save_target_mix(world.event, shares=shares, by=None)

    assert refused.value.code == code
    assert _mix(world) == {}


def test_saving_the_same_mix_again_logs_nothing(world):
    shares = {"resident": Decimal("25")}
    services.save_target_mix(world.event, shares=shares, by=None)
    services.save_target_mix(world.event, shares=shares, by=None)

    assert LogEntry.objects.filter(action="target_mix.changed").count() == 1


def test_a_share_of_0_or_empty_removes_the_target(world):
    services.save_target_mix(world.event, shares={"resident": Decimal("25")}, by=None)
    services.save_target_mix(world.event, shares={"resident": Decimal("0")}, by=None)

    assert _mix(world) == {}


def test_only_those_who_change_the_event_set_its_mix(client, world):
    from goedeburen.events.models import Role
    from tests.factories import TeamMemberFactory, UserFactory

    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=user, event=world.event, role=Role.CHECKIN)
    client.force_login(user)

    assert client.post(url("target_mix", world), {"resident": "25"}).status_code == 403
    assert _mix(world) == {}
