"""A complete event for the back-office tests, and the table that turns every back-office URL
name into a real URL for it."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse
from django.utils import timezone

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
# What the button of a confirm page sends (`backoffice.forms.base.ConfirmationForm`).
CONFIRM = {"confirm": "yes"}
PARTS = ["partner", "item", "round", "session", "speaker", "project", "venue"]
# The payment screens: only the owner and finance roles; tested in test_payments.py.
PAYMENT_SCREENS = [
    "payment.overview",
    "payment.settings",
    "registration.payments",
    "registration.record_payment",
    "registration.refund",
    "registration.refund_settle",
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


# How to fill each URL parameter of a back-office URL with the objects of a world. A URL
# added later is filled from these by the names of its parameters; `pk` is the object its
# URL name starts with. A parameter nobody knows fails `url_kwargs` loudly: add it here.
PARAMETERS = {
    "event": lambda w: w.event.slug,
    "organiser": lambda w: w.organiser.slug,
    "code": lambda w: w.registration.code,
    "venue": lambda w: w.venue.pk,
    "payment": lambda w: _payment(w).pk,
    "refund": lambda w: _stuck_refund(w).pk,
    "invoice": lambda w: _invoice(w).pk,
    "format": lambda w: "csv",
    "uidb64": lambda w: "MQ",
    "token": lambda w: _invitation_token(w),
    "attendee": lambda w: w.attendee.pk,
    "session": lambda w: w.session.pk,
    "job": lambda w: _export_job(w).pk,
}
# The object behind `pk`, by the URL name's first part (or the whole name).
PK_OBJECTS = {
    **{
        part: (lambda w, part=part: getattr(w, part))
        for part in [*PARTS, "question", "room", "ticket_type", "quota"]
    },
    "assignment": lambda w: _run(w),
    "mail": lambda w: _mail(w),
    "mailing": lambda w: _mailing(w),
    "invoice": lambda w: _invoice(w),
    "bank": lambda w: _bank_line(w),
    "bank.statement": lambda w: _bank_line(w).statement,
    "team.event_member": lambda w: _event_member(w),
    "team.organiser_member": lambda w: _event_member(w),
    "team.event_invitation_revoke": lambda w: _invitation(w),
    "team.organiser_invitation_revoke": lambda w: _invitation(w),
    "account.leave": lambda w: _event_member(w),
    "two_factor.remove": lambda w: _owner_device(w),
    "api.token_revoke": lambda w: _api_token(w),
    "api.webhook": lambda w: _endpoint(w),
    "api.redeliver": lambda w: _delivery(w),
    "export": lambda w: _export_preset(w),
}
# Whole URLs whose parameters mean something of their own.
SPECIAL = {
    "mail_template.update": lambda w: {
        "event": w.event.slug,
        "kind": "confirmation",
        "language": "nl",
    },
    "two_factor.remove": lambda w: {"kind": "app", "pk": _owner_device(w).pk},
    "password_reset_confirm": lambda w: {"uidb64": "MQ", "token": "set-password"},
}


def backoffice_patterns() -> dict[str, tuple[list[str], object]]:
    """Return every URL of the `backoffice` namespace: name -> (parameter names, view class)."""
    _prefix, resolver = get_resolver().namespace_dict["backoffice"]
    found = {}

    def walk(patterns, inherited: list[str]):
        for pattern in patterns:
            params = inherited + list(pattern.pattern.converters)
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, params)
            elif pattern.name:
                found[pattern.name] = (params, getattr(pattern.callback, "view_class", None))

    walk(resolver.url_patterns, [])
    return found


def url_kwargs(name: str, world: "World") -> dict:
    """Return the URL arguments of `backoffice:<name>` for the objects of `world`."""
    if name in SPECIAL:
        return SPECIAL[name](world)
    params, _view = backoffice_patterns()[name]
    kwargs = {}
    for param in params:
        if param == "pk":
            maker = PK_OBJECTS.get(name) or PK_OBJECTS.get(name.partition(".")[0])
            if maker is None:
                raise LookupError(f"tests/backoffice/conftest.py: add the object of {name}'s pk")
            kwargs[param] = maker(world).pk
        elif param in PARAMETERS:
            kwargs[param] = PARAMETERS[param](world)
        else:
            raise LookupError(f"tests/backoffice/conftest.py: add how to fill {param} of {name}")
    return kwargs


def _api_token(world: World):
    """Return an API token of the world's organiser, made the first time it is asked for."""
    if not hasattr(world, "api_token"):
        from goedeburen.api import services

        world.api_token, _text = services.create_token(
            organiser=world.organiser,
            event=None,
            name="CRM",
            scopes=["events:read"],
            expires=timezone.now() + dt.timedelta(days=30),
            by=world.owner,
        )
    return world.api_token


def _endpoint(world: World):
    """Return a webhook endpoint of the world's organiser, made when first asked for."""
    if not hasattr(world, "endpoint"):
        from goedeburen.api import services

        world.endpoint, _secret = services.create_endpoint(
            organiser=world.organiser,
            event=None,
            url="https://crm.example.org/hooks",
            event_types=["registration.created"],
            by=world.owner,
        )
    return world.endpoint


def _delivery(world: World):
    """Return a failed webhook delivery of the world's endpoint, made when first asked for."""
    if not hasattr(world, "delivery"):
        from goedeburen.api import services

        world.delivery = services.ping(_endpoint(world), by=world.owner)
        type(world.delivery).objects.filter(pk=world.delivery.pk).update(state="failed")
    return world.delivery


def _event_member(world: World):
    """Return an editor of the world's event, made the first time it is asked for."""
    if not hasattr(world, "member"):
        world.member = TeamMemberFactory(
            organiser=world.organiser, user=UserFactory(), event=world.event, role=Role.EDITOR
        )
    return world.member


def _owner_device(world: World):
    from tests.clients import verified_device

    return verified_device(world.owner)


def _invitation(world: World):
    """Return an open invitation to the world's event, made the first time it is asked for."""
    if not hasattr(world, "invitation"):
        from goedeburen.events.models import Invitation

        world.invitation = Invitation.objects.create(
            organiser=world.organiser,
            event=world.event,
            email="uitgenodigd@example.org",
            role=Role.EDITOR,
            invited_by=world.owner,
            expires_at=timezone.now() + dt.timedelta(days=7),
        )
    return world.invitation


def _invitation_token(world: World) -> str:
    from goedeburen.events.teams import invitation_token

    return invitation_token(_invitation(world))


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


def _stuck_refund(world: World):
    """Return a pending Mollie refund of the world's registration with an error recorded
    (Mollie gave no answer), made the first time it is asked for."""
    if not hasattr(world, "stuck_refund"):
        from goedeburen.payments.models import Payment, Refund

        paid = Payment.objects.create(
            registration=world.registration,
            provider="mollie",
            provider_reference=f"tr_world{world.event.pk}",
            amount="50.00",
            state="paid",
        )
        world.stuck_refund = Refund.objects.create(
            payment=paid, amount="50.00", reason="geannuleerd", error="Mollie gaf geen antwoord"
        )
    return world.stuck_refund


def _invoice(world: World, *, org_id: str = "41178444"):
    """Return the invoice of the world's registration, issued the first time it is asked for
    (to a buyer with `org_id`, its OIN or KvK number: without one it has no e-invoice)."""
    if not hasattr(world, "invoice"):
        from goedeburen.payments import services
        from goedeburen.payments.models import OrganiserBilling

        OrganiserBilling.objects.get_or_create(
            organiser=world.organiser,
            defaults={
                "legal_name": "Stichting Goede Buren",
                "address": "Beneluxlaan 9\n3527 HT Utrecht",
                "kvk_number": "12345678",
                "vat_number": "NL001000007B01",
                "iban": "NL91ABNA0417164300",
                "account_name": "Stichting Goede Buren",
            },
        )
        world.registration.billing_organisation = "Woonstichting De Linde"
        world.registration.billing_address = "Lindelaan 1\n3511 AA Utrecht"
        world.registration.billing_org_id = org_id
        world.registration.save()
        world.invoice = services.issue_invoice(world.registration)
    return world.invoice


def _bank_line(world: World):
    """Return an unmatched bank line of the world's organiser, made when first asked for."""
    if not hasattr(world, "bank_line"):
        from goedeburen.payments.models import BankStatement, BankTransaction

        statement = BankStatement.objects.create(
            organiser=world.organiser,
            event=world.event,
            filename="s.xml",
            file_hash=f"{world.event.pk:064d}",
        )
        world.bank_line = BankTransaction.objects.create(
            statement=statement,
            organiser=world.organiser,
            entry_key=f"ING-{world.event.pk}",
            fingerprint=f"ING-{world.event.pk}",
            amount="125.00",
            booking_date="2026-11-23",
            remittance="Bijdrage",
            state="unmatched",
        )
    return world.bank_line


def _split_bank_line(world: World):
    """Return the world's bank line booked half for its registration, half for another;
    return (line, the other registration)."""
    from goedeburen.payments.models import BankTransaction, Payment
    from tests.factories import RegistrationFactory

    line = _bank_line(world)
    other = RegistrationFactory(event=world.event)
    for registration in (world.registration, other):
        Payment.objects.create(
            registration=registration,
            bank_transaction=line,
            provider="bank_transfer",
            amount="62.50",
            state="paid",
        )
    BankTransaction.objects.filter(pk=line.pk).update(state="matched")
    return line, other


URLS = {name: (lambda w, name=name: url_kwargs(name, w)) for name in backoffice_patterns()}
# The screens of one event: /backoffice/<event>/…
EVENT_URL_NAMES = sorted(
    name for name, (params, _view) in backoffice_patterns().items() if "event" in params
)


def url(name: str, world: World) -> str:
    """Return the path of `backoffice:<name>` for the objects of `world`."""
    return reverse(f"backoffice:{name}", kwargs=url_kwargs(name, world))


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


def _export_preset(world: World):
    """Return the team's preset of the world's attendee export, made when first asked for."""
    if not hasattr(world, "export_preset"):
        from goedeburen.accounts.models import ExportPreset

        world.export_preset = ExportPreset.objects.create(
            event=world.event, kind="attendees", name="Namen", columns=["given_name"]
        )
    return world.export_preset


def _export_job(world: World):
    """Return a made export of the world's owner whose file is gone from the disk (a streamed
    file that a walk over every URL leaves unread would warn; test_export_worker.py downloads
    a real one), made the first time it is asked for."""
    if not hasattr(world, "export_job"):
        from goedeburen.accounts.models import ExportJob

        world.export_job = ExportJob.objects.create(
            event=world.event,
            kind="attendees",
            format="csv",
            requested_by=world.owner,
            state="done",
            rows_total=1,
            rows_done=1,
            file="exports/gone.csv",
            filename="attendees.csv",
            expires=timezone.now() + dt.timedelta(hours=1),
        )
    return world.export_job
