"""The organiser's own money screens need a role of the organiser: an owner or finance of one
event cannot change the IBAN every event prints, nor book bank lines, nor read statements."""

import pytest
from django.urls import reverse

from goedeburen.events.models import Role
from goedeburen.payments.enums import TransactionState
from goedeburen.payments.models import BankTransaction, OrganiserBilling
from tests.backoffice.conftest import CONFIRM, _bank_line, _invoice, make_world, url
from tests.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

BILLING = {
    "settings-bank_transfer_enabled": "on",
    "settings-invoice_enabled": "on",
    "settings-payment_term_days": "14",
    "settings-reminder_days": "7",
    "settings-cancel_after_days": "",
    "billing-legal_name": "Stichting Goede Buren",
    "billing-address": "Beneluxlaan 9\n3527 HT Utrecht",
    "billing-kvk_number": "12345678",
    "billing-vat_number": "NL001000007B01",
    "billing-iban": "NL02ABNA0123456789",
    "billing-account_name": "Stichting Goede Buren",
}


@pytest.fixture
def world(db):
    world = make_world()
    _invoice(world)  # with the organiser's invoice details, IBAN NL91ABNA0417164300
    return world


def _member(world, role, *, organiser_wide=False):
    user = UserFactory()
    event = None if organiser_wide else world.event
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=event)
    return user


@pytest.mark.parametrize("role", [Role.FINANCE, Role.OWNER])
def test_owner_or_finance_of_one_event_cannot_change_the_iban(client, world, role):
    client.force_login(_member(world, role))

    page = client.get(url("payment.settings", world))
    response = client.post(url("payment.settings", world), BILLING)

    assert page.context["billing_form"] is None
    assert response.status_code == 302  # the event's own settings are saved
    assert OrganiserBilling.objects.get().iban == "NL91ABNA0417164300"


def test_organiser_owner_changes_the_iban(client, world):
    client.force_login(world.owner)
    client.post(url("payment.settings", world), BILLING)
    assert OrganiserBilling.objects.get().iban == "NL02ABNA0123456789"


@pytest.mark.parametrize("role", [Role.FINANCE, Role.OWNER])
def test_finance_of_one_event_cannot_book_a_line_onto_another_event(client, world, role):
    sibling = make_world(organiser=world.organiser)
    line = _bank_line(world)
    client.force_login(_member(world, role))

    response = client.post(
        url("bank.assign", world), {"code": sibling.registration.code, **CONFIRM}
    )

    assert response.status_code == 403
    assert BankTransaction.objects.get(pk=line.pk).state == TransactionState.UNMATCHED
    for name in ("bank.list", "bank.unmatched"):
        assert client.get(url(name, world)).status_code == 403


def test_organiser_finance_books_a_line_onto_any_event_of_the_organiser(client, world):
    sibling = make_world(organiser=world.organiser)
    line = _bank_line(world)
    client.force_login(_member(world, Role.FINANCE, organiser_wide=True))

    client.post(url("bank.assign", world), {"code": sibling.registration.code, **CONFIRM})

    line.refresh_from_db()
    assert (line.state, line.registrations) == (TransactionState.MATCHED, [sibling.registration])


def test_a_line_is_never_booked_onto_another_organisers_registration(client, world):
    other = make_world()
    line = _bank_line(world)
    client.force_login(world.owner)

    response = client.post(
        url("bank.assign", world), {"code": other.registration.code, **CONFIRM}, follow=True
    )

    assert BankTransaction.objects.get(pk=line.pk).state == TransactionState.UNMATCHED
    assert response.status_code == 200


def test_invoice_export_is_logged_as_a_personal_data_download(client, world):
    from goedeburen.common.models import LogEntry

    client.force_login(world.owner)
    client.get(url("invoice.export", world))

    assert LogEntry.objects.filter(action="export.downloaded", event=world.event).exists()
    assert reverse("backoffice:invoice.export", kwargs={"event": world.event.slug, "format": "csv"})
