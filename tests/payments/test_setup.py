"""The organiser's invoice details: what every invoice and e-invoice says about the seller."""

import pytest
from django.core.exceptions import ValidationError

from goedeburen.common.addresses import DUTCH_INCOMPLETE, NO_COUNTRY
from goedeburen.payments import services
from goedeburen.payments.models import OrganiserBilling
from goedeburen.payments.services.setup import clean_billing_numbers
from tests.factories import OrganiserBillingFactory, OrganiserFactory

pytestmark = pytest.mark.django_db

VALUES = {
    "legal_name": "Stichting Zoë Şahin-Łukasiewicz",
    "address": "Beneluxlaan 9\n3527 HT Utrecht",
    "kvk_number": "1234 5678",
    "vat_number": "NL001000007B01",
    "iban": "NL91 ABNA 0417 1643 00",
    "account_name": "Stichting Zoë Şahin-Łukasiewicz",
}


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("Beneluxlaan 9\nUtrecht", NO_COUNTRY),  # Dutch, without its postcode (NL-R-004)
        ("Rue de la Loi 16\n1000 Bruxelles", NO_COUNTRY),  # abroad, without its country
        ("3527 HT Utrecht", DUTCH_INCOMPLETE),  # without the street (NL-R-002)
    ],
)
def test_a_seller_address_the_einvoice_cannot_name_is_refused_and_nothing_stored(
    address, problem, english
):
    organiser = OrganiserFactory()
    known = OrganiserBillingFactory(organiser=OrganiserFactory())
    before = list(OrganiserBilling.objects.values())

    for who in (organiser, known.organiser):  # new invoice details, and changed ones
        with pytest.raises(ValidationError) as refused:
            services.save_organiser_billing(who, values={**VALUES, "address": address})

        assert refused.value.message_dict == {"address": [str(problem)]}
    assert list(OrganiserBilling.objects.values()) == before


@pytest.mark.parametrize(
    "address",
    [
        "Beneluxlaan 9\n3527 HT Utrecht",
        "Secretariaat Goede Buren\nPostbus 16200\n3500 CE Utrecht",
        "Rue de la Loi 16\n1000 Bruxelles\nBelgique",
    ],
)
def test_a_seller_address_the_einvoice_can_name_is_stored(address):
    organiser = OrganiserFactory()

    billing = services.save_organiser_billing(organiser, values={**VALUES, "address": address})

    assert OrganiserBilling.objects.get(organiser=organiser).address == billing.address == address
    assert (billing.kvk_number, billing.iban) == ("12345678", "NL91ABNA0417164300")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("NL001000008B01", "This is not a valid VAT number (such as NL001234567B01)."),
        ("001000007B01", "Start the VAT number with its country code"),
        ("GB980780684", "GB is not a country of the European Union."),
        ("", "Start the VAT number with its country code"),
    ],
)
def test_the_organisers_vat_number_is_checked_as_the_buyers_is(typed, message, english):
    with pytest.raises(ValidationError) as refused:
        clean_billing_numbers(kvk_number="12345678", vat_number=typed, iban="NL91ABNA0417164300")

    assert refused.value.message_dict["vat_number"][0].startswith(message)


def test_the_organisers_vat_number_is_stored_compact():
    cleaned = clean_billing_numbers(
        kvk_number="12345678", vat_number="nl 0010.00007 b01", iban="NL91ABNA0417164300"
    )

    assert cleaned["vat_number"] == "NL001000007B01"
