"""The public pages' cache: what a page view costs once the page is cached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goedeburen.common.prepared import readable
from goedeburen.events import queries, services
from goedeburen.events.models import EventStatus
from tests.factories import EventFactory, ProgrammeItemFactory

pytestmark = pytest.mark.django_db


# The home page shows which tickets are sold out: it also reads the seat counters.
CACHED_PAGE_QUERIES = {
    # The version, and the ticket availability read from the quotas' counters (raw SQL).
    "public:event.home": ["SELECT updated", "SELECT link"],
    "public:event.programme": ["SELECT updated"],
}


def _statements(captured) -> list[str]:
    return [readable(q["sql"]).split(" FROM ")[0].split(".")[0] for q in captured]


@pytest.mark.parametrize("name", ["public:event.home", "public:event.programme"])
def test_cached_page_view_costs_one_narrow_query(client, demo_event, name):
    url = reverse(name, args=[demo_event.slug])
    first = client.get(url)

    with CaptureQueriesContext(connection) as captured:
        second = client.get(url)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content
    assert _statements(captured) == CACHED_PAGE_QUERIES[name]


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


CRAFTED = "LET OP: conferentie AFGELAST – restitutie via example.org"


def _visitor_with_a_crafted_message(event):
    """A visitor who substituted an attendee by a crafted name and did not follow the
    redirect: the message naming the substitute waits for their next page."""
    from django.test import Client

    from goedeburen.registration import tokens
    from tests.factories import AttendeeFactory, RegistrationFactory

    token, hashed = tokens.new_manage_token()
    registration = RegistrationFactory(event=event, manage_token_hash=hashed)
    attendee = AttendeeFactory(registration=registration)
    visitor = Client()
    url = reverse(
        "public:registration.substitute", args=[event.slug, registration.code, token, attendee.pk]
    )
    response = visitor.post(url, {"given_name": CRAFTED})
    assert response.status_code == 302
    return visitor


@pytest.mark.parametrize("name", ["public:event.home", "public:event.programme"])
def test_a_visitors_message_never_reaches_another_visitor(client, name):
    event = EventFactory(status=EventStatus.REGISTRATION_OPEN)
    visitor = _visitor_with_a_crafted_message(event)
    url = reverse(name, args=[event.slug])

    own = visitor.get(url)
    other = client.get(url)
    again = visitor.get(url)

    assert CRAFTED in own.content.decode()  # their own message, on their own page
    assert CRAFTED not in other.content.decode()
    assert CRAFTED not in again.content.decode()  # shown once
    assert "Cookie" in own["Vary"] and "Cookie" in other["Vary"]


def test_a_page_shown_with_a_message_is_not_kept_but_the_plain_page_is(client):
    event = EventFactory(status=EventStatus.REGISTRATION_OPEN)
    visitor = _visitor_with_a_crafted_message(event)
    url = reverse("public:event.home", args=[event.slug])

    visitor.get(url)  # rendered for them alone: not kept
    with CaptureQueriesContext(connection) as first:
        client.get(url)  # rendered and kept
    with CaptureQueriesContext(connection) as second:
        client.get(url)

    assert len(first) > 2
    assert _statements(second) == CACHED_PAGE_QUERIES["public:event.home"]
