"""Exports of the other lists (issue 12 point 5): payments, invoices, bank lines, the waiting
list and the session lists, through the one mechanism of `backoffice.exports`: typed XLSX
cells, no formulas, each list's permission and filters, no contact data for the roles that
see names only, and a constant number of queries."""

import csv
import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from goedeburen.events.models import Role
from goedeburen.matching.models import AssignmentRun, Placement, SessionHost
from goedeburen.payments.models import BankTransaction, Payment, Refund
from goedeburen.registration.enums import RegistrationStatus
from tests.backoffice.conftest import _bank_line, _invoice, _split_bank_line
from tests.factories import (
    AttendeeFactory,
    RegistrationFactory,
    SessionFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x")'


def _export(client, world, name, fmt="xlsx", **query):
    path = reverse(f"backoffice:{name}.export", kwargs={"event": world.event.slug, "format": fmt})
    return client.get(path, query)


def _sheet(response) -> tuple[list, list]:
    assert response.status_code == 200, response.status_code
    workbook = load_workbook(io.BytesIO(response.content))
    header, *body = list(workbook.active.iter_rows())
    return [cell.value for cell in header], body


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _client_as(client, world, role, *, organiser_wide=False):
    user = UserFactory()
    TeamMemberFactory(
        organiser=world.organiser,
        user=user,
        role=role,
        event=None if organiser_wide else world.event,
    )
    client.force_login(user)
    return client, user


def _payment(world, *, payer=FORMULA, registration=None):
    return Payment.objects.create(
        registration=registration or world.registration,
        provider="manual",
        amount=Decimal("125.00"),
        state="paid",
        payer_name=payer,
    )


def _placed(world, attendee=None, session=None):
    run = AssignmentRun.objects.filter(event=world.event, is_published=True).first()
    if run is None:
        run = AssignmentRun.objects.create(event=world.event, status="done", is_published=True)
    session = session or world.session
    return Placement.objects.create(
        run=run, attendee=attendee or world.attendee, round=session.round, session=session
    )


def _column(labels, body, label):
    return [row[labels.index(label)] for row in body]


# Each list: its cells are typed and text never becomes a formula.


def test_payments_xlsx_has_amounts_dates_and_text(owner_client, world):
    _payment(world)

    labels, body = _sheet(_export(owner_client, world, "payment"))

    assert labels[:3] == ["Aanmelding", "Boeker", "Datum"]
    [amount] = _column(labels, body, "Bedrag")
    assert amount.data_type == "n" and Decimal(str(amount.value)) == Decimal("125.00")
    [date] = _column(labels, body, "Datum")
    assert date.is_date and isinstance(date.value, dt.datetime)
    [payer] = _column(labels, body, "Betaald door")
    assert payer.value == FORMULA and payer.data_type == "s"


def test_payments_csv_quotes_a_formula_and_writes_dutch_amounts(owner_client, world):
    _payment(world)

    header, row = _csv(_export(owner_client, world, "payment", fmt="csv"))

    assert row[header.index("Bedrag")] == "125,00"
    assert row[header.index("Betaald door")] == "'" + FORMULA


def test_payments_count_only_refunds_that_pay_something_back(owner_client, world):
    payment = _payment(world)
    for amount, state in (("25.00", "refunded"), ("10.00", "failed"), ("40.00", "cancelled")):
        Refund.objects.create(payment=payment, amount=Decimal(amount), state=state)

    header, row = _csv(_export(owner_client, world, "payment", fmt="csv"))

    assert row[header.index("Terugbetaald")] == "25,00"


def test_payments_keep_the_period_filter(owner_client, world):
    _payment(world)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()

    _labels, body = _sheet(_export(owner_client, world, "payment", start=tomorrow))

    assert body == []


def test_invoices_xlsx_has_real_dates_and_amounts(owner_client, world):
    invoice = _invoice(world)

    labels, body = _sheet(_export(owner_client, world, "invoice"))

    assert labels[0] == "Factuurnummer"
    [number] = _column(labels, body, "Factuurnummer")
    assert number.value == invoice.number
    [issued] = _column(labels, body, "Factuurdatum")
    assert issued.is_date and issued.value.date() == invoice.issue_date
    [total] = _column(labels, body, "Totaal incl. btw")
    assert total.data_type == "n" and Decimal(str(total.value)) == invoice.total


def test_bank_lines_of_one_state_with_typed_cells(client, world):
    line = _bank_line(world)
    BankTransaction.objects.filter(pk=line.pk).update(debtor_name=FORMULA)
    BankTransaction.objects.create(
        statement=line.statement,
        organiser=world.organiser,
        fingerprint="other",
        amount="10.00",
        booking_date="2026-11-24",
        state="dismissed",
    )
    organiser_finance, _user = _client_as(client, world, Role.FINANCE, organiser_wide=True)

    labels, body = _sheet(_export(organiser_finance, world, "bank", state="unmatched"))

    assert len(body) == 1
    [booked] = _column(labels, body, "Geboekt")
    assert booked.is_date and booked.value.date() == dt.date(2026, 11, 23)
    [amount] = _column(labels, body, "Bedrag")
    assert amount.data_type == "n"
    [name] = _column(labels, body, "Van")
    assert name.value == FORMULA and name.data_type == "s"


def test_a_split_bank_line_is_exported_with_all_its_registrations(client, world):
    _line, other = _split_bank_line(world)
    organiser_finance, _user = _client_as(client, world, Role.FINANCE, organiser_wide=True)

    labels, body = _sheet(_export(organiser_finance, world, "bank"))

    [codes] = _column(labels, body, "Aanmelding")
    assert codes.value == f"{world.registration.code}, {other.code}"


def test_bank_lines_of_another_organisers_statement_are_a_bad_filter(client, world, other_world):
    foreign = _bank_line(other_world).statement
    organiser_finance, _user = _client_as(client, world, Role.FINANCE, organiser_wide=True)

    response = _export(organiser_finance, world, "bank", statement=foreign.pk)

    assert response.status_code == 302  # nothing exported, the list says why


@pytest.mark.parametrize("role", [Role.FINANCE, Role.OWNER, Role.REGISTRATIONS])
def test_bank_lines_need_an_organiser_level_role(client, world, role):
    _bank_line(world)
    event_role, _user = _client_as(client, world, role)

    assert _export(event_role, world, "bank").status_code == 403


def test_waiting_list_in_turn_with_offers(owner_client, world):
    first = RegistrationFactory(event=world.event, status=RegistrationStatus.WAITING_LIST)
    AttendeeFactory(registration=first, ticket_type=world.ticket_type)
    second = RegistrationFactory(
        event=world.event, status=RegistrationStatus.WAITING_LIST, booker_name=FORMULA
    )
    AttendeeFactory(registration=second, ticket_type=world.ticket_type)
    AttendeeFactory(registration=second, ticket_type=world.ticket_type)

    labels, body = _sheet(_export(owner_client, world, "waiting_list"))

    assert [row[labels.index("Aanmelding")].value for row in body] == [first.code, second.code]
    assert [c.value for c in _column(labels, body, "Volgorde")] == [1, 2]
    assert [c.value for c in _column(labels, body, "Personen")] == [1, 2]
    assert all(c.is_date for c in _column(labels, body, "Wacht sinds"))
    assert _column(labels, body, "Boeker")[1].data_type == "s"


def test_session_list_for_the_organiser_has_email(owner_client, world):
    _placed(world)

    labels, body = _sheet(_export(owner_client, world, "session_list"))

    assert "E-mailadres" in labels
    assert [c.value for c in _column(labels, body, "Voornaam")] == [world.attendee.given_name]
    assert all(c.is_date for c in _column(labels, body, "Begint"))


def test_a_host_gets_only_their_own_session_and_no_contact_data(client, world):
    other_session = SessionFactory(round=world.round, room=world.room, capacity=10)
    other = AttendeeFactory(registration=world.registration, ticket_type=world.ticket_type)
    _placed(world)
    _placed(world, attendee=other, session=other_session)
    host_client, host = _client_as(client, world, Role.HOST)
    SessionHost.objects.create(session=world.session, user=host)

    labels, body = _sheet(_export(host_client, world, "session_list"))

    assert labels == ["Ronde", "Begint", "Sessie", "Zaal", "Voornaam", "Achternaam", "Organisatie"]
    assert [c.value for c in _column(labels, body, "Voornaam")] == [world.attendee.given_name]
    # Another session of the host's is not theirs to ask for by id either.
    _labels, body = _sheet(_export(host_client, world, "session_list", session=other_session.pk))
    assert body == []


@pytest.mark.parametrize("role", [Role.CATERER, Role.CHECKIN, Role.FINANCE])
def test_roles_without_session_lists_are_refused(client, world, role):
    refused, _user = _client_as(client, world, role)
    assert _export(refused, world, "session_list").status_code == 403


@pytest.mark.parametrize("name", ["payment", "invoice"])
@pytest.mark.parametrize("role", [Role.REGISTRATIONS, Role.EDITOR, Role.CHECKIN])
def test_money_exports_are_for_owner_and_finance_only(client, world, name, role):
    refused, _user = _client_as(client, world, role)
    assert _export(refused, world, name).status_code == 403


def test_every_export_is_logged_as_a_personal_data_download(owner_client, world):
    from goedeburen.common.models import LogEntry

    _export(owner_client, world, "waiting_list", fmt="csv")

    entry = LogEntry.objects.get(action="export.downloaded", event=world.event)
    assert entry.data == {"what": "waiting_list", "rows": 0}


# Query counts: the same for 1 and 50 rows.


def _add_rows(world, name: str, count: int) -> None:
    from goedeburen.registration import services as registration_services

    registration_services.change_quota_size(world.quota, size=500, by=None)
    if name == "payment":
        for _n in range(count):
            registration = RegistrationFactory(event=world.event)
            _payment(world, registration=registration)
    elif name == "invoice":
        for _n in range(count):
            registration = RegistrationFactory(
                event=world.event, billing_organisation="Org", billing_address="Straat 1"
            )
            AttendeeFactory(registration=registration, ticket_type=world.ticket_type)
            from goedeburen.payments import services

            services.issue_invoice(registration)
    elif name == "bank":
        line = _bank_line(world)
        for _n in range(count):
            booked = BankTransaction.objects.create(
                statement=line.statement,
                organiser=world.organiser,
                fingerprint=f"more-{uuid.uuid4().hex}",
                amount="1.00",
                booking_date="2026-11-23",
                state="matched",
            )
            Payment.objects.create(
                registration=world.registration,
                bank_transaction=booked,
                provider="bank_transfer",
                amount="1.00",
                state="paid",
            )
    elif name == "waiting_list":
        for _n in range(count):
            registration = RegistrationFactory(
                event=world.event, status=RegistrationStatus.WAITING_LIST
            )
            AttendeeFactory(registration=registration, ticket_type=world.ticket_type)
    elif name == "session_list":
        for n in range(count):
            session = SessionFactory(round=world.round, room=world.room) if n % 2 else None
            attendee = AttendeeFactory(
                registration=world.registration, ticket_type=world.ticket_type
            )
            _placed(world, attendee=attendee, session=session)


@pytest.mark.parametrize("name", ["payment", "invoice", "bank", "waiting_list", "session_list"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_cost_the_same_queries_for_1_and_50_rows(owner_client, world, name, fmt):
    if name == "invoice":
        _invoice(world)
    _add_rows(world, name, 1 if name != "invoice" else 0)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert _export(owner_client, world, name, fmt=fmt).status_code == 200
        return len(captured)

    one = count()
    _add_rows(world, name, 49)
    assert count() == one


@pytest.mark.parametrize(
    "name", ["payment", "invoice", "bank", "waiting_list", "session_list", "attendee"]
)
def test_column_chooser_costs_the_same_queries_for_1_and_50_rows(owner_client, world, name):
    if name == "invoice":
        _invoice(world)
    _add_rows(world, name, 1 if name not in ("invoice", "attendee") else 0)
    path = reverse(f"backoffice:{name}.export_form", kwargs={"event": world.event.slug})

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(path).status_code == 200
        return len(captured)

    one = count()
    _add_rows(world, name, 49) if name != "attendee" else [
        AttendeeFactory(registration=world.registration, ticket_type=world.ticket_type)
        for _n in range(49)
    ]
    assert count() == one


def test_every_list_screen_links_to_its_export(owner_client, world):
    _bank_line(world)
    _placed(world)
    screens = {
        "registration.list": "registration.export_form",
        "attendee.list": "attendee.export_form",
        "payment.overview": "payment.export_form",
        "invoice.list": "invoice.export_form",
        "bank.list": "bank.export_form",
        "bank.unmatched": "bank.export_form",
        "waiting_list": "waiting_list.export_form",
        "assignment.lists": "session_list.export_form",
    }
    for screen, export in screens.items():
        page = owner_client.get(reverse(f"backoffice:{screen}", kwargs={"event": world.event.slug}))
        link = reverse(f"backoffice:{export}", kwargs={"event": world.event.slug})
        assert link in page.content.decode(), screen
