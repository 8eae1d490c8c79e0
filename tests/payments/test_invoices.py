"""Invoices: the mandatory fields in the PDF, correct VAT, the buyer's language, never
changed once issued, credit notes in the same series."""

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pdfplumber
import pytest
from django.utils import timezone
from pypdf import PdfReader

from goedeburen.common import pdf_fonts
from goedeburen.payments import queries, services
from goedeburen.payments.enums import InvoiceKind, ProviderName
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import ImmutableError, Invoice, InvoiceLine, OrganiserBilling
from goedeburen.payments.pdf import render_invoice, vat_per_rate
from goedeburen.payments.ubl import render_ubl
from goedeburen.payments.vat import Item, breakdown
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from tests.factories import QuotaFactory, TicketTypeFactory, attendee
from tests.pdf_glyphs import DEVANAGARI_DRAWN, drawn_glyphs, embedded_fonts


def pdf_text(invoice: Invoice) -> str:
    """Return the PDF's text line by line, as a reader sees it (a label beside its value)."""
    data = render_invoice(queries.invoice_with_lines(invoice.pk))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() for page in pdf.pages)


def change_billing(registration, **values):
    registration_services.update_registration(
        registration,
        booker=registration_services.Booker(
            name=registration.booker_name, email=registration.email
        ),
        attendees={},
        billing=registration_services.Billing(**values),
    )


def on_invoice(register, **kwargs) -> Invoice:
    registration = register(**kwargs)
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    return Invoice.objects.get(registration=registration)


def test_invoice_afterwards_confirms_at_once_with_invoice_due_after_the_term(register):
    invoice = on_invoice(register)

    invoice.registration.refresh_from_db()
    assert invoice.registration.status == RegistrationStatus.CONFIRMED
    assert invoice.due_date == invoice.issue_date + dt.timedelta(days=30)
    assert invoice.number == f"{invoice.issue_date.year}-0001"


def test_vat_of_125_euros_at_21_percent(register):
    invoice = on_invoice(register)

    # VAT is computed once on the rate's net total: 103.31 × 21 % = 21.6951 → €21.70.
    # Net + VAT is €125.01; the rounding of -€0.01 keeps the amount due at the price.
    line = invoice.lines.get()
    assert (line.amount_excl, line.vat_amount, line.amount_incl) == (
        Decimal("103.31"),
        Decimal("21.70"),
        Decimal("125.01"),
    )
    assert (invoice.total_excl, invoice.total_vat, invoice.rounding, invoice.total) == (
        Decimal("103.31"),
        Decimal("21.70"),
        Decimal("-0.01"),
        Decimal("125.00"),
    )


def test_english_pdf_holds_every_mandatory_field(register):
    invoice = on_invoice(register, language="en")
    year = invoice.issue_date.year

    text = pdf_text(invoice)

    for expected in [
        "Invoice",
        "Stichting Goede Buren",  # seller's legal name
        "Beneluxlaan 9",
        "3527 HT Utrecht",  # seller's address
        "KvK number: 12345678",
        "VAT number: NL001000007B01",
        "Woonstichting De Linde",  # buyer's name
        "Lindelaan 1",  # buyer's address
        f"Invoice number: {year}-0001",
        f"Invoice date: {invoice.issue_date.day} ",
        "Date of supply: 5 March 2027",  # the event's date
        "Purchase order number: PO-4711",
        "Your reference: Afd. Wonen",
        # A line per attendee, naming the event and its date.
        f"Participation {invoice.event.name_en or invoice.event.name_nl}, 5 March 2027 – Ada "
        "de Vries",
        "€103.31",  # excl. VAT
        "21%",  # the rate
        "VAT 21% on €103.31 €21.70",  # VAT per rate, computed on the rate's total
        "Total incl. VAT €125.01",
        "Rounding -€0.01",
        "Amount due €125.00",
        "NL91ABNA0417164300",
        invoice.payment_reference,
    ]:
        assert expected in text, expected


def test_dutch_pdf_has_dutch_names_dates_and_amounts(register):
    # The labels' Dutch comes from the translation catalogue; the ticket's name, the dates
    # and the amounts show the invoice is rendered in the buyer's language.
    invoice = on_invoice(register, language="nl")

    text = pdf_text(invoice)

    for expected in [
        f"Deelname {invoice.event.name_nl}, 5 maart 2027 – Ada de Vries",
        "€ 103,31",
        "€ 21,70",
        "€ 125,00",
        "5 maart 2027",
    ]:
        assert expected in text, expected
    assert "€103.31" not in text


def test_vat_exemption_is_printed_instead_of_a_rate(register, ticket):
    ticket.vat_rate = Decimal("0")
    ticket.vat_exemption = "Vrijgesteld op grond van art. 11 lid 1 sub o Wet OB"
    ticket.save()
    invoice = on_invoice(register)

    text = pdf_text(invoice)

    assert invoice.total_vat == Decimal("0.00")
    assert "Vrijgesteld op grond van art. 11 lid 1 sub o Wet OB" in text


def test_one_line_per_attendee(register):
    invoice = on_invoice(register, attendees=3)

    assert invoice.lines.count() == 3
    assert invoice.total == Decimal("375.00")
    # 375 / 1.21 = €309.92 net; 309.92 × 21 % = €65.08; net + VAT is the price exactly.
    assert (invoice.total_excl, invoice.total_vat, invoice.rounding) == (
        Decimal("309.92"),
        Decimal("65.08"),
        Decimal("0.00"),
    )
    assert sum(line.amount_excl for line in invoice.lines.all()) == Decimal("309.92")


def test_a_free_place_beside_paid_ones_is_not_on_the_invoice_nor_its_credit_note(
    register, event, ticket
):
    """The invoice goes to whoever pays (an employer's accounts): a colleague's free place,
    such as a resident's on approval, is nothing to pay and names no one there."""
    free = TicketTypeFactory(event=event, name_nl="Bewoner", price=Decimal("0.00"))
    QuotaFactory(event=event, size=5, ticket_types=[free])
    invoice = on_invoice(
        register,
        attendees=[
            attendee(ticket, given_name="Petra", family_name="Betaald"),
            attendee(free, given_name="Bram", family_name="Bewoner"),
        ],
        organisation="Woonstichting Voorbeeld",
    )
    credit = services.credit_invoice(invoice, reason="wrong PO")

    for document in (invoice, credit):
        [line] = document.lines.all()
        assert "Petra Betaald" in line.description
        text = pdf_text(document)
        ubl = render_ubl(queries.invoice_with_lines(document.pk)).decode()
        assert "Petra Betaald" in text and "Petra Betaald" in ubl
        for shown in (text, ubl):
            assert "Bram" not in shown and "Bewoner" not in shown
    assert (invoice.total, credit.total) == (Decimal("125.00"), Decimal("-125.00"))


def test_an_invoice_of_free_places_only_still_has_its_lines(register, event):
    free = TicketTypeFactory(event=event, name_nl="Spreker", price=Decimal("0.00"))
    QuotaFactory(event=event, size=5, ticket_types=[free])
    registration = register(attendees=[attendee(free), attendee(free)])

    invoice = services.issue_invoice(registration)

    assert invoice.lines.count() == 2 and invoice.total == Decimal("0.00")


def test_issued_invoice_is_never_changed_or_deleted(register):
    invoice = on_invoice(register)
    line = invoice.lines.get()

    invoice.buyer_name = "Someone else"
    with pytest.raises(ImmutableError):
        invoice.save()
    with pytest.raises(ImmutableError):
        invoice.delete()
    with pytest.raises(ImmutableError):
        Invoice.objects.filter(pk=invoice.pk).update(po_number="other")
    with pytest.raises(ImmutableError):
        Invoice.objects.filter(pk=invoice.pk).delete()
    with pytest.raises(ImmutableError):
        InvoiceLine.objects.filter(pk=line.pk).update(amount_incl=0)
    with pytest.raises(ImmutableError):
        line.delete()

    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.buyer_name == "Woonstichting De Linde"


def test_changed_billing_details_leave_the_issued_invoice_alone(register):
    invoice = on_invoice(register)
    registration = invoice.registration

    change_billing(
        registration,
        organisation="Gemeente Utrecht",
        address="Postbus 1\n3500 AA Utrecht",
        po_number="PO-9",
    )

    invoice = Invoice.objects.get(pk=invoice.pk)
    assert (invoice.buyer_name, invoice.po_number) == ("Woonstichting De Linde", "PO-4711")


def test_cancelling_an_invoiced_registration_credits_the_invoice_to_zero(
    register, immediate_tasks, django_capture_on_commit_callbacks
):
    invoice = on_invoice(register)

    with django_capture_on_commit_callbacks(execute=True):  # the settling task
        registration_services.cancel_registration(invoice.registration, by=None, reason="booker")

    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert credit.credits == invoice
    assert credit.number == f"{invoice.year}-0002"  # the same series
    assert credit.total == -invoice.total
    assert credit.total_vat == -invoice.total_vat
    assert invoice.total + credit.total == Decimal("0.00")
    assert sum(line.amount_incl for line in credit.lines.all()) + credit.rounding == Decimal(
        "-125.00"
    )
    assert queries.balance(invoice.registration).open == Decimal("0.00")


def test_credit_note_pdf_names_the_invoice_it_cancels(register):
    invoice = on_invoice(register, language="en")
    credit = services.credit_invoice(invoice, reason="wrong PO")

    text = pdf_text(credit)

    assert "Credit note" in text
    date = f"{invoice.issue_date.day} {invoice.issue_date:%B %Y}"
    assert f"This credit note cancels invoice {invoice.number} of {date}." in text
    assert "-€125.00" in text
    assert "-€21.70" in text


def test_wrong_po_number_credit_in_full_and_new_invoice(register):
    invoice = on_invoice(register)
    registration = invoice.registration
    change_billing(
        registration,
        organisation="Woonstichting De Linde",
        address="Lindelaan 1\n3511 AA Utrecht",
        po_number="PO-9",
    )

    credit, fresh = services.reissue_invoice(invoice, reason="wrong PO number")

    assert [i.number for i in queries.registration_invoices(registration)] == [
        invoice.number,
        credit.number,
        fresh.number,
    ]
    assert fresh.po_number == "PO-9"
    assert queries.current_invoice(registration) == fresh
    assert queries.balance(registration).due == Decimal("125.00")


def test_an_invoice_is_credited_only_once(register, english):
    invoice = on_invoice(register)
    services.credit_invoice(invoice)

    with pytest.raises(PaymentError) as refused:
        services.credit_invoice(invoice)

    assert refused.value.code == "already_credited"
    assert Invoice.objects.count() == 2


def test_no_invoice_without_the_organisers_legal_details(register, event, english):
    event.organiser.billing.delete()
    registration = register()

    with pytest.raises(PaymentError) as refused:
        services.issue_invoice(registration)

    assert refused.value.code == "no_billing_data"
    assert not Invoice.objects.exists()


def test_numbers_restart_per_year_and_per_organiser(register):
    registration = register()
    first = services.issue_invoice(registration, today=dt.date(2026, 12, 31))
    services.credit_invoice(first)
    second = services.issue_invoice(registration, today=dt.date(2027, 1, 1))

    assert first.number == "2026-0001"
    assert second.number == "2027-0001"


BUYER = "Woonstichting Ĳsselstein – Zoë Şahin-Łukasiewicz"
PO_50 = "PO-2027/ĲSSELSTEIN/WONEN-EN-ZORG/00000000000000042"


def _words(data: bytes):
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(page.width, page.height, page.extract_words()) for page in pdf.pages]


def _overlaps(words) -> list[tuple[str, str]]:
    found = []
    for n, a in enumerate(words):
        for b in words[n + 1 :]:
            # Boxes that share more than a sliver (glyph edges may touch).
            if (
                min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 0.5
                and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5
            ):
                found.append((a["text"], b["text"]))
    return found


def test_invoice_for_every_name_prints_every_character_without_overlap(register, ticket):
    assert len(PO_50) == 50
    long_address = (
        "Afdeling Vastgoed en Maatschappelijk Vastgoedbeheer, t.a.v. mevrouw Z. Şahin\n"
        "Poortdijk 12 bis, unit Ĳ-3, achteringang naast de fietsenstalling van de bibliotheek\n"
        "3401 AB Ĳsselstein"
    )
    registration = register(
        attendees=[
            attendee(ticket, given_name="Zoë", family_name="Şahin-Łukasiewicz"),
            attendee(ticket, given_name="李明", family_name=""),
            attendee(
                ticket, given_name="Annemiek", family_name="de Vries-van Ĳzendoorn-Oosterhuis"
            ),
        ],
        organisation=BUYER,
        address=long_address,
        po_number=PO_50,
        reference="Projectnummer ĲS-2027-0042 / kostenplaats 8800 / budgethouder mevr. Łukasiewicz",
        language="nl",
    )
    invoice = on_invoice_for(registration)
    data = render_invoice(queries.invoice_with_lines(invoice.pk))

    # In the order the text is drawn (the buyer's column before the facts beside it).
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        fonts = {char["fontname"].split("+")[-1] for page in pdf.pages for char in page.chars}
    flat = "".join(text.split())
    for expected in [BUYER, PO_50, "李明", "Şahin-Łukasiewicz", "3401 AB Ĳsselstein"]:
        assert "".join(expected.split()) in flat, expected
    assert "■" not in text
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold", "STSongStd-Light"}  # no Helvetica
    for width, height, words in _words(data):
        assert _overlaps(words) == []
        for word in words:  # nothing runs off the page
            assert word["x0"] >= 0 and word["x1"] <= width, word["text"]
            assert word["top"] >= 0 and word["bottom"] <= height, word["text"]


def test_an_invoice_prints_arabic_names_joined_and_from_the_right(register, ticket):
    registration = register(
        attendees=[attendee(ticket, given_name="محمد", family_name="العلي")],
        organisation="جمعية الجيران الطيبين",  # "Good neighbours association"
        address="Beneluxlaan 9\n3527 HT Utrecht",
        language="nl",
    )
    invoice = on_invoice_for(registration)

    text = pdf_text(invoice)

    # As drawn: each letter in its joined form, the words from the right (written out).
    assert "ﻦﻴﺒﻴﻄﻟﺍ ﻥﺍﺮﻴﺠﻟﺍ ﺔﻴﻌﻤﺟ" in text
    assert "ﻲﻠﻌﻟﺍ ﺪﻤﺤﻣ" in text
    assert "جمعية" not in text  # never the loose letters in typed order


def test_vat_lines_add_up_and_the_total_is_the_sum_of_its_parts(register):
    invoice = on_invoice(register, attendees=2)

    text = pdf_text(invoice)

    # 2 × € 125,00 = € 250,00: net €206.61, VAT 206.61 × 21 % = 43.3881 → €43.39, exactly €250.00.
    assert "btw 21% over € 206,61 € 43,39" in text.replace("Btw", "btw")
    assert (invoice.total_excl + invoice.total_vat + invoice.rounding) == invoice.total
    assert invoice.total == Decimal("250.00")
    for rate, excl, vat, _exempt in vat_per_rate(queries.invoice_with_lines(invoice.pk)):
        assert (excl * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == vat


@pytest.mark.parametrize("prices", [["125.00"], ["125.00", "95.00", "0.00"], ["19.99"] * 7])
def test_vat_per_rate_is_exact_for_any_prices(prices):
    items = [Item(gross=Decimal(p), rate=Decimal("21")) for p in prices]
    items.append(Item(gross=Decimal("50.00"), rate=Decimal("9")))

    found = breakdown(items)

    assert sum(found.nets) == found.taxable
    assert sum(found.vats) == found.vat
    assert found.due == sum(item.gross for item in items)
    assert abs(found.rounding) <= Decimal("0.01")
    for rate in found.rates:
        exact = (rate.taxable * rate.rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert exact == rate.vat


def test_the_pdf_carries_its_title_and_the_moment_it_was_issued(register):
    invoice = on_invoice(register, language="en")

    data = render_invoice(queries.invoice_with_lines(invoice.pk))

    info = PdfReader(io.BytesIO(data)).metadata
    assert info.title == f"Invoice {invoice.number}"
    assert info.author == "Stichting Goede Buren"
    issued = timezone.localtime(invoice.created)
    assert info["/CreationDate"].startswith(issued.strftime("D:%Y%m%d%H%M"))
    assert data == render_invoice(queries.invoice_with_lines(invoice.pk))  # always the same


def on_invoice_for(registration) -> Invoice:
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    return Invoice.objects.get(registration=registration)


def test_an_invoice_names_the_seller_as_last_entered_though_the_setup_was_cached(register, event):
    services.issue_invoice(register())  # reads the payment setup of this version
    billing = OrganiserBilling.objects.get(organiser=event.organiser)
    billing.legal_name = "Stichting Goede Buren Utrecht"
    billing.iban = "NL02ABNA0123456789"
    billing.save()

    for registration in (register(), Registration.objects.get(pk=register().pk)):
        invoice = services.issue_invoice(registration)

        assert (invoice.seller_name, invoice.seller_iban) == (
            "Stichting Goede Buren Utrecht",
            "NL02ABNA0123456789",
        )


def test_a_credited_invoice_is_issued_anew_and_a_current_one_is_returned(register):
    registration = register()
    first = services.issue_invoice(registration)
    assert services.issue_invoice(registration) == first

    services.credit_invoice(first, reason="test")
    again = services.issue_invoice(registration)

    assert again != first
    assert queries.current_invoice(registration) == again


def test_sixty_lines_run_over_pages_with_the_header_on_each_and_nothing_overlapping(register):
    invoice = on_invoice(register, attendees=10, po_number=PO_50)
    first = invoice.lines.first()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            # Every seventh a long description over several lines.
            description=f"Regel {n} " + "Ĳsselstein lang " * (n % 7) * 2,
            amount_excl=first.amount_excl,
            vat_rate=first.vat_rate,
            vat_amount=first.vat_amount,
            amount_incl=first.amount_incl,
            order=100 + n,
        )
        for n in range(50)
    )

    data = render_invoice(queries.invoice_with_lines(invoice.pk))

    pages = _words(data)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = [page.extract_text() for page in pdf.pages]
    assert len(pages) >= 3
    for number, (text, (width, height, words)) in enumerate(zip(texts, pages, strict=True), 1):
        lines = text.splitlines()
        assert "Beschrijving Btw-tarief Excl. btw" in lines, number  # the header
        assert lines[-1] == f"Factuur {invoice.number} – {number}"
        assert _overlaps(words) == []
        for word in words:
            assert word["x0"] >= 0 and word["x1"] <= width, word["text"]
            assert word["top"] >= 0 and word["bottom"] <= height, word["text"]
    printed = [word["text"] for _width, _height, words in pages for word in words]
    assert [word for word in printed if word.startswith("Regel")] == ["Regel"] * 50
    assert printed.count("Ĳsselstein") == sum(n % 7 * 2 for n in range(50))
    assert "Te betalen € 1.250,00" in texts[-1]


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Your VAT number"), ("nl", "Uw btw-nummer")]
)
def test_the_buyers_vat_number_is_printed_on_the_invoice_and_its_credit_note(
    register, language, label
):
    invoice = on_invoice(register, language=language, vat_number="BE0316597904")
    credit = services.credit_invoice(invoice, reason="wrong PO")

    for document in (invoice, credit):
        assert f"{label}: BE0316597904" in pdf_text(document)


def test_without_a_vat_number_the_pdf_names_none_for_the_buyer(register):
    text = pdf_text(on_invoice(register, language="en"))

    assert "Your VAT number" not in text
    assert "VAT number: NL001000007B01" in text  # the seller's, always


def test_the_vat_number_is_copied_at_issue_and_a_later_change_only_reaches_a_new_invoice(
    register,
):
    invoice = on_invoice(register, vat_number="NL004495445B01")
    registration = invoice.registration

    change_billing(
        registration,
        organisation="Woonstichting De Linde",
        address="Lindelaan 1\n3511 AA Utrecht",
        vat_number="BE0316597904",
    )
    credit, fresh = services.reissue_invoice(invoice, reason="other VAT number")

    assert Registration.objects.get(pk=registration.pk).billing_vat_number == "BE0316597904"
    assert Invoice.objects.get(pk=invoice.pk).buyer_vat_number == "NL004495445B01"
    assert credit.buyer_vat_number == "NL004495445B01"  # it repeats the invoice it cancels
    assert fresh.buyer_vat_number == "BE0316597904"
    with pytest.raises(ImmutableError):
        Invoice.objects.filter(pk=invoice.pk).update(buyer_vat_number="BE0316597904")


def test_an_invoice_prints_thai_and_devanagari_names_in_their_embedded_fonts(register, ticket):
    registration = register(
        attendees=[
            attendee(ticket, given_name="สมชาย", family_name="ใจดี"),
            attendee(ticket, given_name="प्रिया", family_name="शर्मा"),  # DEVANAGARI_NAME
        ],
        organisation="Stichting Goede Buren",
        address="Beneluxlaan 9\n3527 HT Utrecht",
        language="nl",
    )
    invoice = on_invoice_for(registration)

    data = render_invoice(queries.invoice_with_lines(invoice.pk))

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
        chars = [char for page in pdf.pages for char in page.chars]
    assert "สมชาย ใจดี" in text  # no mark moved: read back as typed
    # Glyph by glyph as Noto Sans Devanagari shapes it: no .notdef, nothing blank.
    assert drawn_glyphs(chars, pdf_fonts.DEVANAGARI) == DEVANAGARI_DRAWN
    assert {"NotoSansThai-Regular", "NotoSansDevanagari-Regular"} <= embedded_fonts(data)
    for width, _height, words in _words(data):
        assert _overlaps(words) == []
        assert all(word["x1"] <= width for word in words)
