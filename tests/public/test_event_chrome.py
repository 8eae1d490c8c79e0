"""An event page's navigation and footer come from the cache, yet say what the page itself
would: the page marked current, the event's latest version, the page's language."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

NAV = {
    "public:event.home": "About",
    "public:event.programme": "Programme",
    "public:speaker.list": "Speakers",
    "public:event.contact": "Contact",
}


def _page(client, name, slug, language="en"):
    with translation.override(language):
        path = reverse(name, args=[slug])
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _current(html):
    return re.findall(r'aria-current="page">([^<]+)</a>', html)


def test_the_navigation_marks_the_page_shown_also_from_the_cache(client, demo_event):
    for _round in range(2):  # the second round is served from the cached navigation
        for name, label in NAV.items():
            assert _current(_page(client, name, demo_event.slug)) == [label]
    privacy = _page(client, "public:event.privacy", demo_event.slug)
    assert _current(privacy) == []


def test_the_footer_follows_the_event_and_the_language(client, demo_event):
    before = _page(client, "public:event.home", demo_event.slug)
    assert "Buurtpartner Noord" not in before
    PartnerFactory(event=demo_event, name="Buurtpartner Noord")
    demo_event.save()  # as the back office does: the event's version moves on

    after = _page(client, "public:event.programme", demo_event.slug)
    dutch = _page(client, "public:event.programme", demo_event.slug, language="nl")

    assert "Buurtpartner Noord" in after
    assert "Privacy statement" in after and "Privacyverklaring" in dutch
    assert "Programme" in after and "Programma" in dutch
