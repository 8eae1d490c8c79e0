"""E-invoices (UBL 2.1, Peppol BIS Billing 3.0 with the Dutch rules) validate with zero fatal
errors against the official CEN EN 16931 and Peppol BIS 3 artefacts: a normal invoice, a
multi-attendee invoice with a PO number, a VAT-exempt event and a credit note, with and
without the buyer's VAT number."""

import re
from decimal import Decimal

import pytest
from defusedxml.ElementTree import fromstring

from goedeburen.common.addresses import parse_address
from goedeburen.payments import queries, services
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.ubl import render_ubl
from goedeburen.registration.billing import vat_number_problem
from goedeburen.registration.peppol import peppol_id_problem
from tests.factories import QuotaFactory, TicketTypeFactory
from tests.registration.test_peppol import ANY, OUTSIDE, VALID, WRONG
from tests.registration.test_vat_number import VALID as VALID_VAT_NUMBERS

from .einvoice import fatal, validate

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def ubl_of(invoice) -> bytes:
    return render_ubl(queries.invoice_with_lines(invoice.pk))


def invoiced(registration):
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    return queries.current_invoice(registration)


ADDRESS = "Lindelaan 1\n3701 AA Zeist"


def test_a_normal_invoice_has_no_fatal_errors(register):
    invoice = invoiced(register(po_number="", reference="", address=ADDRESS, org_id="41178444"))

    document = ubl_of(invoice)

    assert fatal(document) == []
    root = fromstring(document)
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == invoice.registration.code
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "125.00"


def test_a_multi_attendee_invoice_for_a_ministry_with_po_number_has_no_fatal_errors(register):
    registration = register(
        attendees=3,
        po_number="4500123456-MINBZK-DGBRW-2027-0042",
        reference="",
        organisation="Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
        address="Turfmarkt 147\n2511 DP Den Haag",
        org_id="00000001003214345000",
        peppol_id="0190:00000001003214345000",
    )
    invoice = invoiced(registration)

    document = ubl_of(invoice)

    assert fatal(document) == []
    root = fromstring(document)
    assert root.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == registration.po_number
    endpoint = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (endpoint.get("schemeID"), endpoint.text) == ("0190", "00000001003214345000")
    assert len(root.findall("cac:InvoiceLine", NS)) == 3
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "375.00"


def test_a_vat_exempt_event_has_no_fatal_errors(register, event):
    exempt = TicketTypeFactory(
        event=event,
        price=Decimal("95.00"),
        vat_rate=Decimal("0.00"),
        vat_exemption="Vrijgesteld van btw, art. 11 lid 1 sub o Wet OB (educatie)",
    )
    QuotaFactory(event=event, size=10, ticket_types=[exempt])
    invoice = invoiced(register(exempt, org_id="12345678", address=ADDRESS))

    document = ubl_of(invoice)

    assert fatal(document) == []
    category = fromstring(document).find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category.findtext("cbc:ID", namespaces=NS) == "E"
    assert "art. 11" in category.findtext("cbc:TaxExemptionReason", namespaces=NS)


def test_a_credit_note_has_no_fatal_errors_and_names_its_invoice(register):
    invoice = invoiced(
        register(
            po_number="PO-4711",
            reference="Afd. Wonen",
            address=ADDRESS,
            peppol_id="0106:41178444",
        )
    )
    credit = services.credit_invoice(invoice, reason="wrong PO")

    document = ubl_of(credit)

    assert fatal(document) == []
    root = fromstring(document)
    assert root.tag.endswith("}CreditNote")
    assert (
        root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS)
        == invoice.number
    )
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "125.00"


def test_an_einvoice_asked_for_with_only_an_oin_has_no_fatal_errors(register):
    # The e-invoice goes with the mail only with a number to address it to: the OIN is the
    # buyer's electronic address then (scheme 0190), and R010 holds.
    registration = register(
        po_number="",
        reference="Zoë Şahin-Łukasiewicz",
        organisation="Gemeente Şahin-Łukasiewicz",
        address="Stadsplateau 1\n3521 AZ Utrecht",
        org_id="00000001001234567000",
        einvoice=True,
    )
    invoice = invoiced(registration)

    document = ubl_of(invoice)

    assert invoice.einvoice is True
    assert fatal(document) == []
    endpoint = fromstring(document).find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (endpoint.get("schemeID"), endpoint.text) == ("0190", "00000001001234567000")


def test_without_a_buyer_identifier_only_the_peppol_address_is_missing(register):
    """A private buyer has no OIN, KvK number or Peppol ID: a UBL file would miss only the
    buyer's electronic address, which Peppol requires (and takes no e-mail address for), so
    the invoice has no e-invoice (`tests/payments/test_einvoice_delivery.py`)."""
    invoice = invoiced(register(po_number="", reference="", address=ADDRESS))

    assert {failure.id for failure in fatal(ubl_of(invoice))} == {"PEPPOL-EN16931-R010"}
    assert not invoice.has_einvoice


def test_the_validators_do_catch_a_broken_invoice(register):
    """Negative control: the artefacts really run and find the errors they should."""
    document = ubl_of(invoiced(register(po_number="", reference="", org_id="41178444")))
    # The amount due no longer the total (EN 16931 BR-CO-16), and the seller's street gone
    # (the Dutch NL-R-002). The buyer's address is complete: it gives no error of its own.
    broken, count = re.subn(
        rb'(<cbc:PayableAmount currencyID="EUR">)[0-9.]+', rb"\g<1>1.00", document
    )
    assert count == 1
    broken = broken.replace(b"<cbc:StreetName>Beneluxlaan 9</cbc:StreetName>", b"")

    ids = {failure.id for failure in fatal(broken)}

    assert "NL-R-002" in ids  # the Dutch rules are among them: the seller's street is gone
    assert ids - {"NL-R-002"}  # and the EN 16931 / Peppol rules see the rest


# The Peppol rules on an electronic address: its scheme from the code list (CL008) and, for
# some schemes, the identifier's form (PEPPOL-COMMON-R040 to R050; warnings included).
_ADDRESS_RULES = re.compile(r"PEPPOL-EN16931-CL008|PEPPOL-COMMON-R0[45]\d")


def _address_failures(document: bytes, scheme: str, identifier: str) -> set[str]:
    buyer = b'<cbc:EndpointID schemeID="0106">41178444</cbc:EndpointID>'
    assert document.count(buyer) == 1
    changed = document.replace(
        buyer, f'<cbc:EndpointID schemeID="{scheme}">{identifier}</cbc:EndpointID>'.encode()
    )
    return {f.id for f in validate(changed) if _ADDRESS_RULES.fullmatch(f.id)}


def test_the_peppol_id_checks_refuse_what_the_peppol_rules_refuse(register):
    """Every Peppol ID the form accepts passes the official rules on electronic addresses;
    each one those rules fail, the form refuses. (Where python-stdnum knows more, such as a
    Swedish number's check digit, and for the Dutch numbers' lengths, which Peppol does not
    check, the form refuses more than Peppol does.)"""
    document = ubl_of(invoiced(register(address=ADDRESS, peppol_id="0106:41178444")))
    valid = [(scheme, identifier) for scheme, found in VALID.items() for identifier in found]
    valid += [("0009", ANY), ("9944", ANY)]
    wrong = [(scheme, identifier) for scheme, found in WRONG.items() for identifier in found]
    wrong += [(scheme, "123") for scheme in OUTSIDE]

    for scheme, identifier in valid:
        assert _address_failures(document, scheme, identifier) == set(), (scheme, identifier)
        assert peppol_id_problem(f"{scheme}:{identifier}") == ""
    failed = set()
    for scheme, identifier in wrong:
        assert peppol_id_problem(f"{scheme}:{identifier}"), (scheme, identifier)
        if _address_failures(document, scheme, identifier):
            failed.add(scheme)

    # Negative control: the Peppol rules did fail a wrong identifier of every scheme they
    # check, and every scheme outside the list.
    peppol_checks = {"0007", "0088", "0151", "0184", "0192", "0201", "0208", "0210", "0211"}
    assert failed == peppol_checks | set(OUTSIDE)


@pytest.mark.parametrize(
    "peppol_id", ["0088:8712345678906", "0192:988077917", "0184:DK12345678", "0007:5560360793"]
)
def test_an_einvoice_to_a_foreign_peppol_id_has_no_fatal_errors(register, peppol_id):
    registration = register(
        organisation="Zoë Şahin-Łukasiewicz AB",
        address="Drottninggatan 1\n111 51 Stockholm\nSverige",
        peppol_id=peppol_id,
        einvoice=True,
    )

    document = ubl_of(invoiced(registration))

    assert fatal(document) == []
    endpoint = fromstring(document).find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert f"{endpoint.get('schemeID')}:{endpoint.text}" == peppol_id


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Beneluxlaan 9\n3527 HT Utrecht", ("Beneluxlaan 9", "", "Utrecht", "3527 HT", "NL")),
        (
            "Postbus 20011\n2500EA  Den Haag\nNederland",
            ("Postbus 20011", "", "Den Haag", "2500 EA", "NL"),
        ),
        ("Rue Haute 1\nBruxelles\nBelgique", ("Rue Haute 1", "", "Bruxelles", "", "BE")),
        # Every country of ISO 3166, by its name in English, Dutch or other languages.
        ("Kerkweg 3\nParamaribo\nSuriname", ("Kerkweg 3", "", "Paramaribo", "", "SR")),
        ("Sharia 1\nDamascus\nSyrië", ("Sharia 1", "", "Damascus", "", "SY")),
        ("Rua 1\nLuanda\nAngola", ("Rua 1", "", "Luanda", "", "AO")),
        ("Str. 5\n1000 Skopje\nNorth Macedonia", ("Str. 5", "", "Skopje", "1000", "MK")),
        ("Rruga 1\n1001 Tirana\nAlbanië", ("Rruga 1", "", "Tirana", "1001", "AL")),
    ],
)
def test_addresses_are_read_as_people_type_them(text, parts):
    found = parse_address(text)
    assert (found.street, found.more, found.city, found.postcode, found.country) == parts


BUYER_TAX = "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme"


def _buyer_taxes(document: bytes) -> list[tuple[str, str]]:
    return [
        (
            tax.findtext("cbc:CompanyID", namespaces=NS),
            tax.findtext("cac:TaxScheme/cbc:ID", namespaces=NS),
        )
        for tax in fromstring(document).findall(BUYER_TAX, NS)
    ]


@pytest.mark.parametrize("kind", ["invoice", "credit note"])
@pytest.mark.parametrize("vat_number", ["NL004495445B01", ""], ids=["with", "without"])
def test_the_buyers_vat_number_is_bt_48_and_the_file_has_no_fatal_errors(
    register, kind, vat_number
):
    invoice = invoiced(register(address=ADDRESS, org_id="41178444", vat_number=vat_number))
    issued = services.credit_invoice(invoice) if kind == "credit note" else invoice

    document = ubl_of(issued)

    assert fatal(document) == []
    assert _buyer_taxes(document) == ([(vat_number, "VAT")] if vat_number else [])
    # Nothing about the buyer's VAT identifier, not even a warning.
    assert [f for f in validate(document) if "BT-48" in f.text] == []


def test_every_kind_of_vat_number_the_form_accepts_passes_the_official_rules(register):
    """Each number the check accepts (other member states, Greece as EL, Northern Ireland as
    XI) is a BT-48 that the EN 16931 and Peppol rules accept; one without its country code,
    which the check refuses, fails them (negative control: BR-CO-09 really runs)."""
    registration = register(address=ADDRESS, org_id="41178444", vat_number="NL004495445B01")
    document = ubl_of(invoiced(registration))
    stored = b"<cbc:CompanyID>NL004495445B01</cbc:CompanyID>"
    assert document.count(stored) == 1

    def failures(number: str) -> set[str]:
        changed = f"<cbc:CompanyID>{number}</cbc:CompanyID>".encode()
        return {f.id for f in fatal(document.replace(stored, changed))}

    for number in set(VALID_VAT_NUMBERS.values()):
        assert vat_number_problem(number) == ""
        assert failures(number) == set(), number
    assert vat_number_problem("004495445B01")
    assert failures("004495445B01") == {"BR-CO-09"}
