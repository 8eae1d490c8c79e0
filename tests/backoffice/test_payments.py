"""The payment screens: only owner and finance reach them; what each screen does."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from goedeburen.common.addresses import NO_COUNTRY
from goedeburen.events.models import Role
from goedeburen.payments import services
from goedeburen.payments.enums import PaymentState, RefundState, TransactionState
from goedeburen.payments.models import (
    BankStatement,
    BankTransaction,
    Invoice,
    OrganiserBilling,
    Payment,
    PaymentSettings,
)
from goedeburen.registration.enums import RegistrationStatus
from tests.backoffice.conftest import CONFIRM, PAYMENT_SCREENS, _bank_line, _invoice, url
from tests.factories import AttendeeFactory, RegistrationFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

# Buttons that answer POST only.
POST_ONLY = [
    "registration.record_payment",
    "registration.refund",
    "registration.refund_settle",
    "registration.reissue_invoice",
    "bank.assign",
    "bank.dismiss",
]
PAGES = sorted(set(PAYMENT_SCREENS) - set(POST_ONLY))


# The organiser's bank statements: every event's payers, so an organiser-level role.
BANK_SCREENS = ["bank.list", "bank.statement", "bank.unmatched", "bank.assign", "bank.dismiss"]


def _member(world, role, *, organiser_wide=False):
    user = UserFactory()
    event = None if organiser_wide else world.event
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=event)
    return user


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", [Role.OWNER, Role.FINANCE])
def test_payment_page_for_owner_and_finance_answers(client, world, name, role):
    client.force_login(_member(world, role, organiser_wide=name in BANK_SCREENS))
    assert client.get(url(name, world)).status_code == 200


@pytest.mark.parametrize("name", BANK_SCREENS)
@pytest.mark.parametrize("role", [Role.OWNER, Role.FINANCE])
def test_bank_screen_for_owner_or_finance_of_one_event_is_forbidden(client, world, name, role):
    client.force_login(_member(world, role))
    assert client.get(url(name, world)).status_code == 403
    assert client.post(url(name, world)).status_code == 403


@pytest.mark.parametrize("name", PAYMENT_SCREENS)
@pytest.mark.parametrize("role", [Role.EDITOR, Role.HOST, Role.CHECKIN])
def test_payment_screen_for_other_roles_is_forbidden(client, world, name, role):
    client.force_login(_member(world, role))
    assert client.get(url(name, world)).status_code == 403
    assert client.post(url(name, world)).status_code == 403


def test_invoice_pdf_of_another_event_is_not_found(client, world, other_world):
    invoice = _invoice(other_world)
    client.force_login(world.owner)
    path = reverse("backoffice:invoice.pdf", kwargs={"event": world.event.slug, "pk": invoice.pk})
    assert client.get(path).status_code == 404


def test_invoice_pdf_downloads_for_finance(client, world):
    client.force_login(_member(world, Role.FINANCE))

    response = client.get(url("invoice.pdf", world))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_mark_paid_with_a_note_is_logged(owner_client, world):
    world.registration.status = RegistrationStatus.PENDING_PAYMENT
    world.registration.save()

    response = owner_client.post(
        url("registration.record_payment", world),
        {"amount": "125.00", "note": "Contant betaald aan de balie"},
    )

    assert response.status_code == 302
    payment = Payment.objects.get(registration=world.registration)
    assert (payment.amount, payment.state, payment.note) == (
        Decimal("125.00"),
        PaymentState.PAID,
        "Contant betaald aan de balie",
    )
    assert payment.created_by == world.owner
    world.registration.refresh_from_db()
    assert world.registration.status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize("amount", ["", "0", "-5", "abc", "1e999"])
def test_mark_paid_with_a_bad_amount_changes_nothing(owner_client, world, amount):
    response = owner_client.post(
        url("registration.record_payment", world), {"amount": amount, "note": "x"}
    )

    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode() or "niets" in response.content.decode()
    assert not Payment.objects.exists()


def test_refund_of_a_manual_payment_is_recorded(owner_client, world):
    payment = Payment.objects.create(
        registration=world.registration, provider="manual", amount="125.00", state="paid"
    )

    response = owner_client.post(
        reverse(
            "backoffice:registration.refund",
            kwargs={
                "event": world.event.slug,
                "code": world.registration.code,
                "payment": payment.pk,
            },
        ),
        {"amount": "25.00", "reason": "geen lunch", "confirm": "yes"},
    )

    assert response.status_code == 302
    refund = payment.refunds.get()
    assert (refund.amount, refund.state) == (Decimal("25.00"), RefundState.REFUNDED)


def test_refund_of_too_much_is_refused_and_changes_nothing(owner_client, world):
    payment = Payment.objects.create(
        registration=world.registration, provider="manual", amount="125.00", state="paid"
    )
    path = reverse(
        "backoffice:registration.refund",
        kwargs={"event": world.event.slug, "code": world.registration.code, "payment": payment.pk},
    )

    response = owner_client.post(
        path, {"amount": "200.00", "reason": "x", "confirm": "yes"}, follow=True
    )

    assert not payment.refunds.exists()
    assert "€125.00" in response.content.decode() or "125.00" in response.content.decode()


def test_refund_that_mollie_does_not_answer_stays_pending_and_says_so(
    owner_client, world, settings
):
    """Whether Mollie made it is unknown: the organiser is told it waits, not that it failed
    (a failed refund would invite refunding again, and paying twice)."""
    settings.MOLLIE_API_KEYS = {world.organiser.slug: "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"}
    settings.MOLLIE_API_ENDPOINT = "http://127.0.0.1:9"  # nothing listens there
    payment = Payment.objects.create(
        registration=world.registration,
        provider="mollie",
        amount="125.00",
        state="paid",
        provider_reference="tr_unanswered",
    )
    path = reverse(
        "backoffice:registration.refund",
        kwargs={"event": world.event.slug, "code": world.registration.code, "payment": payment.pk},
    )

    response = owner_client.post(
        path, {"amount": "25.00", "reason": "geen lunch", "confirm": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert "De terugbetaling blijft openstaan" in response.content.decode()
    refund = payment.refunds.get()
    assert (refund.amount, refund.state) == (Decimal("25.00"), RefundState.PENDING)


def test_reissue_with_a_new_po_number(owner_client, world):
    invoice = _invoice(world)
    world.registration.po_number = "PO-NEW"
    world.registration.save()

    response = owner_client.post(
        url("registration.reissue_invoice", world), {"reason": "PO", "confirm": "yes"}
    )

    assert response.status_code == 302
    numbers = list(Invoice.objects.order_by("sequence").values_list("kind", "po_number"))
    assert numbers == [("invoice", ""), ("credit_note", ""), ("invoice", "PO-NEW")]
    assert Invoice.objects.get(credits=invoice).total == -invoice.total


def test_statement_upload_of_a_bad_file_shows_why_and_imports_nothing(owner_client, world):
    upload = io.BytesIO(b"Datum;Bedrag\n2026-11-23;125,00\n")
    upload.name = "export.csv"

    response = owner_client.post(url("bank.list", world), {"file": upload})

    assert response.status_code == 200
    assert "CAMT.053" in response.content.decode()
    assert not BankStatement.objects.exists()


def test_statement_upload_without_a_file_is_refused(owner_client, world):
    response = owner_client.post(url("bank.list", world), {})

    assert response.status_code == 200
    assert not BankStatement.objects.exists()


def test_unmatched_line_assigned_to_a_registration(owner_client, world):
    line = _bank_line(world)
    world.registration.status = RegistrationStatus.PENDING_PAYMENT
    world.registration.save()

    owner_client.post(
        url("bank.assign", world), {"code": world.registration.code.lower(), **CONFIRM}
    )

    line.refresh_from_db()
    assert (line.state, line.registrations) == (TransactionState.MATCHED, [world.registration])
    assert [p.amount for p in line.paid_for] == [Decimal("125.00")]
    world.registration.refresh_from_db()
    assert world.registration.status == RegistrationStatus.CONFIRMED


def test_unmatched_line_with_an_unknown_code_stays(owner_client, world):
    line = _bank_line(world)

    response = owner_client.post(
        url("bank.assign", world), {"code": "ZZZZZZZZ", **CONFIRM}, follow=True
    )

    line.refresh_from_db()
    assert line.state == TransactionState.UNMATCHED
    assert "ZZZZZZZZ" in response.content.decode()
    assert not Payment.objects.exists()


def test_unmatched_line_dismissed_with_a_note(owner_client, world):
    line = _bank_line(world)

    owner_client.post(url("bank.dismiss", world), {"note": "sponsor, geen deelnemer", **CONFIRM})

    line.refresh_from_db()
    assert (line.state, line.note) == (TransactionState.DISMISSED, "sponsor, geen deelnemer")
    assert owner_client.get(url("bank.unmatched", world)).content.decode().count("Bijdrage") == 0


def _invoices(world, count):
    for n in range(count):
        registration = RegistrationFactory(
            event=world.event, billing_organisation=f"Org {n}", billing_address="Straat 1"
        )
        AttendeeFactory(registration=registration, ticket_type=world.ticket_type)
        services.issue_invoice(registration)


@pytest.fixture
def billing(world):
    return _invoice(world)  # makes the organiser's details and one invoice


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_of_a_period(owner_client, world, billing, fmt):
    _invoices(world, 2)
    services.credit_invoice(billing)
    path = reverse("backoffice:invoice.export", kwargs={"event": world.event.slug, "format": fmt})

    response = owner_client.get(path)

    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [
            [str(c) if c is not None else "" for c in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    assert rows[0][:2] == ["Factuurnummer", "Soort"]  # Dutch headers, not "Getal"
    assert len(rows) == 1 + 4
    assert [row[1] for row in rows[1:]] == ["Factuur", "Factuur", "Factuur", "Creditfactuur"]
    assert rows[4][5] == billing.number  # the credit note names the invoice


def test_export_with_a_reversed_period_is_refused(owner_client, world):
    path = reverse("backoffice:invoice.export", kwargs={"event": world.event.slug, "format": "csv"})

    response = owner_client.get(path, {"start": "2026-12-01", "end": "2026-01-01"})

    assert response.status_code == 302


def test_export_of_an_unknown_format_is_not_found(owner_client, world):
    path = reverse("backoffice:invoice.export", kwargs={"event": world.event.slug, "format": "pdf"})
    assert owner_client.get(path).status_code == 404


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "name", ["payment.overview", "invoice.list", "invoice.export", "bank.unmatched"]
)
def test_list_screens_cost_the_same_queries_for_one_and_three_rows(
    owner_client, world, billing, name
):
    if name == "bank.unmatched":
        _bank_line(world)
    one = _queries(owner_client, url(name, world))
    if name == "bank.unmatched":
        statement = BankStatement.objects.get()
        for n in range(2):
            BankTransaction.objects.create(
                statement=statement,
                organiser=world.organiser,
                entry_key=f"more-{n}",
                fingerprint=f"more-{n}",
                amount="1.00",
                booking_date="2026-11-23",
                state="unmatched",
            )
    else:
        _invoices(world, 2)

    assert _queries(owner_client, url(name, world)) == one


def _settings_data(**billing) -> dict:
    """The payment settings form as an organiser fills it in; `billing` overrides fields of
    the organiser's details (without their prefix)."""
    values = {
        "legal_name": "Stichting Goede Buren",
        "address": "Beneluxlaan 9\n3527 HT Utrecht",
        "kvk_number": "1234 5678",
        "vat_number": "NL001000007B01",
        "iban": "NL91 ABNA 0417 1643 00",
        "account_name": "Stichting Goede Buren",
        **billing,
    }
    return {
        "settings-bank_transfer_enabled": "on",
        "settings-invoice_enabled": "on",
        "settings-payment_term_days": "14",
        "settings-reminder_days": "7",
        "settings-cancel_after_days": "",
        **{f"billing-{name}": value for name, value in values.items()},
    }


def test_settings_save_and_validate_the_legal_numbers(owner_client, world):
    data = _settings_data()

    bad = owner_client.post(url("payment.settings", world), {**data, "billing-iban": "NL00XXXX1"})
    assert bad.status_code == 200
    assert not OrganiserBilling.objects.filter(organiser=world.organiser).exists()
    assert not PaymentSettings.objects.filter(event=world.event).exists()

    good = owner_client.post(url("payment.settings", world), data)
    assert good.status_code == 302, [
        good.context["settings_form"].errors,
        good.context["billing_form"].errors,
    ]
    billing = OrganiserBilling.objects.get(organiser=world.organiser)
    assert (billing.kvk_number, billing.iban) == ("12345678", "NL91ABNA0417164300")
    settings = PaymentSettings.objects.get(event=world.event)
    assert (settings.payment_term_days, settings.cancel_after_days) == (14, None)


@pytest.mark.parametrize("field", ["payment_term_days", "reminder_days", "cancel_after_days"])
@pytest.mark.parametrize("days", ["366", "3000000", "2147483647"])
def test_settings_refuse_a_term_of_more_than_a_year(owner_client, world, field, days):
    # 3,000,000 days on is no date (after year 9999): every registration paid by transfer
    # or invoice answered 500 (and 2,147,483,647 days is not even a time span in Python).
    response = owner_client.post(
        url("payment.settings", world), {**_settings_data(), f"settings-{field}": days}
    )

    with pytest.raises(ValidationError) as refused:
        MaxValueValidator(365)(int(days))
    assert response.status_code == 200
    assert response.context["settings_form"].errors == {field: refused.value.messages}
    assert f'id="id_settings-{field}_error"' in response.content.decode()
    assert not PaymentSettings.objects.filter(event=world.event).exists()


def test_settings_refuse_a_seller_address_without_its_postcode_at_the_field(owner_client, world):
    # Every e-invoice names the seller's address: a Dutch one without its postcode fails
    # the Dutch rule NL-R-004, as the buyer's would (`common.addresses`).
    data = _settings_data(
        legal_name="Stichting Zoë Şahin-Łukasiewicz",
        address="Beneluxlaan 9\nUtrecht",
        kvk_number="12345678",
        iban="NL91ABNA0417164300",
        account_name="Stichting Zoë Şahin-Łukasiewicz",
    )

    response = owner_client.post(url("payment.settings", world), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["billing_form"].errors == {"address": [str(NO_COUNTRY)]}
    assert 'id="id_billing-address_error"' in html
    assert not OrganiserBilling.objects.filter(organiser=world.organiser).exists()
    assert not PaymentSettings.objects.filter(event=world.event).exists()


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("test_abcdefghijklmnopqrstuvwxyz1234", "test key"),
        ("live_abcdefghijklmnopqrstuvwxyz1234", "live key"),
        ("", "none configured"),
    ],
)
def test_mollie_key_kind_is_shown(owner_client, world, settings, english, key, shown):
    settings.MOLLIE_API_KEYS = {world.organiser.slug: key} if key else {}

    response = owner_client.get(url("payment.overview", world))

    assert shown in response.content.decode()
    assert "abcdefghij" not in response.content.decode()  # never the key itself


def test_payment_history_reads_as_sentences(owner_client, world, english):
    world.registration.status = RegistrationStatus.PENDING_PAYMENT
    world.registration.save()
    owner_client.post(
        url("registration.record_payment", world), {"amount": "125.00", "note": "aan de balie"}
    )

    html = owner_client.get(url("registration.payments", world)).content.decode()

    assert "Payment of €125.00 received (aan de balie)" in html
    assert "Paid in full, so confirmed" in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_never_turns_a_buyers_name_into_a_formula(owner_client, world, fmt):
    _invoice(world)  # the organiser's details and a first invoice
    evil = RegistrationFactory(
        event=world.event,
        billing_organisation='=HYPERLINK("http://evil.example","x")',
        billing_address="Straat 1",
    )
    AttendeeFactory(registration=evil, ticket_type=world.ticket_type)
    services.issue_invoice(evil)
    path = reverse("backoffice:invoice.export", kwargs={"event": world.event.slug, "format": fmt})

    response = owner_client.get(path)

    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        buyer = rows[2][7]
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        cell = sheet.cell(row=3, column=8)
        assert cell.data_type == "s"  # a text cell is never a formula, so needs no quote
        buyer = "'" + cell.value
    assert buyer == '\'=HYPERLINK("http://evil.example","x")'


def test_a_stuck_refund_shows_its_actions_and_is_paid_back_by_hand(owner_client, world):
    from tests.backoffice.conftest import _stuck_refund

    refund = _stuck_refund(world)
    page = owner_client.get(url("registration.payments", world)).content.decode()
    assert 'name="action" value="cancel"' in page and 'name="action" value="by_hand"' in page
    path = url("registration.refund_settle", world)

    refused = owner_client.post(path, {"action": "by_hand", "note": "", **CONFIRM}, follow=True)
    refund.refresh_from_db()
    assert refund.state == RefundState.PENDING
    assert "Zeg in de notitie waarom" in refused.content.decode()

    response = owner_client.post(path, {"action": "by_hand", "note": "Overgemaakt", **CONFIRM})

    assert response.status_code == 302
    refund.refresh_from_db()
    assert (refund.state, refund.note) == (RefundState.REFUNDED, "Overgemaakt")
    page = owner_client.get(url("registration.payments", world)).content.decode()
    assert 'value="by_hand"' not in page


def test_a_stuck_refund_is_not_cancelled_when_mollie_cannot_be_asked(owner_client, world):
    from tests.backoffice.conftest import _stuck_refund

    refund = _stuck_refund(world)  # the organiser has no Mollie key here

    response = owner_client.post(
        url("registration.refund_settle", world),
        {"action": "cancel", "note": "Weg", **CONFIRM},
        follow=True,
    )

    refund.refresh_from_db()
    assert refund.state == RefundState.PENDING
    assert "annuleren zonder het te weten" in response.content.decode()


def test_stuck_refunds_are_listed_on_the_payments_overview_and_counted_on_the_dashboard(
    owner_client, world
):
    from tests.backoffice.conftest import _stuck_refund

    refund = _stuck_refund(world)

    overview = owner_client.get(url("payment.overview", world)).content.decode()
    dashboard = owner_client.get(url("event.detail", world)).content.decode()

    assert "Terugbetalingen die niet zijn gelukt" in overview
    assert "Mollie gaf geen antwoord" in overview
    assert "Terugbetalingen die niet zijn gelukt" in dashboard
    services.refund_paid_by_hand(refund, note="Overgemaakt", by=world.owner)
    overview = owner_client.get(url("payment.overview", world)).content.decode()
    assert "Terugbetalingen die niet zijn gelukt" not in overview
