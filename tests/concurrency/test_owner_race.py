"""Two owners of an organiser who take each other's role at once (or one revokes the other
as that one leaves), on PostgreSQL: one change is made, the other is refused as the last
owner's, and the organiser keeps one owner; never a database error (a 500 on the team
screen). Each change locked the row of the role it changes and then the owners' rows: two
changes locking them in two orders met in a deadlock. Now the organiser's team lock comes
first. The negative control takes it away: both changes are made and no owner is left."""

import pytest
from django.db import connection

from goedeburen.events import teams
from goedeburen.events.exceptions import EventError
from goedeburen.events.models import Organiser, Role, TeamMember
from tests.factories import OrganiserFactory, UserFactory
from tests.seams import Rendezvous
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def two_owners() -> tuple[Organiser, list[TeamMember]]:
    organiser = OrganiserFactory()
    owners = [
        TeamMember.objects.create(organiser=organiser, user=UserFactory(), role=Role.OWNER)
        for _ in range(2)
    ]
    return organiser, owners


def _meet_after_counting_owners(monkeypatch) -> None:
    """Hold each change, after it counted the owners left, until the other has counted too
    (or waits for a lock): without the team's lock both then find an owner left."""
    rendezvous = Rendezvous()
    owners_left = teams._owners_left

    def count_then_meet(organiser, *, without):
        left = owners_left(organiser, without=without)
        rendezvous(None)
        return left

    monkeypatch.setattr(teams, "_owners_left", count_then_meet)


def _each_takes_the_others_role(owners) -> list:
    def work(n):
        me, other = owners[n], owners[1 - n]
        if n == 0:
            return teams.revoke_role(other, by=me.user)
        return teams.change_role(other, role=Role.FINANCE, by=me.user)

    return all_at_once(2, work)


def test_two_owners_taking_each_others_role_at_once_leave_one_owner(two_owners, monkeypatch):
    organiser, owners = two_owners
    _meet_after_counting_owners(monkeypatch)

    results = _each_takes_the_others_role(owners)

    refused = [r for r in results if isinstance(r, EventError)]
    assert len(refused) == 1, results
    assert refused[0].code == "last_owner"
    assert not [r for r in results if isinstance(r, Exception) and r not in refused], results
    assert TeamMember.objects.filter(organiser=organiser, role=Role.OWNER).count() == 1


def test_an_owner_leaving_as_the_other_revokes_them_leaves_one_owner(two_owners, monkeypatch):
    organiser, owners = two_owners
    _meet_after_counting_owners(monkeypatch)

    def work(n):
        if n == 0:
            return teams.leave(owners[0], user=owners[0].user)
        return teams.revoke_role(owners[1], by=owners[0].user)

    results = all_at_once(2, work)

    assert sorted(type(r).__name__ for r in results) == ["EventError", "NoneType"], results
    assert TeamMember.objects.filter(organiser=organiser, role=Role.OWNER).count() == 1


def test_negative_control_without_the_team_lock_no_owner_is_left(two_owners, monkeypatch):
    organiser, owners = two_owners
    _meet_after_counting_owners(monkeypatch)
    monkeypatch.setattr(teams, "lock_team", lambda organiser_id: None)

    results = _each_takes_the_others_role(owners)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert not TeamMember.objects.filter(organiser=organiser, role=Role.OWNER).exists()
