"""Every list endpoint uses the same number of queries for 1 and for 50 items."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goedeburen.matching.models import AssignmentRun, Placement
from goedeburen.payments.models import Payment
from tests.backoffice.conftest import _invoice
from tests.factories import (
    AttendeeFactory,
    OutgoingMailFactory,
    ProgrammeItemFactory,
    ProjectFactory,
    QuestionFactory,
    RegistrationFactory,
    RoomFactory,
    RoundFactory,
    SessionFactory,
    SpeakerFactory,
    TicketTypeFactory,
)

from .test_access import ENDPOINTS, _path


def _grow(world, n: int) -> None:
    """Add n more of everything the lists show."""
    event = world.event
    type(world.quota).objects.filter(pk=world.quota.pk).update(size=100000)
    run = AssignmentRun.objects.filter(event=event, is_published=True).first()
    if run is None:
        run = AssignmentRun.objects.create(event=event, status="done", is_published=True)
    for _ in range(n):
        attendee = AttendeeFactory(
            registration=RegistrationFactory(event=event), ticket_type=world.ticket_type
        )
        Payment.objects.create(
            registration=attendee.registration, provider="manual", amount="1.00", state="paid"
        )
        OutgoingMailFactory(event=event, registration=attendee.registration)
        round_ = RoundFactory(event=event)
        session = SessionFactory(round=round_, room=world.room, capacity=10)
        session.projects.add(world.project)
        Placement.objects.create(run=run, attendee=attendee, round=round_, session=session)
        item = ProgrammeItemFactory(event=event, room=world.room)
        item.speakers.add(world.speaker)
        SpeakerFactory(event=event)
        ProjectFactory(event=event)
        RoomFactory(venue=event.venue, capacity=5)
        TicketTypeFactory(event=event)
        QuestionFactory(event=event, kind="single_choice", options=["Ja", "Nee"])
        AssignmentRun.objects.create(event=event, status="done")


LISTS = [
    name
    for name in ENDPOINTS
    if name.endswith("-list") and name not in ("bankline-list", "organiser-list", "event-list")
]


@pytest.mark.parametrize("name", LISTS)
def test_list_queries_do_not_grow_with_items(api, world, name):
    _invoice(world)
    expand = {"registration-list": "&expand=attendees", "round-list": "&expand=sessions"}
    path = _path(name, world) + "?page_size=100" + expand.get(name, "")

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = api.get(path)
        assert response.status_code == 200, response.content[:300]
        return len(queries)

    _grow(world, 1)
    api.get(path)  # the token's first use writes `last_used`; later ones within a minute do not
    one = count()
    _grow(world, 49)
    api.get(path)  # new ticket types and quotas: the event's seat layout is read once again
    assert count() == one
