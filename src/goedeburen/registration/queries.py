"""Reads of ticket types, seats and registrations that several screens and services share."""

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, connections, router
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)

from goedeburen.common import prepared
from goedeburen.common.versioned import PerVersion
from goedeburen.events.models import Event

from . import tokens
from .enums import (
    HELD_STATUSES,
    NOT_CONFIRMED_STATUSES,
    NOT_CONFIRMED_YET,
    RegistrationStatus,
)
from .models import (
    Answer,
    Attendee,
    Question,
    Quota,
    Registration,
    RegistrationSettings,
    TargetShare,
    TicketType,
)


def registration_settings(event: Event) -> RegistrationSettings:
    """Return the event's registration settings, or the defaults when it has none."""
    found = RegistrationSettings.objects.filter(event=event).first()
    return found or RegistrationSettings(event=event)


@dataclass(frozen=True, kw_only=True)
class BookingData:
    """What booking reads of an event that changes only when the organiser edits it.

    Ticket types (all, by id), the ids of the quotas each counts against, the questions
    (with their options and ticket types) and the registration settings. Read once per
    version of the event (`booking_data`).
    """

    ticket_types: dict[int, TicketType]
    quotas: dict[int, list[int]]
    questions: list[Question]
    settings: RegistrationSettings

    def sellable(self, now: dt.datetime) -> list[TicketType]:
        """Return the ticket types the public form offers at `now`: visible, on sale, in a
        quota, in their order."""
        return [t for t in self.ticket_types.values() if self.quotas[t.pk] and t.is_on_sale(now)]

    def questions_for(self, ticket_type_ids: set[int]) -> list[Question]:
        """Return the questions asked of at least one of these ticket types."""
        return [
            q
            for q in self.questions
            if any(q.applies_to(pk, {t.pk for t in q.ticket_types.all()}) for pk in ticket_type_ids)
        ]


# Read once per version of the event (`common.versioned`).
_BOOKING_DATA = PerVersion("registration:booking", lambda event: _read_booking_data(event))
_SEAT_LAYOUTS = PerVersion("registration:seats", lambda event: _read_seat_layout(event))


def target_mix(event: Event) -> dict[str, Decimal]:
    """Return the event's target share per stakeholder group (role) in %, the groups
    without a target left out."""
    return dict(TargetShare.objects.filter(event=event).values_list("role", "share"))


def booking_data(event: Event) -> BookingData:
    """Return the event's `BookingData` for its current version (`Event.updated`).

    From this process's memory, else from the cache, else read in five queries and cached.
    Every change to a ticket type, quota, question, option or the registration settings
    moves the event's version on (`registration.versioning`), so none of them is missed.
    """
    return _BOOKING_DATA.get(event)


def forget_booking_data() -> None:
    """Forget what this process keeps of `booking_data` and `seat_layout` (for tests that
    clear the cache)."""
    _BOOKING_DATA.forget()
    _SEAT_LAYOUTS.forget()


def _read_booking_data(event: Event) -> BookingData:
    ticket_types = {t.pk: t for t in TicketType.objects.filter(event=event)}
    quotas: dict[int, list[int]] = {pk: [] for pk in ticket_types}
    links = Quota.ticket_types.through.objects.filter(tickettype__event=event).order_by("quota_id")
    for ticket_type_id, quota_id in links.values_list("tickettype_id", "quota_id"):
        quotas[ticket_type_id].append(quota_id)
    return BookingData(
        ticket_types=ticket_types,
        quotas=quotas,
        questions=event_questions(event),
        settings=registration_settings(event),
    )


def takes_seat(*, now: dt.datetime, prefix: str = "registration__") -> Q:
    """Return the condition for an attendee (or, with prefix "", a registration) to hold a seat.

    Confirmed registrations do; held ones only while their hold lasts, so an expired hold
    frees its seats at once, before `release_expired_holds` has tidied its status. A
    waiting-list registration holds the seats offered to it while the offer runs, so that
    nobody else takes them meanwhile.
    """
    held = Q(**{f"{prefix}status__in": HELD_STATUSES}) & (
        Q(**{f"{prefix}hold_until__gt": now}) | Q(**{f"{prefix}hold_until__isnull": True})
    )
    offered = Q(**{f"{prefix}status": RegistrationStatus.WAITING_LIST}) & Q(
        **{f"{prefix}offer_until__gt": now}
    )
    return Q(**{f"{prefix}status": RegistrationStatus.CONFIRMED}) | held | offered


def counts_seats(*, prefix: str = "registration__") -> Q:
    """Return the condition for an attendee (or, with prefix "", a registration) to be
    counted in its quotas' `taken`: by state alone, whatever the time.

    Confirmed registrations, held ones (awaiting approval or pending payment, also once
    their hold has run out: they give their seats back when they are released) and
    waiting-list registrations with an open offer.
    """
    held = Q(**{f"{prefix}status__in": (RegistrationStatus.CONFIRMED, *HELD_STATUSES)})
    offered = Q(**{f"{prefix}status": RegistrationStatus.WAITING_LIST}) & Q(
        **{f"{prefix}offer_until__isnull": False}
    )
    return held | offered


def counted_seats(quota_ids: Iterable[int]) -> dict[int, int]:
    """Return, per quota id, how many seats its records hold: what `Quota.taken` must be."""
    quota_ids = list(quota_ids)
    rows = (
        Attendee.objects.filter(ticket_type__quotas__in=quota_ids)
        .filter(counts_seats())
        .order_by()
        .values("ticket_type__quotas")
        .annotate(taken=Count("pk"))
    )
    taken = dict.fromkeys(quota_ids, 0)
    taken.update({row["ticket_type__quotas"]: row["taken"] for row in rows})
    return taken


def seats_taken(quota_ids: Iterable[int], *, now: dt.datetime) -> dict[int, int]:
    """Return, per quota id, how many of its seats are taken at `now`."""
    quota_ids = list(quota_ids)
    rows = (
        Attendee.objects.filter(ticket_type__quotas__in=quota_ids)
        .filter(takes_seat(now=now))
        .order_by()
        .values("ticket_type__quotas")
        .annotate(taken=Count("pk"))
    )
    taken = dict.fromkeys(quota_ids, 0)
    taken.update({row["ticket_type__quotas"]: row["taken"] for row in rows})
    return taken


@dataclass(frozen=True, kw_only=True)
class PriceList:
    """The prices an event's pages state: one per ticket type the form can sell.

    `includes` is what every one of them includes (in the active language), or "" when
    they differ (each ticket then says its own on the ticket list).
    """

    tickets: list[TicketType]

    @property
    def includes(self) -> str:
        texts = {ticket.t.includes for ticket in self.tickets}
        return texts.pop() if len(texts) == 1 else ""

    @property
    def single(self) -> bool:
        return len(self.tickets) == 1


def price_list(event: Event) -> PriceList:
    """Return the event's `PriceList` from its booking data (no query when cached): the
    visible ticket types that count against a quota, in their order, whether or not their
    sale has started. The event has no price of its own, so these are never contradicted."""
    data = booking_data(event)
    return PriceList(
        tickets=[t for t in data.ticket_types.values() if t.visible and data.quotas[t.pk]]
    )


def public_ticket_types(event: Event) -> QuerySet[TicketType]:
    """Return the ticket types the event's pages show, in their order."""
    return TicketType.objects.filter(event=event, visible=True)


# At most this many places left in a ticket's fullest quota: "only a few places left".
FEW_PLACES = 10
SOLD_OUT, FEW = "sold_out", "few"


def _availability_sql(where: str) -> str:
    links = Quota.ticket_types.through._meta.db_table
    quotas, events = Quota._meta.db_table, Event._meta.db_table
    return (
        f"SELECT link.tickettype_id, quota.size, quota.taken FROM {links} link "  # noqa: S608 - table names from the models only
        f"JOIN {quotas} quota ON quota.id = link.quota_id "
        f"JOIN {events} ev ON ev.id = quota.event_id WHERE {where}"
    )


# Written out rather than built with the ORM: it runs on every view of a cached public page
# (building the query cost more than running it, as for `public_event_version`).
_AVAILABILITY_BY_EVENT = _availability_sql("quota.event_id = %s")
_AVAILABILITY_BY_SLUG = _availability_sql("ev.slug = %s")


def availability(*, event_id: int | None = None, slug: str = "") -> dict[int, str]:
    """Return ticket type id → SOLD_OUT, FEW or "" (enough places), in one query.

    Read from the quotas' seat counters: a hold that ran out but is not yet released still
    counts as taken, so a ticket may show sold out a little early; booking releases such
    holds first, so the form still lets one try (see the form's waiting-list button).
    """
    with connection.cursor() as cursor:
        if event_id:
            prepared.execute(cursor, _AVAILABILITY_BY_EVENT, [event_id])
        else:
            prepared.execute(cursor, _AVAILABILITY_BY_SLUG, [slug])
        rows = cursor.fetchall()
    free: dict[int, int] = {}
    for ticket_type_id, size, taken in rows:
        free[ticket_type_id] = min(free.get(ticket_type_id, size - taken), size - taken)
    return {
        pk: SOLD_OUT if left <= 0 else FEW if left <= FEW_PLACES else ""
        for pk, left in free.items()
    }


def sellable_ticket_types(event: Event, *, now: dt.datetime) -> list[TicketType]:
    """Return the ticket types the public form offers at `now`: visible, on sale, in a quota."""
    candidates = public_ticket_types(event).filter(quotas__isnull=False).distinct()
    return [ticket_type for ticket_type in candidates if ticket_type.is_on_sale(now)]


def event_questions(event: Event) -> list[Question]:
    """Return the event's questions that are asked (not archived) in order, with their
    options and ticket types."""
    return list(
        Question.objects.filter(event=event, archived=False).prefetch_related(
            "options", "ticket_types"
        )
    )


def _answers() -> Prefetch:
    answers = Answer.objects.select_related("question").prefetch_related("options")
    return Prefetch("answers", queryset=answers)


def prefetch_answers(attendees: Iterable[Attendee]) -> None:
    """Load the answers of `attendees` (with questions and chosen options) in three queries."""
    prefetch_related_objects(list(attendees), _answers())


@dataclass(frozen=True)
class GivenAnswer:
    """An answer as lists and exports show it: its text, and the chosen options' Dutch labels
    (in the question's order of options) for a choice question."""

    value: str
    options: tuple[str, ...] = ()


def answers_by_attendee(attendees: Iterable[Attendee]) -> dict[int, dict[int, GivenAnswer]]:
    """Return attendee id → question id → `GivenAnswer` for `attendees`, in two queries.

    For exports of thousands of attendees: `prefetch_answers` gives each attendee a query set
    of its own (~60 µs each), this only plain values.
    """
    rows = list(
        Answer.objects.filter(attendee_id__in=[a.pk for a in attendees])
        .order_by()
        .values_list("pk", "attendee_id", "question_id", "value")
    )
    chosen: dict[int, list[str]] = {}
    if rows:
        through = Answer.options.through.objects.filter(answer_id__in=[r[0] for r in rows])
        for answer_id, label in through.order_by(
            "questionoption__order", "questionoption_id"
        ).values_list("answer_id", "questionoption__label_nl"):
            chosen.setdefault(answer_id, []).append(label)
    found: dict[int, dict[int, GivenAnswer]] = {}
    for pk, attendee_id, question_id, value in rows:
        found.setdefault(attendee_id, {})[question_id] = GivenAnswer(
            value, tuple(chosen.get(pk, ()))
        )
    return found


def registration_detail(registration_id: int) -> Registration:
    """Return a registration with its event and attendees (their ticket types and answers)."""
    attendees = Attendee.objects.select_related("ticket_type").prefetch_related(_answers())
    return (
        Registration.objects.select_related("event")
        .prefetch_related(Prefetch("attendees", queryset=attendees))
        .get(pk=registration_id)
    )


def registration_for_manage(*, event: Event, code: str, token: str) -> Registration | None:
    """Return the event's registration with this code when `token` is its manage token.

    Return None for an unknown code and for a wrong token alike, after the same work.
    """
    found = (
        Registration.objects.filter(event=event, code=code.upper())
        .values_list("pk", "manage_token_hash", "pending_manage_token_hash")
        .first()
    )
    pk, stored_hash, pending_hash = found or (None, None, "")
    # Both compared every time: the answer's time says nothing about which matched.
    current = tokens.manage_token_matches(token, stored_hash)
    pending = tokens.manage_token_matches(token, pending_hash or None)
    if pending and not current:
        from .services.self_service import take_new_manage_link

        take_new_manage_link(pk, pending_hash=pending_hash)
    elif not current:
        return None
    return registration_detail(pk)


def registration_for_confirmation(*, event: Event, code: str, token: str) -> Registration | None:
    """Return what `registration_for_manage` returns, in one query (three when the event
    asks questions): the confirmation page that every booker loads after the form.

    The attendees come with their registration in one query, written out (the ORM's
    `select_related` cost more CPU to build than the query to run; tests/registration/
    test_hot_path.py compares): their ticket types and the questions come from the event's
    `booking_data`. A registration without attendees (none is booked so, but rows may be
    written otherwise) is read the general way.
    """
    sql, alias, converters = _confirmation_sql()
    connection = connections[alias]
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, [event.pk, code.upper()])
        found = cursor.fetchall()
    if converters:  # what the ORM would apply to these columns (none today)
        found = [list(row) for row in found]
        for row in found:
            for index, (functions, column) in converters:
                for convert in functions:
                    row[index] = convert(row[index], column, connection)
    if not found:
        return registration_for_manage(event=event, code=code, token=token)
    split = len(Attendee._meta.concrete_fields)
    registration = Registration.from_db(alias, None, found[0][split:])
    if not tokens.manage_token_matches(token, registration.manage_token_hash):
        return None
    registration.event = event
    data = booking_data(event)
    attendees = [Attendee.from_db(alias, None, row[:split]) for row in found]
    for attendee in attendees:
        attendee.registration = registration
        attendee.ticket_type = data.ticket_types[attendee.ticket_type_id]
    if data.questions:
        prefetch_answers(attendees)
    else:
        for attendee in attendees:
            _set_prefetched(attendee, "answers", [])
    _set_prefetched(registration, "attendees", attendees)
    return registration


@functools.cache
def _confirmation_sql() -> tuple[str, str, list]:
    """Return the query of `registration_for_confirmation` (every column of the attendees,
    then of their registration), the database it runs on and the converters of its columns
    (as the ORM's compiler finds them: by column number, those that have any)."""
    alias = router.db_for_read(Attendee)
    connection = connections[alias]
    qn = connection.ops.quote_name
    converters = []
    fields = [*Attendee._meta.concrete_fields, *Registration._meta.concrete_fields]
    for index, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if functions:
            converters.append((index, (functions, column)))

    def columns(model, table):
        return ", ".join(f"{table}.{qn(f.column)}" for f in model._meta.concrete_fields)

    sql = (
        f"SELECT {columns(Attendee, 'a')}, {columns(Registration, 'r')} "  # noqa: S608 - names from the models
        f"FROM {qn(Attendee._meta.db_table)} a "
        f"JOIN {qn(Registration._meta.db_table)} r ON r.{qn('id')} = a.{qn('registration_id')} "
        f"WHERE r.{qn('event_id')} = %s AND r.{qn('code')} = %s "
        f"ORDER BY a.{qn('order')}, a.{qn('id')}"
    )
    return sql, alias, converters


def locked_registration(
    registration: Registration, *, extra: str = "", params: dict | None = None
) -> tuple[Registration, list]:
    """Return `registration` fresh from the database, its row locked until the transaction
    ends, and the values of the `extra` columns (SQL over `r`, the registration, and `e`,
    its event, with `params` as %(name)s; a constant per caller).

    The event comes along unlocked: the caller's when it is the current version (with its
    organiser, as `events.queries.cached_public_event` has it), else read again. Written out:
    every booking paid by transfer or invoice locks its registration twice, and the ORM's
    building of `select_for_update().select_related()` cost more CPU than running it.
    Raise `Registration.DoesNotExist` when it is gone.
    """
    sql, converters, alias = _locked_sql(extra)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, {**(params or {}), "registration_id": registration.pk})
        row = cursor.fetchone()
    if row is None:
        raise Registration.DoesNotExist("Registration matching query does not exist.")
    split = len(Registration._meta.concrete_fields)
    values, extras = list(row[: split + 1]), list(row[split + 1 :])
    for index, functions, column in converters:
        for convert in functions:
            values[index] = convert(values[index], column, connection)
    event_updated = values.pop()
    fresh = Registration.from_db(alias, None, values)
    event = registration.event if Registration.event.is_cached(registration) else None
    if event is None or event.pk != fresh.event_id or event.updated != event_updated:
        event = Event.objects.select_related("organiser").get(pk=fresh.event_id)
    fresh.event = event
    return fresh, extras


@functools.cache
def _locked_sql(extra: str) -> tuple[str, list, str]:
    """Return the query of `locked_registration` with the `extra` columns, the converters of
    the registration's columns and the event's version (as the ORM's compiler finds them,
    by column number) and the database it runs on."""
    alias = router.db_for_write(Registration)
    connection = connections[alias]
    qn = connection.ops.quote_name
    converters = []
    read = [*Registration._meta.concrete_fields, Event._meta.get_field("updated")]
    for index, field in enumerate(read):
        column = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if functions:
            converters.append((index, functions, column))
    columns = ", ".join(f"r.{qn(f.column)}" for f in Registration._meta.concrete_fields)
    # SQLite has one writer at a time: no row locks to take (as `select_for_update` there).
    lock = "" if connection.vendor == "sqlite" else " FOR UPDATE OF r"
    more = f", {extra}" if extra else ""
    sql = (
        f"SELECT {columns}, e.{qn('updated')}{more} "  # noqa: S608 - names from the model; extra a constant
        f"FROM {qn(Registration._meta.db_table)} r "
        f"JOIN {qn(Event._meta.db_table)} e ON e.{qn('id')} = r.{qn('event_id')} "
        f"WHERE r.{qn('id')} = %(registration_id)s{lock}"
    )
    return sql, converters, alias


def _set_prefetched(instance, name: str, rows: list) -> None:
    # What `prefetch_related_objects` leaves behind, for rows read another way.
    related = getattr(instance, name).all()
    related._result_cache = rows
    related._prefetch_done = True
    instance._prefetched_objects_cache = {
        **getattr(instance, "_prefetched_objects_cache", {}),
        name: related,
    }


# The back office's lists: search, filters and sort orders by name.
REGISTRATION_SORTS = {
    "created": ("created", "pk"),
    "code": ("code",),
    "booker": ("booker_name", "pk"),
    "status": ("status", "-created", "-pk"),
}
ATTENDEE_SORTS = {
    "created": ("registration__created", "registration_id", "order", "pk"),
    "code": ("registration__code", "order", "pk"),
    "name": ("given_name", "family_name", "pk"),
    "status": ("registration__status", "registration_id", "order", "pk"),
}


@dataclass(frozen=True, kw_only=True)
class RegistrationFilter:
    """What the back office's lists narrow down to; empty values filter nothing.

    `names_only` limits the search to codes, names and organisations, for roles that may
    not see email addresses: they must not find people by what they cannot see.
    """

    search: str = ""
    status: str = ""
    ticket_type: int | None = None
    role: str = ""
    needs_approval: bool | None = None
    names_only: bool = False


def _statuses(status: str) -> tuple[str, ...]:
    """Return the statuses a status filter's value stands for (`names_only_status`)."""
    return NOT_CONFIRMED_STATUSES if status == NOT_CONFIRMED_YET else (status,)


def _attendee_search(word: str, *, prefix: str, names_only: bool) -> Q:
    fields = ["given_name", "family_name", "organisation"]
    if not names_only:
        fields.append("email")
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{prefix}{field}__icontains": word})
    return condition


def _attendee_conditions(filters: RegistrationFilter, *, prefix: str) -> Q:
    condition = Q()
    if filters.ticket_type is not None:
        condition &= Q(**{f"{prefix}ticket_type": filters.ticket_type})
    if filters.role:
        condition &= Q(**{f"{prefix}role": filters.role})
    if filters.needs_approval is not None:
        condition &= Q(**{f"{prefix}ticket_type__needs_approval": filters.needs_approval})
    return condition


def search_registrations(
    event: Event, *, filters: RegistrationFilter, sort: str = "-created"
) -> QuerySet[Registration]:
    """Return the event's registrations that match `filters`, sorted by `sort`.

    `sort` is a key of `REGISTRATION_SORTS`, with "-" for descending; an unknown one sorts
    by newest first. Every word of the search must match the code, the booker or one of
    the attendees. A ticket-type, role or approval filter keeps a registration when one
    of its attendees matches it. The attendees come along (with their ticket types).
    """
    registrations = Registration.objects.filter(event=event)
    for word in filters.search.split():
        attendees = Attendee.objects.filter(
            _attendee_search(word, prefix="", names_only=filters.names_only),
            registration=OuterRef("pk"),
        )
        registrations = registrations.filter(
            Q(code__icontains=word)
            | Q(booker_name__icontains=word)
            | (Q() if filters.names_only else Q(email__icontains=word))
            | Exists(attendees)
        )
    if filters.status:
        registrations = registrations.filter(status__in=_statuses(filters.status))
    attendee_condition = _attendee_conditions(filters, prefix="")
    if attendee_condition:
        matching = Attendee.objects.filter(attendee_condition, registration=OuterRef("pk"))
        registrations = registrations.filter(Exists(matching))
    attendees = Attendee.objects.select_related("ticket_type").order_by("order", "pk")
    return registrations.order_by(*_ordering(sort, REGISTRATION_SORTS)).prefetch_related(
        Prefetch("attendees", queryset=attendees)
    )


def search_attendees(
    event: Event, *, filters: RegistrationFilter, sort: str = "-created"
) -> QuerySet[Attendee]:
    """Return the attendees of the event's registrations that match `filters`, sorted.

    Like `search_registrations`, but per attendee: the search words match the attendee or
    their registration's code (and, unless `names_only`, its booker).
    """
    attendees = Attendee.objects.filter(registration__event=event)
    for word in filters.search.split():
        condition = _attendee_search(word, prefix="", names_only=filters.names_only)
        condition |= Q(registration__code__icontains=word)
        if not filters.names_only:
            condition |= Q(registration__booker_name__icontains=word)
            condition |= Q(registration__email__icontains=word)
        attendees = attendees.filter(condition)
    if filters.status:
        attendees = attendees.filter(registration__status__in=_statuses(filters.status))
    attendees = attendees.filter(_attendee_conditions(filters, prefix=""))
    return attendees.select_related("registration", "ticket_type").order_by(
        *_ordering(sort, ATTENDEE_SORTS)
    )


def _ordering(sort: str, sorts: dict[str, tuple[str, ...]]) -> list[str]:
    descending = sort.startswith("-")
    fields = sorts.get(sort.removeprefix("-"))
    if fields is None:
        fields, descending = sorts["created"], True
    if not descending:
        return list(fields)
    return [field.removeprefix("-") if field.startswith("-") else f"-{field}" for field in fields]


def status_counts(event: Event) -> dict[str, int]:
    """Return how many of the event's registrations are in each status (0 for none)."""
    rows = (
        Registration.objects.filter(event=event)
        .order_by()
        .values("status")
        .annotate(count=Count("pk"))
    )
    counts = dict.fromkeys(RegistrationStatus.values, 0)
    counts.update({row["status"]: row["count"] for row in rows})
    return counts


def event_registration(event: Event, code: str) -> Registration | None:
    """Return the event's registration with this code, with its attendees and their tickets."""
    attendees = Attendee.objects.select_related("ticket_type").order_by("order", "pk")
    return (
        Registration.objects.filter(event=event, code=code.upper())
        .prefetch_related(Prefetch("attendees", queryset=attendees))
        .first()
    )


def organiser_registration(organiser, code: str) -> Registration | None:
    """Return the registration with this code of any event of `organiser`, with its event."""
    code = (code or "").strip().upper()
    return (
        Registration.objects.filter(event__organiser=organiser, code=code)
        .select_related("event__organiser")
        .first()
    )


@dataclass(frozen=True, kw_only=True)
class SeatUse:
    """How the seats of a quota (or the places of a ticket type) are used, in people.

    `held` counts registrations awaiting approval or payment whose hold still runs; an
    expired hold counts nowhere (its seats are free). `size` and `free` are None for a ticket
    type outside every quota; a ticket type's `free` is the least free of its quotas.
    """

    name: str
    size: int | None
    confirmed: int
    held: int
    free: int | None
    waiting: int
    pk: int | None = None  # the quota's or ticket type's id

    @property
    def taken(self) -> int:
        return self.confirmed + self.held


@dataclass(frozen=True, kw_only=True)
class Capacity:
    quotas: list[SeatUse]
    ticket_types: list[SeatUse]


@dataclass(frozen=True, kw_only=True)
class QuotaShape:
    """A quota as the capacity figures need it: its size and the ticket types it counts."""

    pk: int
    name: str
    size: int
    ticket_type_ids: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class SeatLayout:
    """An event's ticket types and quotas, which change only when the organiser edits them."""

    ticket_types: list[TicketType]
    quotas: list[QuotaShape]


def seat_layout(event: Event) -> SeatLayout:
    """Return the event's ticket types and quotas for its current version (`Event.updated`).

    From this process's memory, else from the cache, else read in two queries and cached:
    ticket types, quotas and their links move the version on (`registration.versioning`),
    as for `booking_data`. The seats taken are never part of it.
    """
    return _SEAT_LAYOUTS.get(event)


def _read_seat_layout(event: Event) -> SeatLayout:
    quotas = Quota.objects.filter(event=event).prefetch_related("ticket_types").order_by("pk")
    return SeatLayout(
        ticket_types=list(TicketType.objects.filter(event=event)),
        quotas=[
            QuotaShape(
                pk=quota.pk,
                name=quota.name,
                size=quota.size,
                ticket_type_ids=tuple(t.pk for t in quota.ticket_types.all()),
            )
            for quota in quotas
        ],
    )


def _seat_counts(now: dt.datetime) -> dict:
    """Return the filtered counts of attendees by how they use their seat at `now`."""
    held = Q(registration__status__in=HELD_STATUSES) & (
        Q(registration__hold_until__gt=now) | Q(registration__hold_until__isnull=True)
    )
    return {
        "confirmed": Count("pk", filter=Q(registration__status=RegistrationStatus.CONFIRMED)),
        "held": Count("pk", filter=held),
        "waiting": Count("pk", filter=Q(registration__status=RegistrationStatus.WAITING_LIST)),
    }


def capacity(
    event: Event, *, now: dt.datetime, per_type: dict[int, dict] | None = None
) -> Capacity:
    """Return the seats of every quota and ticket type of the event at `now`: one query (none
    when the caller counted `per_type` already: ticket type id → confirmed, held and waiting
    attendees, as `attendee_figures` does) besides the event's `seat_layout`."""
    if per_type is None:
        rows = (
            Attendee.objects.filter(registration__event=event)
            .order_by()
            .values("ticket_type")
            .annotate(**_seat_counts(now))
        )
        per_type = {row["ticket_type"]: row for row in rows}
    empty = {"confirmed": 0, "held": 0, "waiting": 0}
    layout = seat_layout(event)
    ticket_types = layout.ticket_types

    quota_uses, free_per_type = [], {}
    for quota in layout.quotas:
        counts = [per_type.get(pk, empty) for pk in quota.ticket_type_ids]
        figures = {key: sum(c[key] for c in counts) for key in empty}
        free = max(quota.size - figures["confirmed"] - figures["held"], 0)
        quota_uses.append(
            SeatUse(name=quota.name, size=quota.size, free=free, pk=quota.pk, **figures)
        )
        for pk in quota.ticket_type_ids:
            free_per_type[pk] = min(free_per_type.get(pk, free), free)
    type_uses = [
        SeatUse(
            name=ticket_type.t.name,
            pk=ticket_type.pk,
            size=None,
            free=free_per_type.get(ticket_type.pk),
            **{key: per_type.get(ticket_type.pk, empty)[key] for key in empty},
        )
        for ticket_type in ticket_types
    ]
    return Capacity(quotas=quota_uses, ticket_types=type_uses)


@dataclass(frozen=True, kw_only=True)
class AttendeeFigures:
    """The event's attendees counted at once: per ticket type by seat use (see `capacity`),
    per attending role those counted in their quotas (`counts_seats`)."""

    per_type: dict[int, dict[str, int]]
    seated_per_role: dict[str, int]

    @property
    def confirmed(self) -> int:
        """Return the number of attendees of confirmed registrations."""
        return sum(row["confirmed"] for row in self.per_type.values())


def attendee_figures(event: Event, *, now: dt.datetime) -> AttendeeFigures:
    """Return the event's attendee counts per ticket type and per role in one query."""
    rows = (
        Attendee.objects.filter(registration__event=event)
        .order_by()
        .values("ticket_type", "role")
        .annotate(**_seat_counts(now), seated=Count("pk", filter=counts_seats()))
    )
    per_type: dict[int, dict[str, int]] = {}
    per_role: dict[str, int] = {}
    for row in rows:
        figures = per_type.setdefault(row["ticket_type"], {"confirmed": 0, "held": 0, "waiting": 0})
        for key in figures:
            figures[key] += row[key]
        per_role[row["role"]] = per_role.get(row["role"], 0) + row["seated"]
    return AttendeeFigures(per_type=per_type, seated_per_role=per_role)


def waiting_list(event: Event) -> QuerySet[Registration]:
    """Return the event's waiting-list registrations without a running offer, first come first."""
    return Registration.objects.filter(
        event=event, status=RegistrationStatus.WAITING_LIST, offer_until__isnull=True
    ).order_by("created", "pk")


def registration_for_offer(*, event: Event, code: str, token: str) -> Registration | None:
    """Return the event's registration with this code when `token` is its offer token.

    Return None for an unknown code, a wrong token and a registration without an offer
    alike, after the same work.
    """
    found = (
        Registration.objects.filter(event=event, code=code.upper())
        .values_list("pk", "offer_token_hash")
        .first()
    )
    pk, stored_hash = found or (None, None)
    if not tokens.manage_token_matches(token, stored_hash):
        return None
    return registration_detail(pk)


def edit_deadline(event: Event) -> dt.datetime:
    """Return until when the booker may change their details: the event's setting or its start."""
    return registration_settings(event).edit_deadline or event.starts_at()


def cancellation_is_free(event: Event, *, now: dt.datetime) -> bool:
    """Return whether cancelling at `now` is free under the event's cancellation policy."""
    free_until = registration_settings(event).free_cancellation_until
    return free_until is None or now <= free_until


def waiting_list_screen(event: Event) -> QuerySet[Registration]:
    """Return the event's registrations on the waiting list in their turn (first come, first
    served), each with its number of people and its attendees (and their tickets)."""
    attendees = Attendee.objects.select_related("ticket_type").order_by("order", "pk")
    return (
        Registration.objects.filter(event=event, status=RegistrationStatus.WAITING_LIST)
        .annotate(people=Count("attendees"))
        .prefetch_related(Prefetch("attendees", queryset=attendees))
        .order_by("created", "pk")
    )
