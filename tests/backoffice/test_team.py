"""Teams: list, invite by e-mail (signed, once, expiring, only for that address), change,
revoke and leave roles; every change in the log."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from goedeburen.common.models import LogEntry
from goedeburen.events.models import Invitation, Role, TeamMember
from goedeburen.events.teams import invitation_token
from tests.backoffice.conftest import CONFIRM, make_world
from tests.clients import StaffClient
from tests.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def _invite(client, world, email="nieuw@example.org", role=Role.REGISTRATIONS):
    return client.post(
        reverse("backoffice:team.event", args=[world.event.slug]),
        {"email": email, "role": role},
    )


def _link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://\S+/backoffice/account/invitation/\S+/", body).group(0)


def test_invitation_by_mail_makes_an_account_once(
    owner_client, world, smtp, immediate_tasks, django_capture_on_commit_callbacks, english
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(owner_client, world)
    assert response.status_code == 302
    (message,) = smtp.messages
    assert message["To"] == "nieuw@example.org"
    path = _link(message).removeprefix("http://127.0.0.1:8000")

    newcomer = StaffClient()
    page = newcomer.get(path)
    assert page.status_code == 200
    done = newcomer.post(
        path,
        {
            "username": "secretariaat",
            "password1": "Lange zin 2027!",
            "password2": "Lange zin 2027!",
        },
    )

    assert done.status_code == 302
    member = TeamMember.objects.get(user__username="secretariaat")
    assert (member.event, member.role, member.user.email) == (
        world.event,
        Role.REGISTRATIONS,
        "nieuw@example.org",
    )
    again = StaffClient().get(path)
    assert "already been used" in again.context["problem"]
    assert list(
        LogEntry.objects.filter(event=world.event, action__startswith="team.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["team.invited", "team.joined"]


def test_nothing_in_the_database_opens_an_invitation(owner_client, world):
    _invite(owner_client, world)
    invitation = Invitation.objects.get()
    token = invitation_token(invitation)
    stored = [str(v) for v in Invitation.objects.values().get().values()]
    assert all(token not in value for value in stored)
    assert token.split(":")[-1] not in str(LogEntry.objects.values_list("data", flat=True))


def test_expired_invitation_is_refused(owner_client, world, english):
    _invite(owner_client, world)
    invitation = Invitation.objects.get()
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    path = reverse("backoffice:invitation", args=[invitation_token(invitation)])

    page = StaffClient().get(path)
    post = StaffClient().post(
        path, {"username": "laat", "password1": "Lange zin 2027!", "password2": "Lange zin 2027!"}
    )

    assert "expired" in page.context["problem"]
    assert post.status_code == 200
    assert not TeamMember.objects.filter(user__username="laat").exists()


@pytest.mark.parametrize("token", ["niet-echt", "a:b:c", "é😀", "x" * 3000])
def test_a_broken_invitation_link_is_refused_when_signed_in_too(token, world, english):
    # A signed-in member who opens a cut-off or made-up link: no invitation, no 500.
    member = StaffClient()
    member.force_login(UserFactory(email="lid@example.org"))

    page = member.get(reverse("backoffice:invitation", args=[token]))
    post = member.post(reverse("backoffice:invitation", args=[token]))

    assert page.status_code == post.status_code == 404
    assert "not a valid invitation" in page.context["problem"]


def test_invitation_cannot_be_used_by_another_address(owner_client, world, english):
    _invite(owner_client, world)
    path = reverse("backoffice:invitation", args=[invitation_token(Invitation.objects.get())])
    someone = UserFactory(email="iemand.anders@example.org")
    other = StaffClient()
    other.force_login(someone)

    page = other.get(path)
    other.post(path)

    assert "another e-mail address" in page.context["problem"]
    assert not TeamMember.objects.filter(user=someone).exists()
    assert Invitation.objects.get().accepted_at is None


def test_invitation_for_a_known_address_is_accepted_after_signing_in(owner_client, world):
    known = UserFactory(email="bekend@example.org")
    _invite(owner_client, world, email="bekend@example.org", role=Role.HOST)
    path = reverse("backoffice:invitation", args=[invitation_token(Invitation.objects.get())])

    anonymous = StaffClient().get(path)
    assert anonymous.context["has_account"] and "form" not in anonymous.context
    member_client = StaffClient()
    member_client.force_login(known)
    member_client.post(path)

    assert TeamMember.objects.get(user=known).role == Role.HOST


def test_a_forged_token_is_not_found(client, db):
    response = client.get(reverse("backoffice:invitation", args=["1:forged"]))
    assert response.status_code == 404


def test_organiser_role_for_all_events_only_owner_or_finance(client, world, english):
    client.force_login(world.owner)
    team = reverse("backoffice:team.organiser", args=[world.organiser.slug])

    refused = client.post(team, {"email": "a@example.org", "role": Role.EDITOR, "event": ""})
    accepted = client.post(team, {"email": "b@example.org", "role": Role.FINANCE, "event": ""})

    assert "Only owner and finance" in str(refused.context["invite_form"].non_field_errors())
    assert accepted.status_code == 302
    assert list(Invitation.objects.values_list("email", "event", "role")) == [
        ("b@example.org", None, Role.FINANCE)
    ]


def test_event_team_lists_its_members_and_changes_a_role(owner_client, world):
    editor = UserFactory(username="ada")
    member = TeamMemberFactory(
        organiser=world.organiser, user=editor, event=world.event, role=Role.EDITOR
    )
    team = owner_client.get(reverse("backoffice:team.event", args=[world.event.slug]))
    assert [(r["member"].user.username, r["member"].role) for r in team.context["rows"]] == [
        ("ada", Role.EDITOR),
        (world.owner.username, Role.OWNER),
    ]

    owner_client.post(
        reverse("backoffice:team.event_member", args=[world.event.slug, member.pk]),
        {f"{member.pk}-role": Role.CHECKIN},
    )
    member.refresh_from_db()
    assert member.role == Role.CHECKIN
    owner_client.post(
        reverse("backoffice:team.event_member", args=[world.event.slug, member.pk]),
        {"remove": "1"},
    )
    assert TeamMember.objects.filter(pk=member.pk).exists()  # asked first
    owner_client.post(
        reverse("backoffice:team.event_member", args=[world.event.slug, member.pk]),
        {"remove": "1", "confirm": "yes"},
    )
    assert not TeamMember.objects.filter(pk=member.pk).exists()
    sentences = list(
        LogEntry.objects.filter(event=world.event, action__startswith="team.")
        .order_by("pk")
        .values_list("action", "data")
    )
    assert sentences == [
        ("team.role_changed", {"user": "ada", "role": ["editor", "checkin"]}),
        ("team.role_removed", {"user": "ada", "role": "checkin"}),
    ]


def test_event_owner_cannot_touch_organiser_roles(client, world):
    event_owner = UserFactory()
    TeamMemberFactory(
        organiser=world.organiser, user=event_owner, event=world.event, role=Role.OWNER
    )
    organiser_owner = world.owner.memberships.get()
    client.force_login(event_owner)

    response = client.post(
        reverse("backoffice:team.event_member", args=[world.event.slug, organiser_owner.pk]),
        {"remove": "1", "confirm": "yes"},
    )

    assert response.status_code == 404
    assert TeamMember.objects.filter(pk=organiser_owner.pk).exists()


def test_a_member_leaves_but_the_last_owner_cannot(client, world, english):
    editor = UserFactory()
    member = TeamMemberFactory(
        organiser=world.organiser, user=editor, event=world.event, role=Role.EDITOR
    )
    client.force_login(editor)
    client.post(reverse("backoffice:account.leave", args=[member.pk]), CONFIRM)
    assert not TeamMember.objects.filter(pk=member.pk).exists()

    owner = StaffClient()
    owner.force_login(world.owner)
    last = world.owner.memberships.get()
    response = owner.post(reverse("backoffice:account.leave", args=[last.pk]), CONFIRM, follow=True)
    assert TeamMember.objects.filter(pk=last.pk).exists()
    assert "at least one owner" in response.content.decode()


def test_team_list_costs_the_same_queries_for_one_and_three_members(owner_client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = reverse("backoffice:team.event", args=[world.event.slug])
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(path).status_code == 200
        counts.append(len(queries))
        for _n in range(2):
            TeamMemberFactory(
                organiser=world.organiser, user=UserFactory(), event=world.event, role=Role.HOST
            )
    assert counts[0] == counts[1]


def test_hosts_given_on_the_team_screen_can_be_linked_to_sessions(owner_client, world):
    _invite(owner_client, world, email="gastheer@example.org", role=Role.HOST)
    host = UserFactory(email="gastheer@example.org")
    path = reverse("backoffice:invitation", args=[invitation_token(Invitation.objects.get())])
    accepting = StaffClient()
    accepting.force_login(host)
    accepting.post(path)

    page = owner_client.get(reverse("backoffice:assignment.list", args=[world.event.slug]))

    assert page.context["host_form"].fields["user"].choices == [(host.pk, host.username)]
