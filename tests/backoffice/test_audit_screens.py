"""The audit log on screen: an event's history and the organiser's, in sentences, with
filters, and a CSV export for owners that is itself logged."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.common.logtypes import describe
from goedeburen.common.models import LogEntry
from goedeburen.events.models import Role
from tests.backoffice.conftest import make_world
from tests.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def logged(world):
    """Three changes to the event by two people and the system."""
    editor = UserFactory(username="redacteur")
    TeamMemberFactory(organiser=world.organiser, user=editor, event=world.event, role=Role.EDITOR)
    log_action(
        world.event, action="event.status", by=world.owner, data={"status": ["draft", "published"]}
    )
    log_action(world.partner, action="partner.changed", by=editor, data={"name": ["A", "B"]})
    log_action(world.registration, action="registration.approved", by=None, data={})
    return editor


PARTNER = "Partner changed: name"


def _history(client, world, **query):
    return client.get(reverse("backoffice:history.event", args=[world.event.slug]), query)


def _sentences(response) -> list[str]:
    return [row["sentence"] for row in response.context["rows"]]


def test_event_history_in_sentences(owner_client, world, logged, english):
    response = _history(owner_client, world)

    entries = LogEntry.objects.filter(event=world.event).order_by("-created", "-pk")
    assert _sentences(response) == [describe(entry) for entry in entries]
    assert _sentences(response)[2] == "Status changed from “Draft” to “Published”"
    assert "Status changed from “Draft” to “Published”" in response.content.decode()


def test_filters_by_person_kind_object_and_date(owner_client, world, logged, english):
    by_person = _history(owner_client, world, person=logged.pk)
    by_system = _history(owner_client, world, person="system")
    by_kind = _history(owner_client, world, kind="event")
    partner_type = next(
        value
        for value, label in by_kind.context["form"].fields["subject"].choices
        if label == "Partner"
    )
    by_object = _history(owner_client, world, subject=partner_type, number=world.partner.pk)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    by_date = _history(owner_client, world, start=tomorrow.isoformat())

    assert _sentences(by_person) == [PARTNER]
    assert len(_sentences(by_system)) == 1
    assert _sentences(by_kind) == ["Status changed from “Draft” to “Published”"]
    assert _sentences(by_object) == [PARTNER]
    assert _sentences(by_date) == []


def test_a_wrong_filter_shows_a_message_and_nothing(owner_client, world, logged):
    response = _history(owner_client, world, start="2027-02-02", end="2027-01-01", person="x")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert _sentences(response) == []


def test_editor_reads_but_does_not_export(client, world, logged):
    client.force_login(logged)
    assert _history(client, world).status_code == 200
    export = reverse("backoffice:history.event_export", args=[world.event.slug])
    assert client.get(export).status_code == 403


def test_owner_exports_the_filtered_history_and_the_export_is_logged(
    owner_client, world, logged, english
):
    export = reverse("backoffice:history.event_export", args=[world.event.slug])

    response = owner_client.get(export, {"person": logged.pk})

    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert rows[0] == ["When", "Who", "What", "Object"]
    assert [row[1:3] for row in rows[1:]] == [["redacteur", PARTNER]]
    entry = LogEntry.objects.filter(action="export.downloaded").get()
    assert (entry.event_id, entry.actor, entry.data) == (
        world.event.pk,
        world.owner,
        {"what": "history", "rows": 1},
    )


@pytest.mark.parametrize("level", ["event", "organiser"])
def test_an_export_with_a_wrong_filter_says_why_and_exports_nothing(
    owner_client, world, logged, english, level
):
    # Not a file with only its header: the screen with the filters, and why.
    where = world.event.slug if level == "event" else world.organiser.slug
    export = reverse(f"backoffice:history.{level}_export", args=[where])

    response = owner_client.get(export, {"person": "99999999999999999999"}, follow=True)

    assert response.redirect_chain[0][0].startswith(
        reverse(f"backoffice:history.{level}", args=[where])
    )
    assert "A filter has a value that does not exist; nothing was exported: Person." in (
        response.content.decode()
    )
    assert not LogEntry.objects.filter(action="export.downloaded").exists()


def test_organiser_history_shows_logins_and_role_changes(client, world, english):
    client.force_login(world.owner)  # logs the sign-in on the organiser
    member = TeamMemberFactory(
        organiser=world.organiser,
        user=UserFactory(username="ada"),
        event=world.event,
        role=Role.HOST,
    )
    client.post(
        reverse("backoffice:team.event_member", args=[world.event.slug, member.pk]),
        {"remove": "1", "confirm": "yes"},
    )

    response = client.get(reverse("backoffice:history.organiser", args=[world.organiser.slug]))

    assert _sentences(response) == [
        "Role Session host taken away from ada",
        f"{world.owner.username} signed in",
    ]


def test_organiser_history_is_for_its_owners_only(client, world):
    finance = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=finance, role=Role.FINANCE)
    client.force_login(finance)
    path = reverse("backoffice:history.organiser", args=[world.organiser.slug])
    assert client.get(path).status_code == 403


def test_history_costs_the_same_queries_for_one_and_three_entries(owner_client, world):
    log_action(world.partner, action="partner.changed", by=world.owner, data={"name": ["A", "B"]})
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert _history(owner_client, world).status_code == 200
        counts.append(len(queries))
        log_action(
            world.partner, action="partner.changed", by=world.owner, data={"name": ["A", "B"]}
        )
        log_action(world.registration, action="registration.approved", by=None, data={})
    assert counts[0] == counts[1]
