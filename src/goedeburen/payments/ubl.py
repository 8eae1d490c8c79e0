"""Write an issued invoice or credit note as an e-invoice: UBL 2.1, Peppol BIS Billing 3.0.

Dutch ministries and many municipalities must receive invoices in this form (EN 16931 with
the Peppol BIS 3 rules and their Dutch national rules, compatible with NLCIUS / SI-UBL 2.0).
Like the PDF, everything comes from the stored invoice row and its lines, which never change;
a credit note is a UBL CreditNote (type 381) with positive amounts that names its invoice.

The seller's electronic address and legal id are its KvK number (scheme 0106, as the Dutch
rules ask); the buyer's is its Peppol ID, else its OIN (0190) or KvK number (0106). Peppol
requires one (PEPPOL-EN16931-R010) and its list of address schemes holds no email address:
an invoice whose buyer has none has no e-invoice (`Invoice.has_einvoice`: the download
is refused, no link is shown, the mail attaches none). The buyer's VAT number, when
given, is its VAT identifier (BT-48). `tests/payments/test_ubl.py` validates the output
against the official CEN EN 16931 and Peppol BIS 3 schematron artefacts.
"""

import re
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring  # noqa: S405 (writing only)

from goedeburen.common.addresses import parse_address

from .models import Invoice, org_scheme

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
_NS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
register_namespace("cac", _NS["cac"])
register_namespace("cbc", _NS["cbc"])


def invoice_ubl_filename(invoice: Invoice) -> str:
    return f"{'credit-note' if invoice.is_credit_note else 'invoice'}-{invoice.number}.xml"


def render_ubl(invoice: Invoice) -> bytes:
    """Return `invoice` (lines prefetched, see `queries.invoice_with_lines`) as UBL 2.1 XML."""
    credit = invoice.is_credit_note
    root_name = "CreditNote" if credit else "Invoice"
    # A credit note's stored amounts are negative; in UBL a credit note states them positive.
    sign = Decimal(-1) if credit else Decimal(1)
    root = Element(f"{{{_NS[root_name]}}}{root_name}")
    _cbc(root, "CustomizationID", CUSTOMIZATION)
    _cbc(root, "ProfileID", PROFILE)
    _cbc(root, "ID", invoice.number)
    _cbc(root, "IssueDate", invoice.issue_date.isoformat())
    if not credit and invoice.due_date:
        _cbc(root, "DueDate", invoice.due_date.isoformat())
    _cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", "381" if credit else "380")
    _cbc(root, "DocumentCurrencyCode", "EUR")
    # The buyer's reference, else (without a PO number either) the registration's code: one
    # of the two is required (PEPPOL-EN16931-R003) and the code finds the booking again.
    reference = invoice.buyer_reference or ("" if invoice.po_number else invoice.registration.code)
    _cbc(root, "BuyerReference", reference)
    if invoice.po_number:
        _cbc(SubElement(root, _cac("OrderReference")), "ID", invoice.po_number)
    if credit and invoice.credits_id:
        document = SubElement(
            SubElement(root, _cac("BillingReference")), _cac("InvoiceDocumentReference")
        )
        _cbc(document, "ID", invoice.credits.number)
        _cbc(document, "IssueDate", invoice.credits.issue_date.isoformat())
    _seller(SubElement(root, _cac("AccountingSupplierParty")), invoice)
    _buyer(SubElement(root, _cac("AccountingCustomerParty")), invoice)
    _cbc(SubElement(root, _cac("Delivery")), "ActualDeliveryDate", invoice.supply_date.isoformat())
    # A credit note names the same account: the amount is set off against it or paid back
    # by transfer, and the Dutch rules ask for a means of payment on every document that
    # has an amount (NL-R-007).
    means = SubElement(root, _cac("PaymentMeans"))
    _cbc(means, "PaymentMeansCode", "58", name="SEPA credit transfer")
    _cbc(means, "PaymentID", (invoice.payment_reference or invoice.number).replace(" ", ""))
    account = SubElement(means, _cac("PayeeFinancialAccount"))
    _cbc(account, "ID", invoice.seller_iban.replace(" ", ""))
    _cbc(account, "Name", invoice.seller_account_name)
    lines = list(invoice.lines.all())
    _taxes(root, lines, invoice, sign)
    _totals(root, lines, invoice, sign)
    for n, line in enumerate(lines, start=1):
        _line(root, n, line, credit=credit, sign=sign)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + _serialize(root)


def _serialize(root: Element) -> bytes:
    """Return the tree as UTF-8 XML without a declaration.

    ElementTree writes a tree as text and encodes it piece by piece when asked for bytes
    (its writer encodes each of hundreds of small writes); the same text encoded once is
    the same bytes at half the cost.
    """
    return tostring(root, encoding="unicode").encode("utf-8")


def _cac(name: str) -> str:
    return f"{{{_NS['cac']}}}{name}"


def _cbc(parent: Element, tag: str, text, **attributes) -> Element | None:
    """Add `<cbc:tag>text</cbc:tag>`, or nothing for an empty text (Peppol forbids those)."""
    # Characters XML 1.0 cannot hold (from details stored before the forms took them out)
    # would make the whole file unreadable.
    text = "" if text is None else _NOT_XML.sub("", str(text)).strip()
    if not text:
        return None
    element = SubElement(
        parent, f"{{{_NS['cbc']}}}{tag}", {k: str(v) for k, v in attributes.items()}
    )
    element.text = text
    return element


def _amount(parent: Element, name: str, value: Decimal) -> None:
    # A credit note turns a free line's 0.00 into -0.00, which the rules read as a
    # negative price (BR-27): zero has no sign.
    _cbc(parent, name, f"{value if value else abs(value):.2f}", currencyID="EUR")


def _percent(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


def _category(line) -> str:
    if line.vat_exemption:
        return "E"
    return "S" if line.vat_rate > 0 else "Z"


def _address(party: Element, text: str) -> None:
    parts = parse_address(text)
    address = SubElement(party, _cac("PostalAddress"))
    _cbc(address, "StreetName", parts.street)
    _cbc(address, "AdditionalStreetName", parts.more)
    _cbc(address, "CityName", parts.city)
    _cbc(address, "PostalZone", parts.postcode)
    # The forms ask for the country of any address that is not clearly Dutch; an address
    # stored before they did is taken as Dutch, as it was then.
    _cbc(SubElement(address, _cac("Country")), "IdentificationCode", parts.country or "NL")


def _seller(parent: Element, invoice: Invoice) -> None:
    party = SubElement(parent, _cac("Party"))
    _cbc(party, "EndpointID", invoice.seller_kvk, schemeID="0106")
    _cbc(SubElement(party, _cac("PartyName")), "Name", invoice.seller_name)
    _address(party, invoice.seller_address)
    tax = SubElement(party, _cac("PartyTaxScheme"))
    _cbc(tax, "CompanyID", invoice.seller_vat)
    _cbc(SubElement(tax, _cac("TaxScheme")), "ID", "VAT")
    legal = SubElement(party, _cac("PartyLegalEntity"))
    _cbc(legal, "RegistrationName", invoice.seller_name)
    _cbc(legal, "CompanyID", invoice.seller_kvk, schemeID="0106")
    if invoice.seller_email:
        _cbc(SubElement(party, _cac("Contact")), "ElectronicMail", invoice.seller_email)


def _buyer(parent: Element, invoice: Invoice) -> None:
    party = SubElement(parent, _cac("Party"))
    endpoint = invoice.buyer_endpoint
    if endpoint is not None:
        _cbc(party, "EndpointID", endpoint[1], schemeID=endpoint[0])
    # Without either there is no e-invoice (`Invoice.has_einvoice`): Peppol requires the
    # buyer's electronic address (PEPPOL-EN16931-R010).
    if invoice.buyer_org_id:
        _cbc(
            SubElement(party, _cac("PartyIdentification")),
            "ID",
            invoice.buyer_org_id,
            schemeID=org_scheme(invoice.buyer_org_id),
        )
    _cbc(SubElement(party, _cac("PartyName")), "Name", invoice.buyer_name)
    _address(party, invoice.buyer_address)
    # The buyer's VAT identifier (BT-48), country code first as BR-CO-09 asks: checked so
    # when it was typed (`registration.billing.vat_number_problem`).
    if invoice.buyer_vat_number:
        tax = SubElement(party, _cac("PartyTaxScheme"))
        _cbc(tax, "CompanyID", invoice.buyer_vat_number)
        _cbc(SubElement(tax, _cac("TaxScheme")), "ID", "VAT")
    legal = SubElement(party, _cac("PartyLegalEntity"))
    _cbc(legal, "RegistrationName", invoice.buyer_name)
    if invoice.buyer_org_id:
        _cbc(legal, "CompanyID", invoice.buyer_org_id, schemeID=org_scheme(invoice.buyer_org_id))


def _groups(lines) -> list[tuple[str, Decimal, str, Decimal, Decimal]]:
    """Return (category, rate, exemption, taxable, VAT) per VAT category of the lines."""
    found: dict[tuple, list[Decimal]] = {}
    for line in lines:
        key = (_category(line), line.vat_rate, line.vat_exemption)
        sums = found.setdefault(key, [Decimal("0.00"), Decimal("0.00")])
        sums[0] += line.amount_excl
        sums[1] += line.vat_amount
    return [(c, r, e, taxable, vat) for (c, r, e), (taxable, vat) in sorted(found.items())]


def _tax_category(parent: Element, name: str, category: str, rate: Decimal, exemption: str):
    element = SubElement(parent, _cac(name))
    _cbc(element, "ID", category)
    _cbc(element, "Percent", _percent(rate))
    if category == "E":
        _cbc(element, "TaxExemptionReason", exemption)
    _cbc(SubElement(element, _cac("TaxScheme")), "ID", "VAT")


def _taxes(root: Element, lines, invoice: Invoice, sign: Decimal) -> None:
    total = SubElement(root, _cac("TaxTotal"))
    _amount(total, "TaxAmount", sign * invoice.total_vat)
    for category, rate, exemption, taxable, vat in _groups(lines):
        subtotal = SubElement(total, _cac("TaxSubtotal"))
        _amount(subtotal, "TaxableAmount", sign * taxable)
        _amount(subtotal, "TaxAmount", sign * vat)
        _tax_category(subtotal, "TaxCategory", category, rate, exemption)


def _totals(root: Element, lines, invoice: Invoice, sign: Decimal) -> None:
    totals = SubElement(root, _cac("LegalMonetaryTotal"))
    net = sum((line.amount_excl for line in lines), Decimal("0.00"))
    _amount(totals, "LineExtensionAmount", sign * net)
    _amount(totals, "TaxExclusiveAmount", sign * net)
    _amount(totals, "TaxInclusiveAmount", sign * (net + invoice.total_vat))
    if invoice.rounding:
        _amount(totals, "PayableRoundingAmount", sign * invoice.rounding)
    _amount(totals, "PayableAmount", sign * invoice.total)


def _line(root: Element, n: int, line, *, credit: bool, sign: Decimal) -> None:
    element = SubElement(root, _cac("CreditNoteLine" if credit else "InvoiceLine"))
    _cbc(element, "ID", n)
    _cbc(element, "CreditedQuantity" if credit else "InvoicedQuantity", "1", unitCode="C62")
    _amount(element, "LineExtensionAmount", sign * line.amount_excl)
    item = SubElement(element, _cac("Item"))
    _cbc(item, "Description", line.description)
    # The name is short in most buyers' systems; the description above is the whole text.
    _cbc(item, "Name", line.description[:100])
    _tax_category(item, "ClassifiedTaxCategory", _category(line), line.vat_rate, "")
    _amount(SubElement(element, _cac("Price")), "PriceAmount", sign * line.amount_excl)
