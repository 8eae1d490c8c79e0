"""Exports of the registration and attendee lists (issue 12): CSV and XLSX with the list's
filters and chosen columns, typed cells, no formulas, special-category columns only for
the roles that may see them, and a constant number of queries."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from goedeburen.backoffice.exports import REGISTRATION_COLUMNS, allowed
from goedeburen.events.models import Role
from goedeburen.registration import services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Answer, Attendee
from tests.factories import (
    AttendeeFactory,
    QuestionFactory,
    RegistrationFactory,
    TeamMemberFactory,
    UserFactory,
    fill_seats,
)

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x")'


def _export(client, world, name="attendee.export", fmt="xlsx", **query):
    path = reverse(f"backoffice:{name}", kwargs={"event": world.event.slug, "format": fmt})
    return client.get(path, query)


def _sheet(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=False))


def _client_as(client, world, role):
    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=world.event)
    client.force_login(user)
    return client


def test_xlsx_of_10000_attendees_has_real_numbers_dates_and_no_formulas(owner_client, world):
    services.change_quota_size(world.quota, size=10_000, by=None)
    world.attendee.organisation = FORMULA
    world.attendee.save()
    fill_seats(world.ticket_type, 9_999)

    rows = _sheet(_export(owner_client, world))

    header, *body = rows
    labels = [cell.value for cell in header]
    assert len(body) == 10_000
    assert "Organisatie" in labels and "Prijs incl. btw" in labels  # Dutch headers
    by_label = {label: i for i, label in enumerate(labels)}
    price = body[0][by_label["Prijs incl. btw"]]
    assert price.data_type == "n" and Decimal(str(price.value)) == Decimal("125.00")
    assert "€" in price.number_format and "#,##0.00" in price.number_format
    registered = body[0][by_label["Aangemeld"]]
    assert registered.is_date and isinstance(registered.value, dt.datetime)
    assert registered.number_format.startswith("d-m-yyyy")
    organisations = [row[by_label["Organisatie"]] for row in body]
    evil = [cell for cell in organisations if cell.value == FORMULA]
    assert len(evil) == 1 and evil[0].data_type == "s"  # text, not a formula
    assert all(cell.data_type != "f" for row in body for cell in row)


def test_csv_quotes_formulas_and_writes_dutch_numbers(owner_client, world):
    world.attendee.organisation = FORMULA
    world.attendee.save()

    response = _export(owner_client, world, fmt="csv")

    text = response.content.decode("utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in text
    assert ";125,00;" in text


@pytest.mark.parametrize(
    ("role", "special"),
    [(Role.OWNER, True), (Role.REGISTRATIONS, True), (Role.FINANCE, False)],
)
def test_special_category_columns_only_for_roles_that_may_see_them(client, world, role, special):
    question = QuestionFactory(
        event=world.event, kind="text", special_category=True, label_nl="Allergie"
    )
    world.attendee.special_category_consent = True
    world.attendee.dietary_wishes = "Geen noten"
    world.attendee.save()
    Answer.objects.create(attendee=world.attendee, question=question, value="Pinda")

    header, *body = _sheet(_export(_client_as(client, world, role), world))

    labels = {cell.value for cell in header}
    values = {cell.value for cell in body[0]}
    assert ({"Dieetwensen", "Neemt deel als", "Allergie"} <= labels) is special
    assert not special or {"Geen noten", "Pinda"} <= values
    if not special:
        assert labels.isdisjoint({"Dieetwensen", "Toegankelijkheid", "Neemt deel als", "Allergie"})
        assert values.isdisjoint({"Geen noten", "Pinda"})


def test_check_in_role_gets_names_only(client, world):
    header, *_ = _sheet(_export(_client_as(client, world, Role.CHECKIN), world))
    labels = {cell.value for cell in header}
    assert "Voornaam" in labels and "E-mailadres" not in labels
    # Nor the ticket: a resident's free ticket tells door staff what the role would.
    assert "Toegangsbewijs" not in labels


def test_check_in_role_export_shows_awaiting_approval_as_not_confirmed_yet(client, world):
    world.registration.status = RegistrationStatus.AWAITING_APPROVAL
    world.registration.save()

    header, *rows = _sheet(_export(_client_as(client, world, Role.CHECKIN), world))
    owner_header, *owner_rows = _sheet(_export(_client_as(client, world, Role.OWNER), world))

    status = [cell.value for cell in header].index("Status")
    assert [row[status].value for row in rows] == ["Nog niet bevestigd"]
    assert [row[status].value for row in owner_rows] == ["Wacht op goedkeuring"]


def test_export_keeps_the_lists_filters_and_chosen_columns(owner_client, world):
    waiting = RegistrationFactory(event=world.event, status=RegistrationStatus.WAITING_LIST)
    AttendeeFactory(registration=waiting, ticket_type=world.ticket_type, given_name="Wachter")

    header, *body = _sheet(
        _export(
            owner_client,
            world,
            status="waiting_list",
            columns=["given_name", "code", "nonexistent"],
        )
    )

    assert [c.value for c in header] == ["Aanmelding", "Voornaam"]
    assert [[c.value for c in row] for row in body] == [[waiting.code, "Wachter"]]


def test_export_with_a_bad_filter_exports_nothing_and_says_why(owner_client, world):
    response = _export(owner_client, world, status="bogus")

    assert response.status_code == 302
    followed = owner_client.get(response.url)
    assert followed.context["ignored_filters"] == ["Status"]


def test_registration_export(owner_client, world):
    header, *body = _sheet(_export(owner_client, world, name="registration.export"))
    labels = [c.value for c in header]
    assert labels[:2] == ["Code", "Status"]
    assert body[0][0].value == world.registration.code
    assert body[0][labels.index("Totaal incl. btw")].data_type == "n"


def test_unknown_format_is_not_found(owner_client, world):
    assert _export(owner_client, world, fmt="pdf").status_code == 404


@pytest.mark.parametrize("name", ["attendee.export", "registration.export"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_cost_the_same_queries_for_1_and_50_rows(owner_client, world, name, fmt):
    QuestionFactory(event=world.event, kind="text")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert _export(owner_client, world, name=name, fmt=fmt).status_code == 200
        return len(captured)

    one = count()
    fill_seats(world.ticket_type, 49)
    assert Attendee.objects.filter(registration__event=world.event).count() == 50
    assert count() == one


def test_registration_export_holds_the_vat_number_for_roles_that_see_billing(owner_client, world):
    world.registration.billing_vat_number = "NL004495445B01"
    world.registration.save()

    header, *body = _sheet(_export(owner_client, world, name="registration.export"))

    labels = [c.value for c in header]
    assert body[0][labels.index("Btw-nummer")].value == "NL004495445B01"
    names_only = allowed(REGISTRATION_COLUMNS, special=True, names_only=True)
    assert "vat_number" not in {column.key for column in names_only}
