"""Every list screen costs the same number of queries for one row as for three."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goedeburen.common.audit import log_action
from goedeburen.events.models import Role
from tests.backoffice.conftest import url
from tests.factories import (
    EventFactory,
    OutgoingMailFactory,
    PartnerFactory,
    ProgrammeItemFactory,
    ProjectFactory,
    RegistrationFactory,
    RoomFactory,
    RoundFactory,
    SessionFactory,
    SpeakerFactory,
    TeamMemberFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


def _add_item(world):
    item = ProgrammeItemFactory(event=world.event, room=world.room)
    item.speakers.add(SpeakerFactory(event=world.event))


def _add_round(world):
    SessionFactory(round=RoundFactory(event=world.event))


def _add_session(world):
    session = SessionFactory(round=world.round, room=world.room)
    session.hosts.add(SpeakerFactory(event=world.event))


def _add_venue(world):
    RoomFactory(venue=VenueFactory(organiser=world.organiser))


def _add_event(world):
    event = EventFactory(organiser=world.organiser)
    TeamMemberFactory(organiser=world.organiser, user=world.owner, event=event, role=Role.HOST)


def _add_mail(world):
    OutgoingMailFactory(event=world.event, registration=RegistrationFactory(event=world.event))


def _add_mailing(world):
    from goedeburen.mail.models import Mailing

    mailing = Mailing.objects.create(event=world.event, subject_nl="Nieuws", body_nl="x")
    OutgoingMailFactory(event=world.event, mailing=mailing, state="sent")


ADD_ROW = {
    "dashboard": _add_event,
    "event.detail": lambda world: log_action(world.event, action="event.changed", by=world.owner),
    "partner.list": lambda world: PartnerFactory(event=world.event, logo="logos/x.png"),
    "item.list": _add_item,
    "round.list": _add_round,
    "session.list": _add_session,
    "speaker.list": lambda world: SpeakerFactory(event=world.event),
    "project.list": lambda world: ProjectFactory(event=world.event),
    "venue.list": _add_venue,
    "mail.list": _add_mail,
    "mailing.list": _add_mailing,
}


def _rows_shown(context) -> int:
    if "history" in context:
        return len(context["history"])
    if "rounds" in context:
        return sum(len(round_.sessions.all()) for round_ in context["rounds"])
    return len(context["events"] if "events" in context else context["object_list"])


def _get(client, path) -> tuple[int, int]:
    """Return the number of queries the page took and the number of rows it shows."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), _rows_shown(response.context)


@pytest.mark.parametrize("name", sorted(ADD_ROW))
def test_list_screen_query_count_does_not_grow_with_rows(owner_client, world, name):
    add_row = ADD_ROW[name]
    if name in ("event.detail", "mail.list", "mailing.list"):
        add_row(world)  # the world itself was made without the services: no history, no mail
    path = url(name, world)
    queries_for_one, shown = _get(owner_client, path)
    assert shown == 1
    add_row(world)
    add_row(world)
    assert _get(owner_client, path) == (queries_for_one, 3)
