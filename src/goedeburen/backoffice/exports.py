"""The back office's list exports (CSV and XLSX): each list's columns, who may have which,
the list's own search behind it, and the writing of the file.

Each list names its columns once here, in a `ListExport` of `KINDS`: the permission its
screen needs, how its screen's filters (the same form and query as the screen) select the
rows, and its columns. The export views (`views/exports.py`) offer the columns as choices
and presets, and leave out what the user's role may not see: special-category columns (the
attending role, dietary wishes, accessibility needs and the answers to special-category
questions) without `registration.view_special_category`, contact details for a role that
sees names only (check-in staff, session hosts). Values keep their type (`Decimal`, dates)
so that the XLSX has real numbers and dates (`checkin.exports.as_xlsx`); text never becomes
a formula. A list longer than `EXPORT_WORKER_ROWS` is written by the worker
(`backoffice.tasks.make_export`) with the same code. The invoices also export as one ZIP of
their PDFs and e-invoices (`ARCHIVE`; by the worker from `EXPORT_WORKER_FILES` on).
"""

import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from goedeburen.backoffice.forms.exports import BankLineFilterForm, SessionFilterForm
from goedeburen.backoffice.forms.payments import PeriodForm
from goedeburen.backoffice.forms.registrations import (
    ATTENDEE_SORTS,
    REGISTRATION_SORTS,
    RegistrationSearchForm,
)
from goedeburen.checkin import exports as files
from goedeburen.events.models import Event, Session
from goedeburen.matching import queries as matching_queries
from goedeburen.matching.models import SessionHost
from goedeburen.payments import queries as payment_queries
from goedeburen.payments.models import BankTransaction, Invoice, Payment
from goedeburen.payments.pdf import invoice_filename, render_invoice
from goedeburen.payments.ubl import invoice_ubl_filename, render_ubl
from goedeburen.registration import queries as registration_queries
from goedeburen.registration.enums import YES, names_only_status, names_only_status_choices
from goedeburen.registration.models import Attendee, Question, Registration, TicketType

FORMATS = ("csv", "xlsx")
# The invoices also as one ZIP of their PDFs and e-invoices, for the bookkeeping.
ARCHIVE = "zip"
CONTENT_TYPES = {"csv": files.CSV_TYPE, "xlsx": files.XLSX_TYPE, ARCHIVE: "application/zip"}
# Rows read from the database at a time (and between two progress reports of the worker).
BATCH = 1000


def _display(model, name: str, *, of: Callable = lambda obj: obj) -> Callable:
    """Return obj → the label of the value of its field `name`, as `get_FOO_display` does.

    Each label is translated once per language: `get_FOO_display` hashes every lazy label
    of the choices on every call, which was most of the time of a 10,000-row export.
    """
    choices = model._meta.get_field(name).flatchoices
    by_language: dict[str, dict] = {}

    def label(obj):
        language = get_language()
        labels = by_language.get(language)
        if labels is None:
            labels = by_language[language] = {key: str(text) for key, text in choices}
        value = getattr(of(obj), name)
        return labels.get(value, value)

    return label


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable
    special: bool = False  # special-category data
    contact: bool = False  # more than names: for roles that see bookings
    names_only_value: Callable | None = None  # instead of `value` for the others


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _local(moment):
    if moment is None:
        return None
    # A session's start is a naive local time already (its round's date and clock time).
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _names_only_status(of: Callable = lambda obj: obj) -> Callable:
    """Return obj → its registration's status as a role that sees names only may see it."""

    def label(obj):
        return str(dict(names_only_status_choices())[names_only_status(of(obj).status)])

    return label


ATTENDEE_COLUMNS = [
    Column("code", gettext_lazy("Registration"), lambda a: a.registration.code),
    Column(
        "status",
        gettext_lazy("Status"),
        _display(Registration, "status", of=lambda a: a.registration),
        names_only_value=_names_only_status(of=lambda a: a.registration),
    ),
    Column("registered", gettext_lazy("Registered"), lambda a: _local(a.registration.created)),
    Column("given_name", gettext_lazy("First name"), lambda a: a.given_name),
    Column("family_name", gettext_lazy("Last name"), lambda a: a.family_name),
    Column("email", gettext_lazy("Email address"), lambda a: a.email, contact=True),
    Column("organisation", gettext_lazy("Organisation"), lambda a: a.organisation),
    Column("function", gettext_lazy("Job title"), lambda a: a.function, contact=True),
    # The ticket is for the roles that see bookings: a resident's free ticket marks them.
    Column("ticket", gettext_lazy("Ticket"), lambda a: a.ticket_type.name_nl, contact=True),
    Column("price", gettext_lazy("Price incl. VAT"), lambda a: a.price, contact=True),
    Column("vat_rate", gettext_lazy("VAT rate (%)"), lambda a: a.vat_rate, contact=True),
    Column("badge", gettext_lazy("Name on the badge"), lambda a: a.badge_text),
    Column(
        "photo_consent",
        gettext_lazy("Consents to photos and film"),
        lambda a: _yes_no(a.photo_consent),
    ),
    Column(
        "list_consent",
        gettext_lazy("On the attendee list"),
        lambda a: _yes_no(a.attendee_list_consent),
    ),
    Column("role", gettext_lazy("Attending as"), _display(Attendee, "role"), special=True),
    Column(
        "dietary_wishes", gettext_lazy("Dietary wishes"), lambda a: a.dietary_wishes, special=True
    ),
    Column(
        "accessibility_needs",
        gettext_lazy("Accessibility needs"),
        lambda a: a.accessibility_needs,
        special=True,
    ),
]

REGISTRATION_COLUMNS = [
    Column("code", gettext_lazy("Code"), lambda r: r.code),
    Column(
        "status",
        gettext_lazy("Status"),
        _display(Registration, "status"),
        names_only_value=_names_only_status(),
    ),
    Column("registered", gettext_lazy("Registered"), lambda r: _local(r.created)),
    Column("booker", gettext_lazy("Booker"), lambda r: r.booker_name),
    Column("email", gettext_lazy("Email address"), lambda r: r.email, contact=True),
    Column("attendees", gettext_lazy("Attendees"), lambda r: len(r.attendees.all())),
    Column("total", gettext_lazy("Total incl. VAT"), lambda r: r.total, contact=True),
    Column(
        "organisation",
        gettext_lazy("Organisation or name on the invoice"),
        lambda r: r.billing_organisation,
        contact=True,
    ),
    Column("po_number", gettext_lazy("Purchase order number"), lambda r: r.po_number, contact=True),
    Column(
        "reference", gettext_lazy("Your reference"), lambda r: r.billing_reference, contact=True
    ),
    Column("vat_number", gettext_lazy("VAT number"), lambda r: r.billing_vat_number, contact=True),
    Column("language", gettext_lazy("Language"), lambda r: r.language),
]


def _answer(question: Question) -> Callable[[Attendee], str]:
    def value(attendee: Attendee) -> str:
        answer = attendee.given_answers.get(question.pk)  # set by `_with_answers`
        if answer is None:
            return ""
        if question.kind == "yes_no":
            return _yes_no(answer.value == YES)
        if question.has_options:
            return ", ".join(answer.options)
        return answer.value

    return value


def question_columns(questions: Iterable[Question]) -> list[Column]:
    """Return one column per question of the event (its answers), special ones marked."""
    return [
        Column(
            f"q{question.pk}",
            question.label_nl,
            _answer(question),
            special=question.special_category,
            contact=True,
        )
        for question in questions
    ]


def allowed(columns: list[Column], *, special: bool, names_only: bool) -> list[Column]:
    """Return the columns a role may have: without `special` no special-category column,
    with `names_only` nothing beyond names, badge names and organisations."""
    return [
        replace(c, value=c.names_only_value) if names_only and c.names_only_value else c
        for c in columns
        if (special or not c.special) and not (names_only and c.contact)
    ]


def chosen(columns: list[Column], keys: list[str]) -> list[Column]:
    """Return the columns named in `keys` (in the list's order), or all when none is named;
    keys the role may not have, or that do not exist, are left out."""
    wanted = set(keys)
    picked = [c for c in columns if c.key in wanted]
    return picked or columns


def rows(objects: Iterable, columns: list[Column]):
    """Yield each object as the values of `columns`."""
    for obj in objects:
        yield [column.value(obj) for column in columns]


# The other lists' columns.

PAYMENT_COLUMNS = [
    Column("registration", gettext_lazy("Registration"), lambda p: p.registration.code),
    Column("booker", gettext_lazy("Booker"), lambda p: p.registration.booker_name),
    Column("created", gettext_lazy("Date"), lambda p: _local(p.created)),
    Column("confirmed", gettext_lazy("Confirmed"), lambda p: _local(p.confirmed)),
    Column("provider", gettext_lazy("Way of paying"), _display(Payment, "provider")),
    Column("state", gettext_lazy("Status"), _display(Payment, "state")),
    Column("amount", gettext_lazy("Amount"), lambda p: p.amount),
    Column(
        "refunded",
        gettext_lazy("Refunded"),
        # Failed and cancelled refunds paid nothing back (`Payment.refunded`).
        lambda p: p.refunded,
    ),
    Column("payer", gettext_lazy("Paid by"), lambda p: p.payer_name, contact=True),
    Column("payer_iban", gettext_lazy("From account"), lambda p: p.payer_iban, contact=True),
    Column("reference", gettext_lazy("Provider reference"), lambda p: p.provider_reference),
    Column("note", gettext_lazy("Note"), lambda p: p.note),
]

INVOICE_COLUMNS = [
    Column("number", gettext_lazy("Invoice number"), lambda i: i.number),
    Column("kind", gettext_lazy("Kind"), _display(Invoice, "kind")),
    Column("issue_date", gettext_lazy("Invoice date"), lambda i: i.issue_date),
    Column("supply_date", gettext_lazy("Date of supply"), lambda i: i.supply_date),
    Column("due_date", gettext_lazy("Due date"), lambda i: i.due_date),
    Column(
        "credits",
        gettext_lazy("Credits invoice"),
        lambda i: i.credits.number if i.credits_id else "",
    ),
    Column("registration", gettext_lazy("Registration"), lambda i: i.registration.code),
    Column("buyer_name", gettext_lazy("Buyer"), lambda i: i.buyer_name, contact=True),
    Column("po_number", gettext_lazy("Purchase order number"), lambda i: i.po_number),
    Column("buyer_reference", gettext_lazy("Your reference"), lambda i: i.buyer_reference),
    Column("total_excl", gettext_lazy("Total excl. VAT"), lambda i: i.total_excl),
    Column("total_vat", gettext_lazy("VAT"), lambda i: i.total_vat),
    Column("total", gettext_lazy("Total incl. VAT"), lambda i: i.total),
]

BANK_LINE_COLUMNS = [
    Column("booked", gettext_lazy("Booked"), lambda t: t.booking_date),
    Column("amount", gettext_lazy("Amount"), lambda t: t.amount),
    Column("kind", gettext_lazy("Credit or debit"), _display(BankTransaction, "kind")),
    Column("name", gettext_lazy("From"), lambda t: t.debtor_name, contact=True),
    Column("iban", gettext_lazy("From account"), lambda t: t.account_shown, contact=True),
    Column("description", gettext_lazy("Description"), lambda t: t.remittance),
    Column("reference", gettext_lazy("Structured reference"), lambda t: t.reference),
    Column("state", gettext_lazy("State"), _display(BankTransaction, "state")),
    # A split line paid for several: all of them.
    Column(
        "registration",
        gettext_lazy("Registration"),
        lambda t: ", ".join(registration.code for registration in t.registrations),
    ),
    Column("statement", gettext_lazy("Statement file"), lambda t: t.statement.filename),
    Column("account", gettext_lazy("Our account"), lambda t: t.account),
    Column("note", gettext_lazy("Note"), lambda t: t.note),
]

WAITING_LIST_COLUMNS = [
    Column("turn", gettext_lazy("Turn"), lambda r: r.turn),
    Column("code", gettext_lazy("Registration"), lambda r: r.code),
    Column("since", gettext_lazy("Waiting since"), lambda r: _local(r.created)),
    Column("booker", gettext_lazy("Booker"), lambda r: r.booker_name),
    Column("email", gettext_lazy("Email address"), lambda r: r.email, contact=True),
    Column("people", gettext_lazy("People"), lambda r: r.people),
    Column(
        "tickets",
        gettext_lazy("Tickets"),
        lambda r: ", ".join(a.ticket_type.name_nl for a in r.attendees.all()),
    ),
    Column("offer_until", gettext_lazy("Offer valid until"), lambda r: _local(r.offer_until)),
]


@dataclass(frozen=True)
class Placed:
    """One row of a session list: an attendee placed in a session."""

    session: Session
    attendee: Attendee


# Session hosts may have these lists: names and organisations only (never the ticket or
# the attending role, which would mark a resident); the email address for the organisers.
SESSION_LIST_COLUMNS = [
    Column("round", gettext_lazy("Round"), lambda p: p.session.round.t.title),
    Column("start", gettext_lazy("Starts"), lambda p: _local(p.session.starts)),
    Column("session", gettext_lazy("Session"), lambda p: p.session.t.title),
    Column(
        "room",
        gettext_lazy("Room"),
        lambda p: p.session.room.name if p.session.room_id else "",
    ),
    Column("given_name", gettext_lazy("First name"), lambda p: p.attendee.given_name),
    Column("family_name", gettext_lazy("Last name"), lambda p: p.attendee.family_name),
    Column("organisation", gettext_lazy("Organisation"), lambda p: p.attendee.organisation),
    Column("email", gettext_lazy("Email address"), lambda p: p.attendee.email, contact=True),
]


# The lists and their searches.

SPECIAL = "registration.view_special_category"
BOOKINGS = "registration.view_registrations"


@dataclass(frozen=True)
class Found:
    """The rows a list's filters select, or why the filters select nothing (`error`)."""

    objects: QuerySet | list
    error: str = ""
    # Labels of filters whose values the list screen ignores: an export refuses them.
    filters: dict = field(default_factory=dict)

    def count(self) -> int:
        if isinstance(self.objects, QuerySet):
            return self.objects.count()
        return len(self.objects)


@dataclass(frozen=True)
class ListExport:
    """One list's export: `kind` (in URLs, presets and jobs), `name` (the first part of its
    URL names), the permission of its screen (on the event, or with `organiser_level` on
    the event's organiser), the list screen's URL name, its columns and its search."""

    kind: str
    name: str
    title: object  # a lazy translation
    permission: str
    list_url: str
    all_columns: Callable[[Event], list[Column]]
    search: Callable[[Event, object, QueryDict], Found]
    prepare: Callable[[list], list] = lambda objects: objects
    organiser_level: bool = False
    formats: tuple[str, ...] = FORMATS

    def columns(self, event: Event, user) -> list[Column]:
        """Return the columns `user` may have of this list."""
        return allowed(
            self.all_columns(event),
            special=user.has_perm(SPECIAL, event),
            names_only=not user.has_perm(BOOKINGS, event),
        )

    def may(self, user, event: Event) -> bool:
        return user.has_perm(self.permission, event.organiser if self.organiser_level else event)

    def filename(self, event: Event, fmt: str) -> str:
        return f"{self.kind.replace('_', '-')}-{event.slug}.{fmt}"

    @staticmethod
    def worker_rows(fmt: str) -> int:
        """Return how many rows `fmt` makes at once; a longer list goes to the worker. A ZIP
        renders a PDF per invoice (about 3 ms each): fewer."""
        return settings.EXPORT_WORKER_FILES if fmt == ARCHIVE else settings.EXPORT_WORKER_ROWS


def search_form(
    event: Event, user, query: QueryDict, *, sorts, ticket_types: list[TicketType] | None = None
) -> RegistrationSearchForm:
    """Return the registration and attendee lists' search form for `user` (their screen's);
    `ticket_types`: the event's, when the caller read them already."""
    return RegistrationSearchForm(
        query,
        ticket_types=list(TicketType.objects.filter(event=event))
        if ticket_types is None
        else ticket_types,
        sorts=sorts,
        show_role=user.has_perm(SPECIAL, event),
        names_only=not user.has_perm(BOOKINGS, event),
        show_tickets=user.has_perm(BOOKINGS, event),
    )


def bad_filters(form: forms.Form) -> str:
    """Return why `form`'s filters export nothing (names the ones with a wrong value)."""
    if not form.errors:
        return ""
    names = [str(form.fields[n].label) for n in form.errors if n in form.fields]
    if not names:  # an error of the whole form (a period that ends before it starts)
        return " ".join(str(e) for e in form.non_field_errors())
    return _("A filter has a value that does not exist; nothing was exported: %(names)s.") % {
        "names": ", ".join(names)
    }


def _registrations(event, user, query) -> Found:
    form = search_form(event, user, query, sorts=REGISTRATION_SORTS)
    found = registration_queries.search_registrations(
        event, filters=form.filters(), sort=form.sort_order("-created")
    )
    return Found(found, bad_filters(form))


def _attendees(event, user, query) -> Found:
    form = search_form(event, user, query, sorts=ATTENDEE_SORTS)
    found = registration_queries.search_attendees(
        event, filters=form.filters(), sort=form.sort_order("-created")
    )
    return Found(found, bad_filters(form))


def _period(query: QueryDict) -> tuple[dict, str]:
    form = PeriodForm(query or None)
    if not form.is_bound:
        return {}, ""
    if not form.is_valid():
        return {}, bad_filters(form)
    return form.cleaned_data, ""


def _payments(event, user, query) -> Found:
    period, error = _period(query)
    found = payment_queries.event_payments(event, start=period.get("start"), end=period.get("end"))
    return Found(found, error)


def _invoices(event, user, query) -> Found:
    period, error = _period(query)
    found = payment_queries.event_invoices(event, start=period.get("start"), end=period.get("end"))
    return Found(found, error)


def _bank_lines(event, user, query) -> Found:
    form = BankLineFilterForm(query, organiser=event.organiser)
    found = payment_queries.bank_lines(event.organiser)
    if not form.is_valid():
        return Found(found, bad_filters(form))
    return Found(form.apply(found))


def _waiting_list(event, user, query) -> Found:
    found = list(registration_queries.waiting_list_screen(event))
    for turn, registration in enumerate(found, start=1):
        registration.turn = turn
    return Found(found)


def _session_lists(event, user, query) -> Found:
    """The placements of the published run in the sessions `user` may see (a host: their
    own), as the session lists screen shows them; `?session=` narrows to one."""
    sessions = Session.objects.filter(round__event=event).select_related("round", "room")
    if not user.has_perm("matching.view_all_session_lists", event):
        own = SessionHost.objects.filter(user=user).values("session_id")
        sessions = sessions.filter(pk__in=own)
    form = SessionFilterForm(query)
    if not form.is_valid():
        return Found([], bad_filters(form))
    if form.cleaned_data["session"]:
        sessions = sessions.filter(pk=form.cleaned_data["session"])
    sessions = list(sessions.order_by("round__start", "order", "pk"))
    run = matching_queries.published_run(event)
    placed = (
        matching_queries.session_lists(run, session_ids=[s.pk for s in sessions]) if run else {}
    )
    return Found([Placed(s, a) for s in sessions for a in placed.get(s.pk, [])])


def _attendee_columns(event: Event) -> list[Column]:
    return ATTENDEE_COLUMNS + question_columns(registration_queries.event_questions(event))


def _with_answers(attendees: list) -> list:
    answers = registration_queries.answers_by_attendee(attendees)
    for attendee in attendees:
        attendee.given_answers = answers.get(attendee.pk, {})
    return attendees


KINDS = {
    spec.kind: spec
    for spec in [
        ListExport(
            kind="registrations",
            name="registration",
            title=gettext_lazy("Registrations"),
            permission=BOOKINGS,
            list_url="registration.list",
            all_columns=lambda event: REGISTRATION_COLUMNS,
            search=_registrations,
        ),
        ListExport(
            kind="attendees",
            name="attendee",
            title=gettext_lazy("Attendees"),
            permission="registration.view_attendees",
            list_url="attendee.list",
            all_columns=_attendee_columns,
            search=_attendees,
            prepare=_with_answers,
        ),
        ListExport(
            kind="payments",
            name="payment",
            title=gettext_lazy("Payments"),
            permission="payments.view_payments",
            list_url="payment.overview",
            all_columns=lambda event: PAYMENT_COLUMNS,
            search=_payments,
        ),
        ListExport(
            kind="invoices",
            name="invoice",
            title=gettext_lazy("Invoices"),
            permission="payments.view_payments",
            list_url="invoice.list",
            all_columns=lambda event: INVOICE_COLUMNS,
            search=_invoices,
            formats=(*FORMATS, ARCHIVE),
        ),
        ListExport(
            kind="bank_lines",
            name="bank",
            title=gettext_lazy("Bank statement lines"),
            permission="payments.view_bank",
            list_url="bank.list",
            all_columns=lambda event: BANK_LINE_COLUMNS,
            search=_bank_lines,
            organiser_level=True,
        ),
        ListExport(
            kind="waiting_list",
            name="waiting_list",
            title=gettext_lazy("Waiting list"),
            permission=BOOKINGS,
            list_url="waiting_list",
            all_columns=lambda event: WAITING_LIST_COLUMNS,
            search=_waiting_list,
        ),
        ListExport(
            kind="session_lists",
            name="session_list",
            title=gettext_lazy("Session lists"),
            permission="matching.view_session_lists",
            list_url="assignment.lists",
            all_columns=lambda event: SESSION_LIST_COLUMNS,
            search=_session_lists,
        ),
    ]
}


def _batches(objects, size: int = BATCH) -> Iterator[list]:
    """Yield `objects` a batch at a time: a query set slice by slice (in its order), so
    that its prefetches run per batch and memory stays flat."""
    if isinstance(objects, QuerySet):
        start = 0
        while True:
            batch = list(objects[start : start + size])
            if batch:
                yield batch
            if len(batch) < size:
                return
            start += size
    else:
        objects = list(objects)
        for start in range(0, len(objects), size):
            yield objects[start : start + size]


def write(
    spec: ListExport,
    found: Found,
    *,
    columns: list[Column],
    fmt: str,
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, int]:
    """Return the file of `found` in `fmt` (csv, xlsx, or for invoices zip) with `columns`,
    and its number of rows; `progress(rows written)` is called after each batch."""
    made, written = write_file(spec, found, columns=columns, fmt=fmt, progress=progress)
    with made:
        return made.read(), written


def write_file(
    spec: ListExport,
    found: Found,
    *,
    columns: list[Column],
    fmt: str,
    progress: Callable[[int], None] | None = None,
) -> tuple[File, int]:
    """Return what `write` returns as a file to read from its start (close it when done):
    a ZIP of invoices, about 46 kB an invoice, goes to a temporary file once it outgrows
    `ARCHIVE_IN_MEMORY` (30,000 invoices made 1.4 GB in the worker's memory)."""
    if fmt == ARCHIVE:
        return _invoice_archive(spec, found, columns=columns, progress=progress)
    written = 0

    def body():
        nonlocal written
        for batch in _batches(found.objects):
            yield from rows(spec.prepare(batch), columns)
            written += len(batch)
            if progress is not None:
                progress(written)

    headers = [str(column.label) for column in columns]
    if fmt == "csv":
        content = files.as_csv(headers, body())
    else:
        content = files.as_xlsx(headers, body(), sheet=str(spec.title))
    return ContentFile(content), written


# Bytes of a ZIP of invoices kept in memory while it is made; beyond, a temporary file.
ARCHIVE_IN_MEMORY = 8 * 1024 * 1024


def _invoice_archive(
    spec: ListExport,
    found: Found,
    *,
    columns: list[Column],
    progress: Callable[[int], None] | None,
) -> tuple[File, int]:
    """Return the invoices of `found` as one ZIP, and their number: each one's PDF as sent
    (its file name as on its download) and, where it has one, its e-invoice (UBL), beside
    the list of them as CSV with `columns`: what a bookkeeper asks for a period."""
    buffer = tempfile.SpooledTemporaryFile(max_size=ARCHIVE_IN_MEMORY)  # noqa: SIM115 - returned open
    table, written = [], 0
    try:
        with zipfile.ZipFile(buffer, "w") as archive:
            for batch in _batches(found.objects):
                table.extend(rows(spec.prepare(batch), columns))
                for invoice in batch:
                    full = payment_queries.invoice_with_lines(invoice.pk)
                    # A PDF is compressed already; the XML and CSV are worth deflating.
                    archive.writestr(invoice_filename(full), render_invoice(full))
                    if full.has_einvoice:
                        archive.writestr(
                            invoice_ubl_filename(full),
                            render_ubl(full),
                            compress_type=zipfile.ZIP_DEFLATED,
                        )
                written += len(batch)
                if progress is not None:
                    progress(written)
            headers = [str(column.label) for column in columns]
            archive.writestr(
                f"{spec.kind}.csv", files.as_csv(headers, table), compress_type=zipfile.ZIP_DEFLATED
            )
    except BaseException:
        buffer.close()  # its temporary file goes with it
        raise
    buffer.seek(0)
    return File(buffer), written
