"""What makes invoices and bank imports fast changes nothing they produce: the remembered
font subsets and font objects give the PDF reportlab would make without them, byte for
byte (tests/common/test_pdf_text.py: lines broken and strings written as reportlab's own
Paragraph and drawString would); issuing an invoice and importing a statement take a fixed
number of queries, whatever the number of attendees or lines (bench/invoices.py and
scripts/profile-invoice-pdf.py measure the time)."""

import gc
from decimal import Decimal
from xml.etree.ElementTree import tostring  # noqa: S405 (writing only)

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from goedeburen.common import pdf_fonts
from goedeburen.payments import camt, pdf, queries, services, ubl
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.models import Invoice
from goedeburen.payments.reference import creditor_reference
from goedeburen.payments.services import invoices
from goedeburen.registration.models import Registration
from tests.factories import attendee

from .test_invoices import BUYER, PO_50


@pytest.fixture
def plain_reportlab():
    """Switch to reportlab's own TrueType fonts (nothing remembered); restore after."""

    def switch():
        for name, file in (
            (pdf_fonts.FONT, "DejaVuSans.ttf"),
            (pdf_fonts.BOLD, "DejaVuSans-Bold.ttf"),
        ):
            pdfmetrics.registerFont(TTFont(name, pdf_fonts._FOLDER / file))

    yield switch
    pdf_fonts.register_fonts.cache_clear()
    pdf_fonts.register_fonts()


def _invoices(register, ticket) -> list[Invoice]:
    long_names = register(
        attendees=[
            attendee(ticket, given_name="Zoë", family_name="Şahin-Łukasiewicz"),
            attendee(ticket, given_name="李明", family_name=""),
        ],
        organisation=BUYER,
        address="Poortdijk 12 bis, unit Ĳ-3\n3401 AB Ĳsselstein",
        po_number=PO_50,
    )
    many = register(attendees=10, organisation="Gemeente Utrecht")  # the most allowed
    english = register(attendees=1, language="en", organisation="Woonstichting Ĳsselstein")
    found = []
    for registration in (long_names, many, english):
        services.choose_provider(registration, provider=ProviderName.INVOICE)
        found.append(Invoice.objects.get(registration=registration))
    credit = services.credit_invoice(found[-1], reason="test")
    return [queries.invoice_with_lines(invoice.pk) for invoice in (*found, credit)]


def test_remembered_font_subsets_and_objects_give_the_same_pdf(register, ticket, plain_reportlab):
    invoices = _invoices(register, ticket)
    # Each rendered twice, interleaved: a remembered subset or font object is used again
    # after other invoices used it, and must come out as it did the first time.
    remembered = [pdf.render_invoice(invoice) for invoice in invoices]
    again = [pdf.render_invoice(invoice) for invoice in reversed(invoices)][::-1]

    plain_reportlab()
    plain = [pdf.render_invoice(invoice) for invoice in invoices]

    assert remembered == plain
    assert again == plain


def test_issuing_an_invoice_takes_the_same_queries_for_one_attendee_or_five(
    on_postgresql, register, ticket
):
    services.issue_invoice(register(attendees=1))  # the first of the day schedules sweeps
    # With their event as it is now (as the form's POST has it): an older version of the
    # event is read again, with its organiser, in one more query.
    one, five = (
        Registration.objects.select_related("event__organiser").get(pk=register(attendees=n).pk)
        for n in (1, 5)
    )

    with CaptureQueriesContext(connection) as for_one:
        services.issue_invoice(one)
    with CaptureQueriesContext(connection) as for_five:
        services.issue_invoice(five)

    assert len(for_one) == len(for_five)
    # The locked registration with its event, seller, payment settings and whether it or
    # the event has an invoice, and its attendees, in one round trip; the number (with
    # the invoice's key); and the invoice, its lines, the log entry and the mail task in
    # one round trip (and the savepoint of the test's transaction around them).
    writes_and_reads = [q["sql"] for q in for_one if "SAVEPOINT" not in q["sql"]]
    assert len(writes_and_reads) == 3, "\n".join(writes_and_reads)
    # (both prepared on the server: EXECUTE by name, `common.prepared`)
    assert [sql.split("(")[0] for sql in writes_and_reads[0].split(";\n")] == [
        f"EXECUTE {invoices._LOCKED._plan().name}",
        f"EXECUTE {invoices._ATTENDEES._plan().name}",
    ]
    together = writes_and_reads[-1].split(";\n")
    assert [sql.split(" (")[0] for sql in together] == [
        'INSERT INTO "payments_invoice"',
        'INSERT INTO "payments_invoiceline"',
        'INSERT INTO "common_logentry"',
        'INSERT INTO "django_tasks_database_dbtaskresult"',
    ]
    assert not any(sql.startswith('SELECT "events_event"') for sql in writes_and_reads)


def _camt(registrations, *, statement_id: str) -> bytes:
    entries = "".join(
        f"<Ntry><Amt Ccy='EUR'>125.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
        f"<BookgDt><Dt>2026-11-23</Dt></BookgDt><AcctSvcrRef>REF-{n}</AcctSvcrRef>"
        f"<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Betaler {n}</Nm></Dbtr></RltdPties>"
        f"<RmtInf><Strd><CdtrRefInf><Ref>{creditor_reference(r.code)}</Ref></CdtrRefInf>"
        f"</Strd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for n, r in enumerate(registrations)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>"
        f"<GrpHdr><MsgId>{statement_id}</MsgId></GrpHdr><Stmt><Id>{statement_id}</Id>"
        "<CreDtTm>2026-11-24T06:00:00</CreDtTm>"
        "<Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>"
        f"{entries}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def test_importing_a_statement_takes_the_same_queries_for_two_lines_or_eight(
    register, ticket, event
):
    registrations = [register(attendees=1) for _ in range(10)]
    services.import_statement(event, filename="0.xml", data=_camt([], statement_id="S0"))

    with CaptureQueriesContext(connection) as for_two:
        two = services.import_statement(
            event, filename="1.xml", data=_camt(registrations[:2], statement_id="S1")
        )
    with CaptureQueriesContext(connection) as for_eight:
        eight = services.import_statement(
            event, filename="2.xml", data=_camt(registrations[2:], statement_id="S2")
        )

    assert (two.lines_matched, eight.lines_matched) == (2, 8)
    assert len(for_two) == len(for_eight)


def test_choosing_a_transfer_reads_what_is_open_in_one_query_and_no_settings(register):
    registration = register(attendees=2)
    queries.payment_setup(registration.event)  # cached per version of the event

    with CaptureQueriesContext(connection) as choosing:
        services.choose_provider(registration, provider=ProviderName.BANK_TRANSFER)

    # Before its transaction the choice reads the tickets' total, what was paid and the
    # invoices in one written-out query (`queries.payment_overview`); the event's payment
    # settings come from the cached setup, never from their table.
    statements = [q["sql"] for q in choosing]
    first_write = next(i for i, sql in enumerate(statements) if "SAVEPOINT" in sql)
    assert len(statements[:first_write]) == 1, "\n".join(statements[:first_write])
    assert not any("payments_paymentsettings" in sql for sql in statements[:first_write])
    assert Invoice.objects.get(registration=registration).total == Decimal("250.00")


def test_e_invoices_are_the_bytes_elementtree_writes_as_utf8(register, ticket, monkeypatch):
    invoices = _invoices(register, ticket)
    ours = [ubl.render_ubl(invoice) for invoice in invoices]

    monkeypatch.setattr(
        ubl, "_serialize", lambda root: tostring(root, encoding="utf-8", xml_declaration=False)
    )

    assert ours == [ubl.render_ubl(invoice) for invoice in invoices]
    assert "Şahin-Łukasiewicz".encode() in ours[0]


def test_importing_a_statement_pauses_the_collector(event, monkeypatch):
    seen = []

    def parse(data, **options):
        seen.append(gc.isenabled())
        raise camt.CamtError("empty")

    monkeypatch.setattr(camt, "parse_statement", parse)

    with pytest.raises(services.PaymentError):
        services.import_statement(event, filename="x.xml", data=b"<x/>")

    assert seen == [False]
    assert gc.isenabled()
