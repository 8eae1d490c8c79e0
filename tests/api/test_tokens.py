import datetime as dt

import pytest
from django.utils import timezone

from goedeburen.api import services
from goedeburen.api.credentials import hash_token
from goedeburen.api.exceptions import ApiError
from goedeburen.api.models import ApiToken
from goedeburen.common.models import LogEntry
from goedeburen.events.models import Role, TeamMember

from .conftest import Api, make_token, member


def _events(api, world):
    return api.get(f"/api/v1/events/{world.event.slug}/")


def test_a_token_is_stored_only_as_its_hash_and_works(world):
    text = make_token(world, scopes=["events:read"])

    token = ApiToken.objects.get()
    assert text not in str(list(ApiToken.objects.values()))
    assert token.token_hash == hash_token(text)
    assert _events(Api(text), world).status_code == 200
    assert LogEntry.objects.filter(action="api.token_created").count() == 1


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer nonsense", "Bearer gbt_wrong", "Basic x"])
def test_a_missing_or_unknown_token_gets_401_as_problem_details(world, client, header, english):
    response = client.get(
        f"/api/v1/events/{world.event.slug}/", headers={"Authorization": header} if header else {}
    )

    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code


def test_an_expired_or_revoked_token_is_refused(world):
    text = make_token(world)
    token = ApiToken.objects.get()
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert _events(Api(text), world).status_code == 401

    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() + dt.timedelta(days=1))
    services.revoke_token(token, by=world.owner)
    assert _events(Api(text), world).status_code == 401


def test_a_token_cannot_get_a_scope_its_maker_lacks(world):
    host = member(world, Role.HOST)

    with pytest.raises(ApiError) as refused:
        make_token(world, user=host, scopes=["registrations:read"], event=world.event)

    assert refused.value.code == "not_permitted"
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("scopes", "days", "code"),
    [
        ([], 30, "no_scope"),
        (["everything"], 30, "unknown_scope"),
        (["events:read"], 400, "expiry_invalid"),
    ],
)
def test_bad_token_requests_are_refused_and_store_nothing(world, scopes, days, code):
    with pytest.raises(ApiError) as refused:
        make_token(world, scopes=scopes, days=days)

    assert refused.value.code == code
    assert not ApiToken.objects.exists()


def test_a_token_loses_what_its_maker_loses(world):
    editor = member(world, Role.EDITOR)
    api = Api(make_token(world, user=editor, scopes=["registrations:read"], event=world.event))
    path = f"/api/v1/events/{world.event.slug}/registrations/"
    assert api.get(path).status_code == 200

    TeamMember.objects.filter(user=editor).delete()

    assert api.get(path).status_code == 404


def test_last_use_is_recorded(world):
    text = make_token(world)

    _events(Api(text), world)

    assert ApiToken.objects.get().last_used is not None
