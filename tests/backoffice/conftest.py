"""A complete event for the back-office tests, and the table that turns every back-office URL
name into a real URL for it."""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse

from goedeburen.common.models import LogEntry
from goedeburen.events.models import Event, Organiser, Role
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    OrganiserFactory,
    PartnerFactory,
    ProgrammeItemFactory,
    ProjectFactory,
    QuestionFactory,
    QuotaFactory,
    RegistrationFactory,
    RoomFactory,
    RoundFactory,
    SessionFactory,
    SpeakerFactory,
    TeamMemberFactory,
    TicketTypeFactory,
    UserFactory,
)

PASSWORD = "correct horse battery"  # what UserFactory sets
PARTS = ["partner", "item", "round", "session", "speaker", "project", "venue"]
# The payment screens: only the owner and finance roles; tested in test_payments.py.
PAYMENT_SCREENS = [
    "payment.overview",
    "payment.settings",
    "registration.payments",
    "registration.record_payment",
    "registration.refund",
    "registration.reissue_invoice",
    "invoice.list",
    "invoice.export",
    "invoice.pdf",
    "invoice.ubl",
    "bank.list",
    "bank.unmatched",
    "bank.statement",
    "bank.assign",
    "bank.dismiss",
]
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
    for name in ("list", "rules", "start", "pin", "hosts", "lists"):
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
    event_only = lambda w: {"event": w.event.slug}  # noqa: E731
    with_code = lambda w: {"event": w.event.slug, "code": w.registration.code}  # noqa: E731
    for name in ("payment.overview", "payment.settings", "invoice.list", "bank.list"):
        table[name] = event_only
    table["bank.unmatched"] = event_only
    table["registration.payments"] = table["registration.record_payment"] = with_code
    table["registration.refund"] = lambda w: {**with_code(w), "payment": _payment(w).pk}
    table["registration.reissue_invoice"] = lambda w: {**with_code(w), "invoice": _invoice(w).pk}
    table["invoice.export"] = lambda w: {"event": w.event.slug, "format": "csv"}
    table["invoice.pdf"] = lambda w: {"event": w.event.slug, "pk": _invoice(w).pk}
    table["invoice.ubl"] = lambda w: {"event": w.event.slug, "pk": _invoice(w).pk}
    table["bank.statement"] = lambda w: {"event": w.event.slug, "pk": _bank_line(w).statement_id}
    table["bank.assign"] = table["bank.dismiss"] = lambda w: {
        "event": w.event.slug,
        "pk": _bank_line(w).pk,
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
        from tests.factories import OutgoingMailFactory

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


def _payment(world: World):
    """Return a paid payment of the world's registration, made the first time it is asked for."""
    if not hasattr(world, "payment"):
        from goedeburen.payments.models import Payment

        world.payment = Payment.objects.create(
            registration=world.registration, provider="manual", amount="125.00", state="paid"
        )
    return world.payment


def _invoice(world: World):
    """Return the invoice of the world's registration, issued the first time it is asked for."""
    if not hasattr(world, "invoice"):
        from goedeburen.payments import services
        from goedeburen.payments.models import OrganiserBilling

        OrganiserBilling.objects.get_or_create(
            organiser=world.organiser,
            defaults={
                "legal_name": "Stichting Goede Buren",
                "address": "Beneluxlaan 9\nUtrecht",
                "kvk_number": "12345678",
                "vat_number": "NL001000007B01",
                "iban": "NL91ABNA0417164300",
                "account_name": "Stichting Goede Buren",
            },
        )
        world.registration.billing_organisation = "Woonstichting De Linde"
        world.registration.billing_address = "Lindelaan 1\nUtrecht"
        world.registration.save()
        world.invoice = services.issue_invoice(world.registration)
    return world.invoice


def _bank_line(world: World):
    """Return an unmatched bank line of the world's organiser, made when first asked for."""
    if not hasattr(world, "bank_line"):
        from goedeburen.payments.models import BankStatement, BankTransaction

        statement = BankStatement.objects.create(
            organiser=world.organiser, event=world.event, filename="s.xml", file_hash="x" * 64
        )
        world.bank_line = BankTransaction.objects.create(
            statement=statement,
            organiser=world.organiser,
            entry_key="ING-1",
            fingerprint="ING-1",
            amount="125.00",
            booking_date="2026-11-23",
            remittance="Bijdrage",
            state="unmatched",
        )
    return world.bank_line


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
