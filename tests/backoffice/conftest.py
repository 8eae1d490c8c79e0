"""A complete event for the back-office tests, and the table that turns every back-office URL
name into a real URL for it."""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse

from goedeburen.common.models import LogEntry
from goedeburen.events.models import Event, Organiser, Role
from tests.factories import (
    EventFactory,
    OrganiserFactory,
    PartnerFactory,
    ProgrammeItemFactory,
    ProjectFactory,
    RoomFactory,
    RoundFactory,
    SessionFactory,
    SpeakerFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.registration.factories import (
    AttendeeFactory,
    QuestionFactory,
    QuotaFactory,
    RegistrationFactory,
    TicketTypeFactory,
)

PASSWORD = "correct horse battery"  # what UserFactory sets
PARTS = ["partner", "item", "round", "session", "speaker", "project", "venue"]
# The registration screens; who reaches which is tested in test_registrations.py.
REGISTRATION_SCREENS = [
    "registration.list",
    "registration.detail",
    "registration.update",
    "attendee.list",
    "capacity",
]


@dataclass
class World:
    """One organiser's event with one of every part, and the owner who runs it."""

    organiser: Organiser
    owner: object
    event: Event
    partner: object
    speaker: object
    project: object
    venue: object
    room: object
    item: object
    round: object
    session: object
    ticket_type: object
    quota: object
    registration: object
    attendee: object
    question: object


def make_world(*, organiser: Organiser | None = None, **event_values) -> World:
    organiser = organiser or OrganiserFactory()
    owner = UserFactory()
    TeamMemberFactory(organiser=organiser, user=owner, role=Role.OWNER)
    event = EventFactory(organiser=organiser, **event_values)
    room = RoomFactory(venue=event.venue, capacity=20)
    speaker = SpeakerFactory(event=event)
    project = ProjectFactory(event=event)
    round_ = RoundFactory(event=event)
    ticket_type = TicketTypeFactory(event=event)
    quota = QuotaFactory(event=event, size=50, ticket_types=[ticket_type])
    attendee = AttendeeFactory(
        registration=RegistrationFactory(event=event),
        ticket_type=ticket_type,
    )
    return World(
        organiser=organiser,
        owner=owner,
        event=event,
        partner=PartnerFactory(event=event),
        speaker=speaker,
        project=project,
        venue=event.venue,
        room=room,
        item=ProgrammeItemFactory(event=event, room=room),
        round=round_,
        session=SessionFactory(round=round_, room=room, capacity=10),
        ticket_type=ticket_type,
        quota=quota,
        registration=attendee.registration,
        attendee=attendee,
        question=QuestionFactory(event=event),
    )


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def other_world(db) -> World:
    """Another organiser's event: nothing of it may show up in `world`'s screens."""
    return make_world()


@pytest.fixture
def owner_client(client, world):
    client.force_login(world.owner)
    return client


def _url_table() -> dict:
    table = {
        "login": lambda w: {},
        "logout": lambda w: {},
        "dashboard": lambda w: {},
        "event.create": lambda w: {"organiser": w.organiser.slug},
        "event.detail": lambda w: {"event": w.event.slug},
        "event.update": lambda w: {"event": w.event.slug},
        "event.status": lambda w: {"event": w.event.slug},
        "room.create": lambda w: {"event": w.event.slug, "venue": w.venue.pk},
        "room.update": lambda w: {"event": w.event.slug, "pk": w.room.pk},
        "room.delete": lambda w: {"event": w.event.slug, "pk": w.room.pk},
        "registration.list": lambda w: {"event": w.event.slug},
        "registration.detail": lambda w: {"event": w.event.slug, "code": w.registration.code},
        "registration.update": lambda w: {"event": w.event.slug, "code": w.registration.code},
        "attendee.list": lambda w: {"event": w.event.slug},
        "capacity": lambda w: {"event": w.event.slug},
    }
    for name in ("list", "rules", "start", "pin", "lists"):
        table[f"assignment.{name}"] = lambda w: {"event": w.event.slug}
    for name in ("detail", "move", "publish"):
        table[f"assignment.{name}"] = lambda w: {"event": w.event.slug, "pk": _run(w).pk}
    table["mail.list"] = lambda w: {"event": w.event.slug}
    table["mail.retry"] = table["mail.cancel"] = lambda w: {
        "event": w.event.slug,
        "pk": _mail(w).pk,
    }
    for name in ("mail.settings", "mail_template.list", "mailing.list", "mailing.create"):
        table[name] = lambda w: {"event": w.event.slug}
    table["mail_template.update"] = lambda w: {
        "event": w.event.slug,
        "kind": "confirmation",
        "language": "nl",
    }
    table["mailing.detail"] = table["mailing.update"] = lambda w: {
        "event": w.event.slug,
        "pk": _mailing(w).pk,
    }
    for action in ("approve", "reject", "cancel", "resend_link"):
        table[f"registration.{action}"] = lambda w: {
            "event": w.event.slug,
            "code": w.registration.code,
        }
    # The form's questions: every screen needs a right to change the event.
    for part in [*PARTS, "question"]:
        table[f"{part}.list"] = table[f"{part}.create"] = lambda w: {"event": w.event.slug}
        for action in ("update", "delete"):
            table[f"{part}.{action}"] = lambda w, part=part: {
                "event": w.event.slug,
                "pk": getattr(w, part).pk,
            }
    return table


def _run(world: World):
    """Return a finished assignment run of the world's event, made when first asked for."""
    if not hasattr(world, "run"):
        from goedeburen.matching.models import AssignmentRun

        world.run = AssignmentRun.objects.create(event=world.event, status="done")
    return world.run


def _mail(world: World):
    """Return a failed mail of the world's event, made the first time it is asked for."""
    if not hasattr(world, "mail"):
        from tests.mail.factories import OutgoingMailFactory

        world.mail = OutgoingMailFactory(event=world.event, state="failed")
    return world.mail


def _mailing(world: World):
    """Return a draft mailing of the world's event, made the first time it is asked for."""
    if not hasattr(world, "mailing"):
        from goedeburen.mail.models import Mailing

        world.mailing = Mailing.objects.create(
            event=world.event, subject_nl="Nieuws", body_nl="Beste {{ name }},"
        )
    return world.mailing


URLS = _url_table()
# The screens of one event: /backoffice/<event>/…
EVENT_URL_NAMES = sorted(set(URLS) - {"login", "logout", "dashboard", "event.create"})


def url(name: str, world: World) -> str:
    """Return the path of `backoffice:<name>` for the objects of `world`."""
    return reverse(f"backoffice:{name}", kwargs=URLS[name](world))


def backoffice_url_names() -> set[str]:
    """Return the names of every URL in the `backoffice` namespace."""
    _prefix, resolver = get_resolver().namespace_dict["backoffice"]
    return {name for name in resolver.reverse_dict if isinstance(name, str)}


def database_rows() -> dict:
    """Return every row of the events app and the audit log, to compare before and after."""
    models = [*apps.get_app_config("events").get_models(), LogEntry]
    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in models}
    for model in apps.get_app_config("events").get_models():
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            rows[through.__name__] = list(through.objects.order_by("pk").values())
    return rows
