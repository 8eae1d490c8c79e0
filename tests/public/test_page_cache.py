"""The public pages' cache: what a page view costs once the page is cached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goedeburen.events import queries, services
from goedeburen.events.models import EventStatus
from tests.factories import EventFactory, ProgrammeItemFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["public:event.home", "public:event.programme"])
def test_cached_page_view_costs_one_narrow_query(client, demo_event, name):
    url = reverse(name, args=[demo_event.slug])
    first = client.get(url)

    with CaptureQueriesContext(connection) as captured:
        second = client.get(url)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content
    assert [q["sql"].split(" FROM ")[0] for q in captured] == ["SELECT updated"]


def test_public_event_version_moves_with_every_programme_change():
    event = EventFactory()
    item = ProgrammeItemFactory(event=event)
    before = queries.public_event_version(event.slug)

    services.save_event_part(item, event=event, by=None)

    assert before is not None
    assert queries.public_event_version(event.slug) not in (None, before)


def test_public_event_version_is_none_for_a_draft_or_unknown_event():
    event = EventFactory(status=EventStatus.DRAFT)

    assert queries.public_event_version(event.slug) is None
    assert queries.public_event_version("no-such-event") is None
