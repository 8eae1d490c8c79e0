"""The event's menu (`{% event_menu %}`): rendered once a process per key, so each user still
gets the entries of their own permissions, in their language, with the current section."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from goedeburen.events.models import Role
from tests.backoffice.conftest import url
from tests.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _menu(client, path) -> str:
    html = client.get(path).content.decode()
    return re.search(r'<nav class="bo-event-nav".*?</nav>', html, re.S).group(0)


def _member(world, role):
    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=world.event)
    return user


def test_each_user_gets_the_menu_of_their_own_permissions(client, world):
    payments = reverse("backoffice:payment.overview", args=[world.event.slug])
    client.force_login(world.owner)
    assert payments in _menu(client, url("event.detail", world))

    client.force_login(_member(world, Role.CHECKIN))
    menu = _menu(client, url("event.detail", world))

    assert payments not in menu
    assert reverse("backoffice:checkin.app", args=[world.event.slug]) in menu


@pytest.mark.parametrize(
    "role", [Role.HOST, Role.CHECKIN, Role.CATERER, Role.REGISTRATIONS, Role.EDITOR]
)
def test_every_link_of_the_overview_opens_for_whom_it_is_shown(client, world, role):
    # The menu and the dashboard's figures linked the event's details, the mail and the
    # registration lists to a host, check-in or caterer, who then got a 403.
    client.force_login(_member(world, role))
    html = client.get(url("event.detail", world)).content.decode()
    inside = f"/backoffice/{world.event.slug}/"
    links = {h.replace("&amp;", "&") for h in re.findall(r'href="([^"#]+)"', html)}

    refused = [
        h for h in sorted(links) if h.startswith(inside) and client.get(h).status_code == 403
    ]

    assert refused == []


def test_the_menu_marks_the_current_section(owner_client, world):
    current = re.findall(
        r'href="([^"]+)" aria-current="true"', _menu(owner_client, url("attendee.list", world))
    )

    assert current == [url("attendee.list", world)]
    current = re.findall(
        r'href="([^"]+)" aria-current="true"', _menu(owner_client, url("event.detail", world))
    )
    assert current == [url("event.detail", world)]


def test_the_menu_speaks_the_pages_language(owner_client, world):
    dutch = _menu(owner_client, url("event.detail", world))
    with translation.override("en"):
        english = _menu(owner_client, url("event.detail", world))

    assert ">Deelnemers<" in dutch
    assert ">Attendees<" in english
    assert f'href="/en/backoffice/{world.event.slug}/attendees/"' in english
