"""factory_boy factories for registration, and small builders of service input."""

from decimal import Decimal

import factory

from goedeburen.events.models import EventStatus
from goedeburen.registration import models, tokens
from goedeburen.registration.enums import AttendingRole, RegistrationStatus
from goedeburen.registration.services import AttendeeDetails, Billing, Booker

from .events import EventFactory


class OpenEventFactory(EventFactory):
    status = EventStatus.REGISTRATION_OPEN


class RegistrationSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RegistrationSettings

    event = factory.SubFactory(OpenEventFactory)


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TicketType

    event = factory.SubFactory(OpenEventFactory)
    name_nl = factory.Sequence(lambda n: f"Kaartje {n}")
    name_en = factory.Sequence(lambda n: f"Ticket {n}")
    price = Decimal("125.00")
    vat_rate = Decimal("21.00")


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Quota
        skip_postgeneration_save = True

    event = factory.SubFactory(OpenEventFactory)
    name = factory.Sequence(lambda n: f"Zaal {n}")
    size = 50

    @factory.post_generation
    def ticket_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.ticket_types.set(extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Registration

    event = factory.SubFactory(OpenEventFactory)
    code = factory.LazyFunction(tokens.new_code)
    booker_name = "Bea Boeker"
    email = "bea@example.org"
    status = RegistrationStatus.CONFIRMED
    language = "nl"
    manage_token_hash = factory.LazyFunction(lambda: tokens.new_manage_token()[1])


def sync_seat_counters(ticket_type_ids) -> None:
    """Set the counters of the quotas of these ticket types to their records.

    Factories write rows past the services, which keep `Quota.taken` exact; this keeps it
    exact for the rows a factory writes (a test that overfills a quota fails on its CHECK).
    """
    from goedeburen.registration.queries import counted_seats

    quota_ids = set(
        models.Quota.objects.filter(ticket_types__in=list(ticket_type_ids)).values_list(
            "pk", flat=True
        )
    )
    for pk, taken in counted_seats(quota_ids).items():
        models.Quota.objects.filter(pk=pk).update(taken=taken)


class AttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Attendee

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        attendee = super()._create(model_class, *args, **kwargs)
        sync_seat_counters([attendee.ticket_type_id])
        return attendee

    registration = factory.SubFactory(RegistrationFactory)
    ticket_type = factory.SubFactory(
        TicketTypeFactory, event=factory.SelfAttribute("..registration.event")
    )
    given_name = "Ada"
    family_name = "de Vries"
    role = AttendingRole.OTHER
    price = factory.SelfAttribute("ticket_type.price")
    vat_rate = factory.SelfAttribute("ticket_type.vat_rate")
    ticket_secret = factory.LazyFunction(tokens.new_ticket_secret)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Question
        skip_postgeneration_save = True

    event = factory.SubFactory(OpenEventFactory)
    label_nl = factory.Sequence(lambda n: f"Vraag {n}")
    label_en = factory.Sequence(lambda n: f"Question {n}")
    kind = "text"

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        for order, label in enumerate(extracted or []):
            models.QuestionOption.objects.create(
                question=self, label_nl=label, label_en=f"{label} (en)", order=order
            )

    @factory.post_generation
    def ticket_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.ticket_types.set(extracted)


def booker(**overrides) -> Booker:
    return Booker(**{"name": "Bea Boeker", "email": "bea@example.org", **overrides})


def billing(**overrides) -> Billing:
    values = {"organisation": "Woonstichting De Linde", "address": "Lindelaan 1\n3511 AA Utrecht"}
    return Billing(**{**values, **overrides})


def attendee(ticket_type, **overrides) -> AttendeeDetails:
    values = {"given_name": "Ada", "family_name": "de Vries", "role": AttendingRole.MUNICIPALITY}
    return AttendeeDetails(ticket_type=ticket_type, **{**values, **overrides})


def form_token(event) -> str:
    return tokens.issue_form_token(event_id=event.pk)


def fill_seats(ticket_type, count: int, *, status=RegistrationStatus.CONFIRMED) -> None:
    """Write `count` registrations of one attendee on `ticket_type`, in two statements.

    On PostgreSQL by `generate_series`: tens of thousands in a second or two, for tests
    that need a nearly full hall. Every column gets the value the model would give it; the
    unique ones are numbered (codes "F0…", which `tokens.new_code` never makes). The
    quotas' counters are then set to their records. Elsewhere (SQLite) the same rows are
    written by `bulk_create`, slower.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        _fill_seats_portably(ticket_type, count, status=status)
        sync_seat_counters([ticket_type.pk])
        return
    registration = models.Registration(
        event=ticket_type.event,
        code="X",
        booker_name="Vol",
        email="vol@example.org",
        status=status,
        language="nl",
        manage_token_hash="x",
    )
    numbered = {
        "code": "'F' || lpad(n::text, 7, '0')",
        "manage_token_hash": "md5('m' || n::text) || md5('n' || n::text)",
    }
    _insert_from(connection, registration, numbered, "FROM generate_series(1, %s) AS n", [count])
    attendee = models.Attendee(
        ticket_type=ticket_type,
        given_name="Vol",
        role=AttendingRole.OTHER,
        price=ticket_type.price,
        vat_rate=ticket_type.vat_rate,
        ticket_secret="x",
    )
    _insert_from(
        connection,
        attendee,
        {"registration_id": "r.id", "ticket_secret": "md5('t' || r.code) || md5('s' || r.code)"},
        "FROM registration_registration r WHERE r.event_id = %s AND r.code LIKE 'F0%%' "
        "AND NOT EXISTS (SELECT 1 FROM registration_attendee a WHERE a.registration_id = r.id)",
        [ticket_type.event_id],
    )
    sync_seat_counters([ticket_type.pk])


def _fill_seats_portably(ticket_type, count: int, *, status) -> None:
    import hashlib

    def digest(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - a test's filler, not a secret

    taken = models.Registration.objects.filter(code__startswith="F0").count()
    numbers = range(taken + 1, taken + count + 1)
    registrations = models.Registration.objects.bulk_create(
        models.Registration(
            event=ticket_type.event,
            code=f"F{n:07d}",
            booker_name="Vol",
            email="vol@example.org",
            status=status,
            language="nl",
            manage_token_hash=digest(f"m{n}") + digest(f"n{n}"),
        )
        for n in numbers
    )
    models.Attendee.objects.bulk_create(
        models.Attendee(
            registration=registration,
            ticket_type=ticket_type,
            given_name="Vol",
            role=AttendingRole.OTHER,
            price=ticket_type.price,
            vat_rate=ticket_type.vat_rate,
            ticket_secret=digest(f"t{registration.code}") + digest(f"s{registration.code}"),
        )
        for registration in registrations
    )


def _insert_from(connection, template, numbered: dict, source: str, source_params) -> None:
    columns, values, params = [], [], []
    for f in template._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.column in numbered:
            values.append(numbered[f.column])
        elif f.name in numbered:
            values.append(numbered[f.name])
        else:
            values.append("%s")
            params.append(f.get_db_prep_save(f.pre_save(template, True), connection))
    table = connection.ops.quote_name(template._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from the model
        f"SELECT {', '.join(values)} {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *source_params])
