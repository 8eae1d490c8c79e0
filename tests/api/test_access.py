"""Every API endpoint × every role and scope × two organisers, generated from the URLconf.

The expectation comes from the endpoint's own declaration (its view's `scope`) and the
back office's role rules: 200 exactly when the token holds the scope and its maker the
right; another organiser's token never gets anything but 404.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from goedeburen.api import urls as api_urls
from goedeburen.api.scopes import PERMISSIONS
from goedeburen.events.models import Role
from tests.backoffice.conftest import _invoice, _payment, _run

from .conftest import ALL_SCOPES, Api, make_token, member

RESOURCES = {
    "registration-detail": lambda w: {"code": w.registration.code},
    "attendee-detail": lambda w: {"attendee": w.attendee.pk},
    "payment-detail": lambda w: {"pk": _payment(w).pk},
    "invoice-detail": lambda w: {"pk": _invoice(w).pk},
    "invoice-pdf": lambda w: {"pk": _invoice(w).pk},
    "invoice-ubl": lambda w: {"pk": _invoice(w).pk},
    "run-detail": lambda w: {"pk": _run(w).pk},
    "organiser-detail": lambda w: {"slug": w.organiser.slug},
    "event-detail": lambda w: {"slug": w.event.slug},
}


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver(api_urls)
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name not in ("schema", "docs", "not-found"):
            yield entry.name, entry


ENDPOINTS = sorted({name for name, _ in _patterns()})


def _path(name: str, world) -> str:
    from django.urls import reverse

    kwargs = {}
    pattern = dict(_patterns())[name].pattern
    converters = str(pattern)
    if "<slug:event>" in converters:
        kwargs["event"] = world.event.slug
    if "<slug:organiser>" in converters:
        kwargs["organiser"] = world.organiser.slug
    kwargs.update(RESOURCES.get(name, lambda w: {})(world))
    return reverse(f"api:{name}", kwargs=kwargs)


def _scope_of(name: str, world) -> str:
    from django.urls import resolve

    match = resolve(_path(name, world))
    view = match.func.cls if hasattr(match.func, "cls") else match.func.view_class
    return view.scope


def test_every_endpoint_is_in_the_table():
    # A new endpoint must declare its scope; this also guards the generated tests below.
    assert "registration-list" in ENDPOINTS
    assert len(ENDPOINTS) >= 20


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_gets_nothing(client, world, name):
    response = client.get(_path(name, world))

    assert response.status_code in (401, 403)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_another_organisers_token_sees_nothing(world, other_world, name):
    stranger = Api(make_token(other_world))

    response = stranger.get(_path(name, world))

    text = response.content.decode()
    if name in ("event-list", "organiser-list"):  # its own organiser's, nothing of world's
        assert response.status_code == 200
        assert world.event.slug not in text and world.organiser.slug not in text
    else:
        assert response.status_code in (403, 404), text
    assert world.registration.code not in text


def _allowed_scopes(user, world) -> list[str]:
    return [s for s in ALL_SCOPES if user.has_perm(PERMISSIONS[s], world.event)]


@pytest.mark.parametrize("role", [Role.OWNER, Role.EDITOR, Role.FINANCE, Role.HOST, Role.CHECKIN])
def test_each_role_reaches_exactly_what_its_scopes_and_rights_allow(world, role):
    user = member(world, role)
    scopes = _allowed_scopes(user, world)
    api = Api(make_token(world, user=user, scopes=scopes, event=world.event))

    for name in ENDPOINTS:
        response = api.get(_path(name, world))
        scope = _scope_of(name, world)
        if name == "bankline-list":  # organiser-wide statements: never for an event's role
            assert response.status_code in (403, 404), (role, name)
        elif scope in scopes:
            assert response.status_code == 200, (role, name, response.content[:300])
        else:
            assert response.status_code in (403, 404), (role, name)


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_a_token_with_one_scope_reaches_only_that_group(world, scope):
    api = Api(make_token(world, scopes=[scope]))

    for name in ENDPOINTS:
        response = api.get(_path(name, world))
        if _scope_of(name, world) == scope:
            assert response.status_code == 200, (scope, name, response.content[:300])
        else:
            assert response.status_code in (403, 404), (scope, name)


def test_special_category_fields_need_their_own_scope(world):
    world.attendee.special_category_consent = True
    world.attendee.dietary_wishes = "Halal"
    world.attendee.role = "resident"
    world.attendee.save()
    path = f"/api/v1/events/{world.event.slug}/attendees/"

    without = Api(make_token(world, scopes=["registrations:read"])).get(path).json()
    with_scope = Api(make_token(world, scopes=["registrations:read", "special_category:read"]))

    assert "dietary_wishes" not in without["results"][0]
    # The attending role marks a resident: the back office shows it with these data only.
    assert "role" not in without["results"][0]
    assert with_scope.get(path).json()["results"][0]["dietary_wishes"] == "Halal"
    assert with_scope.get(path).json()["results"][0]["role"] == "resident"


def test_an_event_token_sees_no_other_event_of_its_organiser(world):
    from tests.factories import EventFactory

    second = EventFactory(organiser=world.organiser)
    api = Api(make_token(world, event=world.event))

    listed = [e["slug"] for e in api.get("/api/v1/events/").json()["results"]]

    assert listed == [world.event.slug]
    assert api.get(f"/api/v1/events/{second.slug}/registrations/").status_code == 404


def test_bank_lines_need_an_organiser_wide_money_role(world):
    finance = member(world, Role.FINANCE, organiser_wide=True)
    path = f"/api/v1/organisers/{world.organiser.slug}/bank-lines/"

    assert (
        Api(make_token(world, user=finance, scopes=["payments:read"])).get(path).status_code == 200
    )


def test_a_split_bank_line_names_all_its_registrations(world):
    from tests.backoffice.conftest import _split_bank_line

    _line, other = _split_bank_line(world)
    finance = member(world, Role.FINANCE, organiser_wide=True)
    path = f"/api/v1/organisers/{world.organiser.slug}/bank-lines/"

    [found] = (
        Api(make_token(world, user=finance, scopes=["payments:read"])).get(path).json()["results"]
    )

    assert (found["registration"], found["registrations"]) == (
        None,
        [world.registration.code, other.code],
    )
