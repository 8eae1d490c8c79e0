"""The demo takes bank transfers and invoices, with illustrative legal details; online
payment only with a Mollie key."""

import pytest

from goedeburen.events.demo import load_demo
from goedeburen.payments import queries
from goedeburen.payments.demo import IBAN, KVK_NUMBER, VAT_NUMBER
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.services.setup import clean_billing_numbers


@pytest.mark.django_db
def test_demo_takes_bank_transfer_and_invoice_without_mollie_key(settings):
    settings.MOLLIE_API_KEYS = {}

    event, _ = load_demo(upcoming=True)

    billing = queries.organiser_billing(event.organiser)
    assert billing.complete
    assert "Secretariaat Meedoen naar Vermogen" in billing.address
    assert queries.payment_settings(event).enabled_providers() == [
        ProviderName.BANK_TRANSFER,
        ProviderName.INVOICE,
    ]


@pytest.mark.django_db
def test_demo_offers_mollie_with_a_key(settings):
    settings.MOLLIE_API_KEYS = {"meedoen-naar-vermogen": "test_abcdefghijklmnopqrstuvwxyz12"}

    event, _ = load_demo(upcoming=True)

    assert queries.payment_settings(event).mollie_enabled


@pytest.mark.django_db
def test_demo_payment_setup_loads_again_without_changes(settings):
    settings.MOLLIE_API_KEYS = {}
    load_demo(upcoming=True)

    _event, changed = load_demo(upcoming=True)

    assert changed == 0


def test_illustrative_numbers_are_valid_in_form():
    assert clean_billing_numbers(kvk_number=KVK_NUMBER, vat_number=VAT_NUMBER, iban=IBAN) == {
        "kvk_number": KVK_NUMBER,
        "vat_number": VAT_NUMBER,
        "iban": IBAN,
    }
