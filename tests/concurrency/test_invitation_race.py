"""An invitation's new-account form sent twice at once (a double click, two tabs) on
PostgreSQL: one account, one role, and the second told the invitation was used, never a
server error. The negative control takes the invitation's row lock away and shows both
forms reaching the account's unique user name. Likewise two organisers' invitations of one
address, accepted at once with two new user names: one account, the second sent to sign
in; without the address's lock, two accounts."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from goedeburen.events import teams
from goedeburen.events.exceptions import EventError
from goedeburen.events.models import Invitation, Role, TeamMember
from tests.factories import OpenEventFactory, UserFactory
from tests.seams import Rendezvous
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zeer-geheim-42x!"


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def _invitation(email: str = "nieuw@example.org") -> Invitation:
    event = OpenEventFactory()
    owner = UserFactory()
    TeamMember.objects.create(organiser=event.organiser, user=owner, role=Role.OWNER)
    return teams.invite(
        event.organiser, email=email, role=Role.EDITOR, event=event, by=owner, language="nl"
    )


def _meet_after_looking_for_the_account(monkeypatch, rendezvous) -> None:
    """Take the address's lock away and make each thread meet the other after it found no
    account for the address: neither can have made its account before the other looked."""
    exists = teams.account_exists_for

    def look_and_meet(email):
        found = exists(email)
        rendezvous(None)
        return found

    monkeypatch.setattr(teams, "lock_account_address", lambda email: None)
    monkeypatch.setattr(teams, "account_exists_for", look_and_meet)


def _twice_at_once(invitations, monkeypatch, *, lock: bool = True) -> list:
    """Create the account "nieuw" for `invitations[n]` in two threads; both meet after
    reading their invitation (with its lock, the second waits for the first instead).

    Without the locks (`lock=False`) they meet after both found no account for the address
    (`_meet_after_looking_for_the_account`)."""
    rendezvous = Rendezvous()
    if lock:
        locked = teams.lock_invitation

        def read(pk):
            found = locked(pk)
            rendezvous(None)
            return found

        monkeypatch.setattr(teams, "lock_invitation", read)
    else:
        monkeypatch.setattr(
            teams,
            "lock_invitation",
            lambda pk: Invitation.objects.select_related("organiser", "event").get(pk=pk),
        )
        _meet_after_looking_for_the_account(monkeypatch, rendezvous)
    return all_at_once(
        2,
        lambda n: teams.create_account_and_accept(
            invitations[n], username="nieuw", password=PASSWORD
        ),
    )


def _codes(results) -> list[str]:
    return sorted(r.code if isinstance(r, EventError) else type(r).__name__ for r in results)


def test_one_invitation_accepted_twice_at_once_makes_one_account(monkeypatch):
    invitation = _invitation()

    results = _twice_at_once([invitation, invitation], monkeypatch)

    assert _codes(results) == ["User", "invitation_used"], results
    assert get_user_model().objects.filter(username="nieuw").count() == 1
    assert TeamMember.objects.filter(user__username="nieuw").count() == 1


def test_without_the_invitation_lock_both_forms_make_the_account(monkeypatch):
    # Negative control: both pass the invitation's check and insert the same user name;
    # the second is refused only by the database (told "taken", no longer a server error).
    invitation = _invitation()

    results = _twice_at_once([invitation, invitation], monkeypatch, lock=False)

    assert _codes(results) == ["User", "username_taken"], results


def test_two_invitations_taking_one_user_name_at_once_refuse_the_second(monkeypatch):
    invitations = [_invitation("een@example.org"), _invitation("twee@example.org")]

    results = _twice_at_once(invitations, monkeypatch)

    assert _codes(results) == ["User", "username_taken"], results
    assert get_user_model().objects.filter(username="nieuw").count() == 1
    assert Invitation.objects.filter(accepted_at__isnull=False).count() == 1


def _one_address_twice_at_once(monkeypatch, *, lock: bool) -> list:
    """Two organisers invite one address; accounts "een" and "twee" are made at once. Both
    meet after the address's lock (with it, the second waits for the first instead).

    Without the lock (`lock=False`) they meet after both found no account for the address
    (`_meet_after_looking_for_the_account`)."""
    invitations = [_invitation("dezelfde@example.org"), _invitation("Dezelfde@example.org")]
    rendezvous = Rendezvous()
    if lock:
        locked = teams.lock_account_address

        def lock_and_meet(email):
            locked(email)
            rendezvous(None)

        monkeypatch.setattr(teams, "lock_account_address", lock_and_meet)
    else:
        _meet_after_looking_for_the_account(monkeypatch, rendezvous)
    names = ["een", "twee"]
    return all_at_once(
        2,
        lambda n: teams.create_account_and_accept(
            invitations[n], username=names[n], password=PASSWORD
        ),
    )


def test_two_organisers_invitations_of_one_address_at_once_make_one_account(monkeypatch):
    results = _one_address_twice_at_once(monkeypatch, lock=True)

    assert _codes(results) == ["User", "account_exists"], results
    assert get_user_model().objects.filter(email__iexact="dezelfde@example.org").count() == 1
    assert Invitation.objects.filter(accepted_at__isnull=False).count() == 1


def test_without_the_address_lock_one_address_gets_two_accounts(monkeypatch):
    results = _one_address_twice_at_once(monkeypatch, lock=False)

    assert _codes(results) == ["User", "User"], results
    assert get_user_model().objects.filter(email__iexact="dezelfde@example.org").count() == 2
