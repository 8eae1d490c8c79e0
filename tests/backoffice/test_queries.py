"""Every list screen costs the same number of queries for one row as for three."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
    _get(owner_client, path)  # what is read once a version of the event (its seat layout)
    queries_for_one, shown = _get(owner_client, path)
    assert shown == 1
    add_row(world)
    add_row(world)
    assert _get(owner_client, path) == (queries_for_one, 3)


# --- The screens with rows of their own, each from 1 row to 50 -------------------------------


def _waiting(world, n):
    """A registration on the waiting list with two attendees (on two ticket types)."""
    from goedeburen.registration.enums import RegistrationStatus
    from tests.factories import AttendeeFactory, TicketTypeFactory

    registration = RegistrationFactory(event=world.event, status=RegistrationStatus.WAITING_LIST)
    AttendeeFactory(registration=registration, ticket_type=world.ticket_type)
    AttendeeFactory(registration=registration, ticket_type=TicketTypeFactory(event=world.event))


def _question(world, n):
    from tests.factories import QuestionFactory

    question = QuestionFactory(event=world.event, kind="single_choice", options=["ja", "nee"])
    question.ticket_types.add(world.ticket_type)


def _statement(world, n):
    from goedeburen.payments.models import BankStatement

    BankStatement.objects.create(
        organiser=world.organiser, event=world.event, filename=f"{n}.xml", file_hash=f"{n:064d}"
    )


def _run(world, n):
    from goedeburen.matching.models import AssignmentRun, Pin, SessionHost
    from tests.factories import AttendeeFactory, UserFactory

    AssignmentRun.objects.create(event=world.event, status="done")
    attendee = AttendeeFactory(
        registration=RegistrationFactory(event=world.event), ticket_type=world.ticket_type
    )
    session = SessionFactory(round=RoundFactory(event=world.event), room=world.room)
    Pin.objects.create(attendee=attendee, round=session.round, session=session)
    SessionHost.objects.create(user=UserFactory(), session=session)


def _session_list(world, n):
    from goedeburen.matching.models import AssignmentRun, Placement
    from tests.factories import AttendeeFactory

    run = AssignmentRun.objects.filter(event=world.event, is_published=True).first()
    if run is None:
        run = AssignmentRun.objects.create(event=world.event, status="done", is_published=True)
    session = SessionFactory(round=world.round, room=world.room)
    attendee = AttendeeFactory(
        registration=RegistrationFactory(event=world.event), ticket_type=world.ticket_type
    )
    Placement.objects.create(run=run, attendee=attendee, round=world.round, session=session)


def _conflict(world, n):
    from django.utils import timezone

    from goedeburen.checkin.models import CheckIn, Scan
    from tests.factories import AttendeeFactory

    attendee = AttendeeFactory(
        registration=RegistrationFactory(event=world.event), ticket_type=world.ticket_type
    )
    # Checked in on one phone, then again on another while offline.
    check_in = CheckIn.objects.create(
        event=world.event, attendee=attendee, device="andere", at=timezone.now(), by=world.owner
    )
    Scan.objects.create(
        check_in=check_in,
        nonce=f"scan-{world.event.pk}-{n}",
        event=world.event,
        attendee=attendee,
        device="telefoon",
        by=world.owner,
        at=timezone.now(),
        offline=True,
        outcome="conflict",
    )


def _recipient(world, n):
    from goedeburen.registration.enums import RegistrationStatus
    from tests.factories import AttendeeFactory

    registration = RegistrationFactory(
        event=world.event, status=RegistrationStatus.CONFIRMED, email=f"lid{n}@example.org"
    )
    AttendeeFactory(registration=registration, ticket_type=world.ticket_type)


def _payment(world, n):
    from goedeburen.payments.models import Payment, Refund

    payment = Payment.objects.create(
        registration=world.registration, provider="manual", amount="10.00", state="paid"
    )
    Refund.objects.create(payment=payment, amount="1.00", state="refunded")


def _membership(world, n):
    TeamMemberFactory(
        organiser=world.organiser,
        user=world.owner,
        event=EventFactory(organiser=world.organiser),
        role=Role.EDITOR,
    )


# URL name -> (add the n-th row, the rows the screen then shows, read from its context).
FIFTY = {
    "waiting_list": (_waiting, lambda c: len(c["rows"])),
    "question.list": (_question, lambda c: len(c["object_list"])),
    "bank.list": (_statement, lambda c: len(c["statements"])),
    "assignment.list": (_run, lambda c: len(c["runs"])),
    "assignment.lists": (_session_list, lambda c: sum(len(p) for _s, p in c["sessions"])),
    "checkin.conflicts": (_conflict, lambda c: len(c["scans"])),
    "mailing.detail": (_recipient, lambda c: c["count"]),
    "registration.payments": (_payment, lambda c: len(c["payments"])),
    "account": (_membership, lambda c: len(c["memberships"])),
}
# Rows the world has of itself (its registration is a recipient, its owner a member, its
# question asked).
ALREADY = {"mailing.detail": 1, "account": 1, "question.list": 1}


@pytest.mark.parametrize("name", sorted(FIFTY))
def test_screen_costs_the_same_queries_for_1_and_50_rows(owner_client, world, name):
    from tests.backoffice.conftest import url_kwargs

    add_row, shown = FIFTY[name]
    type(world.quota).objects.filter(pk=world.quota.pk).update(size=1000)  # room for all
    kwargs = url_kwargs(name, world)  # makes the screen's own object first (a mailing …)
    path = reverse(f"backoffice:{name}", kwargs=kwargs)
    already = ALREADY.get(name, 0)

    def get() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(path)
        assert response.status_code == 200
        return len(queries), shown(response.context)

    for n in range(1 - already):
        add_row(world, n)
    queries_for_one, one = get()
    for n in range(1, 50):
        add_row(world, n)

    assert one == 1
    assert get() == (queries_for_one, 50)
