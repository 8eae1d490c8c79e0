"""The organiser's actions on a registration: approve, reject, cancel, resend the link."""

import pytest
from django.urls import reverse

from goedeburen.common.audit import history
from goedeburen.events.models import ORGANISER_ROLES, Role
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from tests.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

S = RegistrationStatus


@pytest.fixture
def member(event):
    def _member(role):
        user = UserFactory()
        # Owner and finance for all the organiser's events; any other role for this event.
        wide = role in ORGANISER_ROLES
        TeamMemberFactory(
            organiser=event.organiser, user=user, role=role, event=None if wide else event
        )
        return user

    return _member


@pytest.fixture
def owner_client(client, member):
    user = member(Role.OWNER)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def awaiting(hall, resident, register):
    return register(resident)


def _url(action, registration):
    return reverse(
        f"backoffice:registration.{action}",
        kwargs={"event": registration.event.slug, "code": registration.code},
    )


def _status(registration) -> str:
    return Registration.objects.get(pk=registration.pk).status


def test_approve_page_shows_the_optional_message_field(owner_client, awaiting):
    response = owner_client.get(_url("approve", awaiting))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="message"' in html
    assert awaiting.code in html


def test_approve_with_a_message_confirms_and_redirects(owner_client, awaiting, sent):
    sent.reset()

    response = owner_client.post(
        _url("approve", awaiting), {"message": "Welkom!", "confirm": "yes"}
    )

    assert response.status_code == 302
    assert _status(awaiting) == S.CONFIRMED
    assert sent.names() == ["registration_approved", "registration_confirmed"]
    assert sent.calls[0][1]["message"] == "Welkom!"
    assert history(awaiting)[0].actor == owner_client.user


def test_reject_cancels(owner_client, awaiting, sent):
    sent.reset()

    response = owner_client.post(_url("reject", awaiting), {"message": "", "confirm": "yes"})

    assert response.status_code == 302
    assert _status(awaiting) == S.CANCELLED
    assert sent.names() == ["registration_rejected"]


def test_approve_in_the_wrong_state_shows_the_reason_and_changes_nothing(
    owner_client, hall, free, register, sent, english
):
    confirmed = register(free)
    sent.reset()

    response = owner_client.post(_url("approve", confirmed), {"message": "x", "confirm": "yes"})

    assert response.status_code == 200
    assert "Only a registration that awaits approval" in response.content.decode()
    assert _status(confirmed) == S.CONFIRMED
    assert sent.names() == []


def test_cancel_page_opens_without_errors(owner_client, awaiting):
    response = owner_client.get(_url("cancel", awaiting))

    assert response.status_code == 200
    assert 'role="alert"' not in response.content.decode()
    assert 'name="confirm" value="yes"' in response.content.decode()


@pytest.mark.parametrize("action", ["approve", "reject", "cancel", "resend_link"])
def test_a_post_without_the_confirmation_changes_nothing(owner_client, awaiting, action):
    old_hash = awaiting.manage_token_hash

    response = owner_client.post(_url(action, awaiting), {"reason": "x", "message": "x"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.manage_token_hash) == (S.AWAITING_APPROVAL, old_hash)


def test_cancel_without_a_reason_cancels(owner_client, awaiting):
    response = owner_client.post(_url("cancel", awaiting), {"reason": "", "confirm": "yes"})

    assert response.status_code == 302
    assert _status(awaiting) == S.CANCELLED


@pytest.mark.parametrize(
    "data", [{"message": "x" * 2001}, {"message": "<script>alert(1)</script>" * 100}]
)
def test_approve_with_bad_input_says_so_and_changes_nothing(owner_client, awaiting, data):
    response = owner_client.post(_url("approve", awaiting), {**data, "confirm": "yes"})

    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()
    assert _status(awaiting) == S.AWAITING_APPROVAL


def test_cancel_with_a_reason_cancels(owner_client, awaiting, sent):
    sent.reset()

    response = owner_client.post(
        _url("cancel", awaiting), {"reason": "Dubbel geboekt", "confirm": "yes"}
    )

    assert response.status_code == 302
    assert _status(awaiting) == S.CANCELLED
    assert sent.calls[0][1]["reason"] == "Dubbel geboekt"


def test_resend_link_renews_the_token(owner_client, awaiting, sent):
    old_hash = awaiting.manage_token_hash
    sent.reset()

    response = owner_client.post(_url("resend_link", awaiting), {"confirm": "yes"})

    assert response.status_code == 302
    assert Registration.objects.get(pk=awaiting.pk).manage_token_hash != old_hash
    assert sent.names() == ["manage_link_renewed"]


@pytest.mark.parametrize("action", ["approve", "reject", "cancel", "resend_link"])
@pytest.mark.parametrize(("role", "status"), [(Role.FINANCE, 403), (Role.HOST, 403), (None, 404)])
def test_actions_need_change_event(client, member, awaiting, action, role, status):
    user = member(role) if role else UserFactory()
    client.force_login(user)

    response = client.post(_url(action, awaiting), {"reason": "x", "message": "x"})

    assert response.status_code == status
    assert _status(awaiting) == S.AWAITING_APPROVAL


def test_actions_need_a_login(client, awaiting):
    response = client.post(_url("approve", awaiting))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_unknown_code_is_404(owner_client, event):
    path = reverse(
        "backoffice:registration.approve", kwargs={"event": event.slug, "code": "ABCDEFGH"}
    )
    assert owner_client.get(path).status_code == 404
