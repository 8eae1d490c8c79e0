"""Every invoice and credit note, for billing details as organisations really type them,
is a valid e-invoice and a PDF that holds all of its text.

Seeded random cases: billing details typed into the public billing form (Dutch and foreign
organisations, addresses in many shapes, numbers with spaces and dots, names in many
scripts, characters a browser sends), booked through the registration service, invoiced
and credited through the payment services. Each UBL file is run through the official
EN 16931 + Peppol BIS 3 (with the Dutch rules) artefacts; each PDF is read back with
pdfplumber. Details the form refuses must be refused with a message on the right field.
"""

import io
import random
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

import pdfplumber
import pytest
from defusedxml.ElementTree import fromstring

from goedeburen.common import pdf_fonts
from goedeburen.payments import queries, services
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.models import Invoice
from goedeburen.payments.pdf import render_invoice
from goedeburen.payments.ubl import render_ubl
from goedeburen.public.forms.registration import AttendeeForm, BillingForm
from goedeburen.registration import services as registration_services
from tests.factories import QuotaFactory, TicketTypeFactory, booker, form_token

from .einvoice import fatal

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
SEED = 20270122
CASES = 40

# (street lines, postcode/city lines in the orders people write them, country names, code)
ADDRESSES = {
    "NL": (
        [["Lindelaan 1"], ["Postbus 20011"], ["Kerkstraat 12-3 hs", "t.a.v. crediteuren"]],
        ["3701 AA Zeist", "3701AA  Zeist", "2500 ea Den Haag", "5211 AB 's-Hertogenbosch"],
        ["", "Nederland", "The Netherlands", "NL", "netherlands"],
    ),
    "BE": (
        [["Rue Haute 1"], ["Wetstraat 16", "Bus 3"]],
        ["1000 Bruxelles", "B-1000 Brussel", "1000 Brussels"],
        ["België", "Belgium", "Belgique", "BELGIE"],
    ),
    "DE": (
        [["Unter den Linden 5"], ["Straße des 17. Juni 135"]],
        ["10117 Berlin", "D-10117 Berlin"],
        ["Duitsland", "Germany", "Deutschland"],
    ),
    "FR": (
        [["55 Rue du Faubourg Saint-Honoré"], ["1 Place de la Concorde", "Bâtiment B"]],
        ["75008 Paris CEDEX", "75008 Paris", "F-75008 Paris"],
        ["Frankrijk", "France"],
    ),
    "GB": (
        [["10 Downing Street"], ["Flat 2", "1 Abbey Road"]],
        ["SW1A 2AA London", "London SW1A 2AA", "London\nSW1A 2AA", "LONDON, NW8 9AY"],
        ["United Kingdom", "Verenigd Koninkrijk", "UK", "England", "Great Britain"],
    ),
    "CH": (
        [["Bundesplatz 3"], ["Rue de Lausanne 1"]],
        ["3003 Bern", "CH-3003 Bern", "1202 Genève"],
        ["Zwitserland", "Switzerland", "Schweiz", "Suisse"],
    ),
    "US": (
        [["1600 Pennsylvania Avenue NW"]],
        ["Washington, DC 20500", "Washington DC 20500"],
        ["United States", "USA", "Verenigde Staten"],
    ),
    "NO": (
        [["Karl Johans gate 1"]],
        ["0154 Oslo"],
        ["Norway", "Noorwegen", "Norge"],
    ),
    "JP": (
        [["1-1 Chiyoda"]],
        ["Chiyoda-ku, Tokyo 100-8111", "〒100-8111 東京都千代田区"],
        ["Japan", "日本"],
    ),
    "IE": (
        [["1 Merrion Square"]],
        ["Dublin 2", "Dublin D02 Y006"],
        ["Ireland", "Ierland"],
    ),
}

ORGANISATIONS = [
    "Woonstichting De Linde",
    "Stichting Ûtrecht-Zuid ‘De Ĳsbrêker’",
    "Gemeente ’s-Hertogenbosch",
    "Zoë Şahin-Łukasiewicz",
    "Ministerie van Binnenlandse Zaken & Koninkrijksrelaties",
    "Δήμος Αθηναίων",
    "Городская больница № 1",
    "مؤسسة الجيران الطيبين",
    "北京市朝阳区社区服务中心",
    'Vereniging "Samen <Sterk>"',
    "Café 🙂 De Buren",
    "A" * 200,
]
PEOPLE = [
    ("Zoë", "Şahin-Łukasiewicz"),
    ("Ĳsbrand", "van der Ĳssel"),
    ("Νίκος", "Παπαδόπουλος"),
    ("Анна", "Смирнова"),
    ("محمد", "العلي"),
    ("明", "李"),
    ("Seán", "Ó Briain"),
    ("Ada", "de Vries"),
]
REFERENCES = [
    "",
    "Afd. Wonen & Zorg",
    "Kostenplaats <4711>",
    'Project "Buren"',
    "Ref’s 🙂 2027",
    "x" * 100,
    "Budget\t2027",
]
PO_NUMBERS = ["", "PO-4711", "4500123456/MINBZK-2027", "A&B <PO> 'x'", "PO 🧾 1"]
ORG_IDS = [
    ("", ""),
    ("41178444", "41178444"),
    ("4117 8444", "41178444"),
    ("00000001003214345000", "00000001003214345000"),
]
PEPPOL_IDS = [
    ("", ""),
    ("0106:41178444", "0106:41178444"),
    ("0190:00000001003214345000", "0190:00000001003214345000"),
    ("iso6523-actorid-upis::0106:41178444", "0106:41178444"),
    (" 0208:0316597904 ", "0208:0316597904"),
    ("0088: 8712345 678906", "0088:8712345678906"),
    ("0184:DK12345678", "0184:DK12345678"),
]


@dataclass
class Case:
    """One set of billing details as typed, and what the invoice must then show."""

    data: dict
    country: str  # the buyer's country code in the e-invoice; "" when the form must refuse
    unaddressed: bool  # the e-invoice asked for without an OIN, KvK number or Peppol ID
    address_rows: list[str] = field(default_factory=list)
    people: list[tuple[str, str]] = field(default_factory=list)
    tickets: list[str] = field(default_factory=list)
    credit: bool = False


def typed_address(rng: random.Random, code: str) -> tuple[str, list[str], bool]:
    """Return an address as someone types it, its rows, and whether it names its country."""
    streets, cities, countries = ADDRESSES[code]
    rows = [*rng.choice(streets), *rng.choice(cities).split("\n")]
    country = rng.choice(countries)
    if code != "NL" and rng.random() < 0.1:
        country = ""  # a foreign address without its country: the form must ask for it
    if country:
        rows.append(country)
    joiner = rng.choice(["\n", "\r\n", "\n", ", ", "\r\n\r\n"])
    text = joiner.join(rows)
    if rng.random() < 0.2:
        text = f"  {text}\t \n"
    # Without its country a foreign address is still clear from a British postcode or a
    # country sign before the postcode ("B-1000 Brussel").
    clear = code in ("NL", "GB") or any(row[:3] in ("B-1", "D-1", "F-7", "CH-") for row in rows)
    return text, rows, bool(country) or clear


def generate(rng: random.Random) -> Case:
    code = rng.choice(["NL", "NL", "NL", *ADDRESSES])
    address, rows, usable = typed_address(rng, code)
    org_id, _clean_org = rng.choice(ORG_IDS) if code == "NL" else ("", "")
    peppol_id, _clean_peppol = rng.choice(PEPPOL_IDS)
    organisation = rng.choice(ORGANISATIONS)
    if rng.random() < 0.1 and len(organisation) <= 190:  # the field holds 200 characters
        organisation = f"{organisation}\t(inkoop)"
    data = {
        "organisation": organisation,
        "address": address,
        "po_number": rng.choice(PO_NUMBERS),
        "reference": rng.choice(REFERENCES),
        "invoice_email": rng.choice(["", "crediteuren@example.org"]),
        "org_id": org_id,
        "peppol_id": peppol_id,
        # Ticked without a number too: the form must refuse that at the number's field.
        "einvoice": "on" if rng.random() < 0.6 else "",
    }
    return Case(
        data=data,
        country=code if usable else "",
        unaddressed=bool(data["einvoice"]) and not (org_id.strip() or peppol_id.strip()),
        address_rows=rows,
        people=[rng.choice(PEOPLE) for _n in range(rng.randint(1, 4))],
        # The first ticket costs money: an invoice is for something to pay.
        tickets=[rng.choice(["21", "9", "0", "exempt"])]
        + [rng.choice(["21", "9", "0", "exempt", "free"]) for _n in range(3)],
        credit=rng.random() < 0.35,
    )


@pytest.fixture
def tickets(event):
    made = {
        "21": TicketTypeFactory(event=event, price=Decimal("125.00"), vat_rate=Decimal("21.00")),
        "9": TicketTypeFactory(event=event, price=Decimal("41.67"), vat_rate=Decimal("9.00")),
        "0": TicketTypeFactory(event=event, price=Decimal("50.00"), vat_rate=Decimal("0.00")),
        "exempt": TicketTypeFactory(
            event=event,
            price=Decimal("95.00"),
            vat_rate=Decimal("0.00"),
            vat_exemption="Vrijgesteld van btw, art. 11 lid 1 sub o Wet OB (educatie)",
        ),
        "free": TicketTypeFactory(event=event, price=Decimal("0.00"), vat_rate=Decimal("21.00")),
    }
    QuotaFactory(event=event, size=500, ticket_types=list(made.values()))
    return made


def _attendee(ticket_type, given: str, family: str):
    form = AttendeeForm(
        {
            "ticket_type": str(ticket_type.pk),
            "given_name": given,
            "family_name": family,
            "role": "municipality",
            "badge_name": "full",
        },
        ticket_types=[ticket_type],
    )
    assert form.is_valid(), form.errors
    return form.details()


def _squeezed(text: str) -> str:
    """Return `text` without whitespace, in NFC: how to compare it with a PDF's text.

    Without characters beyond the Basic Multilingual Plane (emoji) too: an emoji sequence
    prints as one glyph of Noto Emoji, read back as a private-use character; the e-invoice
    keeps them as typed.
    """
    text = "".join(char for char in text if "\x00" < char <= "\uffff")
    return "".join(unicodedata.normalize("NFC", text).split())


# The columns of the invoice's layout (`payments.pdf`), in points from the page's left:
# read one by one, a column's text is not interleaved with its neighbour's.
_BANDS = ((0, 260), (0, 381), (390, 595))


def pdf_texts(document: bytes) -> list[str]:
    """Return the PDF's text: whole pages, then each column of the layout, squeezed."""
    texts = []
    with pdfplumber.open(io.BytesIO(document)) as pdf:
        for page in pdf.pages:
            texts.append(page.extract_text())
            for left, right in _BANDS:
                texts.append(page.within_bbox((left, 0, right, page.height)).extract_text())
    return ["".join(_squeezed(text) for text in texts)] + [_squeezed(text) for text in texts]


# A word in a script written right to left (Arabic, Hebrew …).
_RIGHT_TO_LEFT_WORD = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]+")


def _in_pdf(text: str, texts: list[str]) -> bool:
    """Return whether the PDF holds `text`; around an emoji, each piece (see `_squeezed`).

    A word in a right-to-left script is looked for as drawn (its letters joined, from the
    right: `pdf_fonts.visual`, pinned by tests/common/test_pdf_fonts.py), the rest as typed.
    """
    pieces = [
        piece
        for chunk in _RIGHT_TO_LEFT_WORD.split(text)
        for piece in re.split("[\U00010000-\U0010ffff]", chunk)
    ]
    pieces += [pdf_fonts.visual(word) for word in _RIGHT_TO_LEFT_WORD.findall(text)]
    return all(any(_squeezed(piece) in found for found in texts) for piece in pieces)


def check(invoice: Invoice, case: Case, typed: dict) -> None:
    invoice = queries.invoice_with_lines(invoice.pk)
    document = render_ubl(invoice)
    failures = fatal(document)
    has_endpoint = bool(invoice.buyer_org_id or invoice.buyer_peppol_id)
    # Without an OIN, KvK number or Peppol ID the buyer has no address Peppol delivers to
    # (R010): no e-invoice is offered (`Invoice.has_einvoice`); an e-invoice sent with
    # the mail always has one.
    assert has_endpoint or not invoice.einvoice
    assert invoice.has_einvoice == has_endpoint
    allowed = set() if has_endpoint else {"PEPPOL-EN16931-R010"}
    assert {f.id for f in failures} - allowed == set(), (typed, failures)
    root = fromstring(document)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert buyer.findtext(
        "cac:PostalAddress/cac:Country/cbc:IdentificationCode", namespaces=NS
    ) == (case.country)
    assert buyer.findtext("cac:PartyName/cbc:Name", namespaces=NS) == invoice.buyer_name
    # Nothing typed is lost: every row of the address is somewhere in the e-invoice's address.
    address = " ".join(buyer.find("cac:PostalAddress", NS).itertext())
    country = set(case.address_rows[-1].upper().split()) if case.address_rows else set()
    for word in re.split(r"[\s,]+", invoice.buyer_address.upper()):
        # A country sign before the postcode ("F-75008") is the country's code there.
        word = re.sub(r"^(B-|D-|F-|CH-|〒)", "", word)
        assert word in address.upper().replace(" ", "") or word in country, (word, address)
    if invoice.po_number:
        assert root.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == invoice.po_number
    texts = pdf_texts(render_invoice(invoice))
    expected = [invoice.buyer_name, *invoice.buyer_address.splitlines(), invoice.number]
    expected += [invoice.po_number, invoice.buyer_reference, invoice.buyer_org_id]
    expected += [line.description for line in invoice.lines.all()]
    for text in expected:
        assert _in_pdf(text, texts), (text, texts[0])


def _is_country_row(row: str, case: Case) -> bool:
    return row.strip() == (case.address_rows[-1] if case.address_rows else "")


@pytest.mark.parametrize("batch", range(4))
def test_invoices_for_billing_details_as_typed_are_valid_einvoices_and_pdfs(
    batch, event, tickets, immediate_tasks, django_capture_on_commit_callbacks
):
    rng = random.Random(SEED + batch)
    for _n in range(CASES // 4):
        case = generate(rng)
        form = BillingForm(case.data, payable=True, po_number_required=False)

        valid = form.is_valid()

        refused = {"address"} if not case.country else set()
        refused |= {"org_id"} if case.unaddressed else set()
        if refused:
            assert not valid
            assert set(form.errors) == refused, form.errors
            continue
        assert valid, (case.data, form.errors)
        attendees = [
            _attendee(tickets[kind], *person)
            for kind, person in zip(case.tickets, case.people, strict=False)
        ]
        registration = registration_services.register(
            event,
            booker=booker(),
            attendees=attendees,
            billing=form.billing(),
            form_token=form_token(event),
            language=rng.choice(["nl", "en"]),
        )
        services.choose_provider(registration, provider=ProviderName.INVOICE)
        invoice = queries.current_invoice(registration)
        check(invoice, case, case.data)
        if case.credit:
            with django_capture_on_commit_callbacks(execute=True):
                registration_services.cancel_registration(registration, by=None, reason="ziek")
            credit = Invoice.objects.get(credits=invoice)
            check(credit, case, case.data)
