"""The buyer's VAT number: an EU country's, country code first, checked by python-stdnum and
stored compact. `tests/payments/test_ubl.py` runs the accepted numbers through the official
EN 16931 and Peppol rules (BT-48)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum.ch import vat as swiss_vat
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as british_vat
from stdnum.no import mva as norwegian_vat

from goedeburen.registration import exceptions
from goedeburen.registration.billing import (
    tidy_vat_number,
    validate_vat_number,
    vat_number_problem,
)

# Valid numbers as people type them → as they are stored. One per kind of case: a Dutch
# number (also without its leading zeros, which python-stdnum puts back), a Belgian one with
# its dots, other member states, Greece under its VAT prefix EL, Northern Ireland (XI).
VALID = {
    "NL004495445B01": "NL004495445B01",
    "nl 0044.95.445 b01": "NL004495445B01",
    "NL4495445B01": "NL004495445B01",
    "BE 0316.597.904": "BE0316597904",
    "DE 136 695 976": "DE136695976",
    "FR40303265045": "FR40303265045",
    "ATU13585627": "ATU13585627",
    "ES B58378431": "ESB58378431",
    "EL094259216": "EL094259216",
    "XI 980 7806 84": "XI980780684",
}
# Valid numbers of countries outside the EU: right in their own country (python-stdnum's
# check for it says so), but not EU VAT numbers.
OUTSIDE_THE_EU = {
    "GB980780684": british_vat,
    "NO974760673MVA": norwegian_vat,
    "CHE116281710MWST": swiss_vat,
}
# A digit off by one: Dutch, Belgian, German, Greek; and the usual made-up Dutch example.
WRONG_CHECKSUM = ["NL004495446B01", "BE0316597905", "DE136695977", "EL094259217", "NL123456789B01"]
# Valid Dutch and Belgian numbers without their country code, and text that is no number.
NO_COUNTRY = ["004495445B01", "0316597904", "12NL", "€"]


@pytest.mark.parametrize(("typed", "stored"), VALID.items())
def test_a_valid_eu_vat_number_is_tidied_to_its_compact_form_and_accepted(typed, stored):
    assert tidy_vat_number(typed) == stored
    assert vat_number_problem(stored) == ""
    validate_vat_number(stored)


@pytest.mark.parametrize("number", WRONG_CHECKSUM)
def test_a_wrong_check_digit_is_refused(number, english):
    assert vat_number_problem(tidy_vat_number(number)) == (
        "This is not a valid VAT number (such as NL001234567B01)."
    )


@pytest.mark.parametrize("number", NO_COUNTRY)
def test_a_number_without_its_country_code_is_refused(number, english):
    assert eu_vat.is_valid(number) is False
    assert vat_number_problem(tidy_vat_number(number)) == (
        "Start the VAT number with its country code, such as NL for the Netherlands: "
        "NL001234567B01."
    )


@pytest.mark.parametrize(("number", "module"), OUTSIDE_THE_EU.items())
def test_a_valid_number_of_a_country_outside_the_eu_is_refused(number, module, english):
    assert module.is_valid(number)  # right where it comes from

    problem = vat_number_problem(tidy_vat_number(number))

    assert problem == (
        f"{number[:2]} is not a country of the European Union. Enter a VAT number from the EU, "
        "such as NL001234567B01."
    )


def test_a_one_stop_shop_number_names_no_country_and_is_refused(english):
    # python-stdnum's EU module takes these ("EU" + 9 digits) too; no buyer has one as
    # their VAT number in a country.
    assert eu_vat.is_valid("EU372000041")

    assert vat_number_problem("EU372000041").startswith("EU is not a country")


def test_a_number_that_is_valid_but_not_compact_is_refused_so_only_compact_ones_are_stored():
    # The forms and the API tidy first; a service called with an untidy number refuses it.
    for untidy in ["nl004495445b01", "NL 004495445B01", "NL4495445B01"]:
        with pytest.raises(ValidationError) as refused:
            validate_vat_number(untidy)
        assert refused.value.code == "vat_number"


def test_the_messages_are_in_dutch_for_dutch_visitors():
    with translation.override("nl"):
        assert vat_number_problem("004495445B01") == (
            "Begin het btw-nummer met de landcode, zoals NL voor Nederland: NL001234567B01."
        )
        assert vat_number_problem("GB980780684") == (
            "GB is geen land van de Europese Unie. Vul een btw-nummer uit de EU in, zoals "
            "NL001234567B01."
        )
        assert vat_number_problem("NL004495446B01") == str(exceptions.VAT_NUMBER_INVALID)
        assert str(exceptions.VAT_NUMBER_INVALID) == (
            "Dit is geen geldig btw-nummer (zoals NL001234567B01)."
        )
