"""One clear way (issue 17): the way to pay is chosen in the registration form, a review
shows attendees, total, VAT, the way to pay and the terms, and one binding click registers
and pays as chosen. A registration made without a choice still chooses on its page."""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goedeburen.common.models import LogEntry
from goedeburen.common.prepared import readable
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.models import Invoice, InvoiceCounter, Payment, PaymentSettings
from goedeburen.payments.services import register_paying_offline
from goedeburen.registration import queries, tokens
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Quota, Registration
from tests.factories import (
    QuotaFactory,
    TicketTypeFactory,
    attendee,
    billing,
    booker,
    form_token,
)
from tests.registration.helpers import form_data, manage_link, url

pytestmark = pytest.mark.django_db

START = "public:registration.start"


def _post(client, event, data, *, language="en"):
    return client.post(url(START, event.slug, language=language), data)


def _hidden(html: str) -> dict[str, list[str]]:
    """Return the review's hidden fields, as the browser sends them back."""
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        found.setdefault(name, []).append(value.replace("&#x27;", "'").replace("&amp;", "&"))
    return found


def test_the_form_offers_the_events_ways_to_pay(client, event, ticket):
    html = client.get(url(START, event.slug)).content.decode()

    assert 'name="payment-provider" value="bank_transfer"' in html
    assert 'name="payment-provider" value="invoice"' in html
    assert "How would you like to pay?" in html


def test_a_paid_ticket_without_a_way_to_pay_is_refused_and_nothing_is_saved(client, event, ticket):
    html = _post(client, event, form_data(client, event, [ticket], action="review")).content
    html = html.decode()

    assert "Please correct 1 error" in html
    assert 'href="#id_payment-provider"' in html
    assert Registration.objects.count() == 0


def test_a_free_ticket_asks_no_way_to_pay(client, event):
    free = TicketTypeFactory(event=event, price=Decimal("0.00"))
    QuotaFactory(event=event, size=5, ticket_types=[free])
    data = form_data(client, event, [free], action="review")

    html = _post(client, event, data).content.decode()

    assert "Check your registration" in html
    assert "How you pay" not in html
    assert Registration.objects.count() == 0


def test_the_review_shows_attendees_total_vat_way_to_pay_and_terms(client, event, ticket):
    low = TicketTypeFactory(
        event=event, name_en="Lunch only", price=Decimal("10.90"), vat_rate=Decimal("9.00")
    )
    QuotaFactory(event=event, size=10, ticket_types=[low])
    data = form_data(
        client, event, [ticket, low], action="review", **{"payment-provider": "bank_transfer"}
    )

    response = _post(client, event, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Check your registration" in html
    assert "Ada0 de Vries: Participation, € 125,00" in html
    assert "Ada1 de Vries: Lunch only, € 10,90" in html
    assert "€ 135,90 incl. VAT" in html
    assert "VAT 9%</dt><dd>€ 0,90" in html
    assert "VAT 21%</dt><dd>€ 21,70" in html
    assert "By bank transfer" in html
    assert "Pay within 30 days, or your place lapses." in html
    assert "privacy statement" in html
    assert Registration.objects.count() == 0
    # Back from the confirmation shows this page again (its binding button then sends the
    # same form token): kept by this browser, but never in a shared cache.
    assert "no-store" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_back_to_the_form_keeps_everything_typed(client, event, ticket):
    data = form_data(client, event, [ticket], action="review", **{"payment-provider": "invoice"})
    review = _post(client, event, data).content.decode()

    edit = _post(client, event, {**_hidden(review), "action": "edit"}).content.decode()

    assert "Check your registration" not in edit
    assert 'value="Bea Boeker"' in edit
    assert 'value="Ada0"' in edit
    assert re.search(r'value="invoice"[^>]*checked', edit)
    assert Registration.objects.count() == 0


def test_the_review_in_the_other_language_keeps_everything(client, event, ticket):
    data = form_data(client, event, [ticket], action="review", **{"payment-provider": "invoice"})
    review = _post(client, event, data).content.decode()

    again = _post(client, event, {**_hidden(review), "action": "review"}, language="nl")

    html = again.content.decode()
    assert "Controleer uw aanmelding" in html
    assert "Ada0 de Vries" in html
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("provider", "status", "invoices"),
    [
        (ProviderName.INVOICE, RegistrationStatus.CONFIRMED, 1),
        (ProviderName.BANK_TRANSFER, RegistrationStatus.PENDING_PAYMENT, 1),
    ],
)
def test_the_binding_click_registers_and_pays_as_chosen(
    client, event, ticket, provider, status, invoices
):
    data = form_data(client, event, [ticket], action="review", **{"payment-provider": provider})
    review = _post(client, event, data).content.decode()

    done = _post(client, event, {**_hidden(review), "action": "register"})

    registration = Registration.objects.get()
    assert done.status_code == 302
    assert done["Location"] == url("public:registration.done", event.slug, registration.code)
    assert registration.status == status
    assert Invoice.objects.filter(registration=registration).count() == invoices
    page = client.get(done["Location"]).content.decode()
    assert manage_link(page)
    if provider == ProviderName.BANK_TRANSFER:
        assert "NL91ABNA0417164300" in page  # the transfer details, no choice left to make
        assert 'value="bank_transfer"' not in page


def test_online_payment_chosen_in_the_form_goes_to_the_checkout(client, event, ticket, mollie):
    data = form_data(client, event, [ticket], **{"payment-provider": "mollie"})

    response = _post(client, event, data)

    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"https://checkout.example/{payment.provider_reference}"
    registration = Registration.objects.get()
    # Back from Mollie on the personal page; the confirmation page works in this browser too.
    sent = mollie.payments[payment.provider_reference]
    assert sent["redirectUrl"].startswith("http://testserver/en/")
    assert f"/register/manage/{registration.code}/" in sent["redirectUrl"]
    done = client.get(url("public:registration.done", event.slug, registration.code))
    assert done.status_code == 200


def test_a_double_click_registers_and_pays_once(client, event, ticket):
    data = form_data(client, event, [ticket], **{"payment-provider": "bank_transfer"})

    first = _post(client, event, data)
    second = _post(client, event, data)

    assert Registration.objects.count() == 1
    assert Invoice.objects.count() == 1
    assert second["Location"].startswith(first["Location"])


def test_a_failed_choice_leaves_the_registration_to_choose_on_its_page(
    client, event, ticket, mollie
):
    mollie.fail_next = True  # Mollie cannot be reached at the binding click
    data = form_data(client, event, [ticket], **{"payment-provider": "mollie"})

    response = _post(client, event, data)

    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.PENDING_PAYMENT
    assert response["Location"] == url("public:registration.done", event.slug, registration.code)
    page = client.get(response["Location"]).content.decode()
    assert "utrecht-alert--error" in page  # why: the refusal, as a message
    assert 'value="bank_transfer"' in page  # still to choose, here or on the personal page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", ("Betaal vóór", "Anders vervalt uw plaats.")),
        ("en", ("before", "Otherwise your place lapses.")),
    ],
)
def test_the_hold_end_is_named_in_the_events_time_zone_with_its_consequence(
    client, event, ticket, mollie, language, words
):
    mollie.fail_next = True  # no payment started: the hold of the form is what is left
    data = form_data(client, event, [ticket], **{"payment-provider": "mollie"})

    response = _post(client, event, data, language=language)

    registration = Registration.objects.get()
    page = client.get(response["Location"]).content.decode()
    amsterdam = timezone.localtime(registration.hold_until, ZoneInfo("Europe/Amsterdam"))
    utc = timezone.localtime(registration.hold_until, dt.UTC)
    [status] = re.findall(
        r"One more step: payment.</strong> (.*?)\n|Nog één stap: betalen.</strong> (.*?)\n", page
    )
    status = "".join(status)
    assert status.startswith(words[0]) or f" {words[0]} " in status
    assert status.endswith(words[1])
    assert f", {amsterdam:%H:%M}" in status
    assert f", {utc:%H:%M}" not in status  # Amsterdam is never at UTC


def test_many_seats_from_one_address_count_only_without_online_payment(
    client, event, ticket, mollie, settings
):
    # Past the limit a booking awaits approval (`registration.services.abuse`); paying
    # online in the form does not count towards it, an invoice does.
    settings.REGISTRATION_REVIEW_SEATS_PER_HOUR = 2

    def book(provider, email):
        data = form_data(
            client,
            event,
            [ticket, ticket],
            **{"payment-provider": provider, "booker-email": email},
        )
        _post(client, event, data)
        return Registration.objects.get(email=email)

    online = [book("mollie", f"online{n}@example.org") for n in range(2)]
    on_invoice = [book("invoice", f"invoice{n}@example.org") for n in range(2)]

    assert [r.review_reason for r in online] == ["", ""]
    assert [r.status for r in on_invoice] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.AWAITING_APPROVAL,
    ]
    assert on_invoice[1].review_reason == "many_seats"


@pytest.mark.parametrize(("address", "allowed"), [("203.0.113.7", False), ("198.51.100.1", True)])
def test_switching_from_online_to_invoice_on_ones_page_counts_the_seats_too(
    client, event, ticket, mollie, settings, address, allowed
):
    # Choosing online in the form counts nothing; switching to an invoice on the personal
    # page books the same seats without money moving, so past the hour's limit from that
    # address only paying online is accepted (from another address: the invoice as usual).
    settings.REGISTRATION_REVIEW_SEATS_PER_HOUR = 3
    booked = {"REMOTE_ADDR": "203.0.113.7"}

    def book(provider, email):
        data = form_data(
            client, event, [ticket, ticket], **{"payment-provider": provider, "booker-email": email}
        )
        client.post(url(START, event.slug), data, **booked)  # online: off to Mollie
        return tokens.manage_token_for_form(data["form_token"])

    token = book("mollie", "online@example.org")
    book("invoice", "invoice@example.org")  # 2 seats counted for 203.0.113.7
    registration = Registration.objects.get(email="online@example.org")
    pay = url("public:registration.pay", event.slug, registration.code, token)

    response = client.post(pay, {"provider": "invoice"}, REMOTE_ADDR=address, follow=True)

    registration.refresh_from_db()
    if allowed:
        assert registration.status == RegistrationStatus.CONFIRMED
    else:
        assert registration.status == RegistrationStatus.PENDING_PAYMENT
        assert "without paying online" in response.content.decode()
        assert not Invoice.objects.filter(registration=registration).exists()


def test_a_transfer_is_chosen_in_the_bookings_one_transaction_after_the_seats(
    client, event, ticket
):
    """Booking and invoice commit together: the seats held for the payment term from the
    start, the invoice counter taken after the seat counter (the order of every other use
    case that takes both), nothing after the booking's transaction."""
    other = Client()  # the first invoice of the year starts the organiser's series
    _post(other, event, form_data(other, event, [ticket], **{"payment-provider": "invoice"}))
    data = form_data(client, event, [ticket], **{"payment-provider": "bank_transfer"})

    with CaptureQueriesContext(connection) as captured:
        response = _post(client, event, data)

    assert response.status_code == 302
    statements = [readable(q["sql"]) for q in captured.captured_queries]
    first_write = next(i for i, sql in enumerate(statements) if sql.startswith("SAVEPOINT"))
    outer = statements[first_write].split()[1]
    assert statements[-1] == f"RELEASE SAVEPOINT {outer}"  # one transaction, to the end
    # The booking's (here inside the test's transaction), one for all receivers of the new
    # registration, the invoice's: each failure that may roll back alone, and no other.
    assert sum(s.startswith("SAVEPOINT") for s in statements) == 3
    seats = next(i for i, s in enumerate(statements) if s.startswith('UPDATE "registration_quota"'))
    number = next(i for i, s in enumerate(statements) if "payments_invoicecounter" in s)
    assert seats < number
    assert any(s.startswith('INSERT INTO "payments_invoice"') for s in statements[number:])
    registration = Registration.objects.get(status=RegistrationStatus.PENDING_PAYMENT)
    term = PaymentSettings.objects.get(event=event).payment_term
    assert abs(registration.hold_until - (registration.created + term)) < dt.timedelta(seconds=1)
    assert Invoice.objects.filter(registration=registration).count() == 1
    actions = list(
        LogEntry.objects.filter(object_id=str(registration.pk)).values_list("action", flat=True)
    )
    assert "registration.hold_extended" not in actions  # held for the term from the start


def test_a_transfer_that_cannot_be_set_up_leaves_the_registration_with_the_usual_hold(
    event, ticket
):
    """The choice rolls back alone (here the organiser switched transfers off after the
    form was read): registered, no invoice, the seats held for the event's payment hold."""
    PaymentSettings.objects.filter(event=event).update(bank_transfer_enabled=False)
    event.refresh_from_db()  # the payment settings moved the event's version on

    registration, problem = register_paying_offline(
        event,
        provider=ProviderName.BANK_TRANSFER,
        booker=booker(),
        attendees=[attendee(ticket)],
        billing=billing(),
        form_token=form_token(event),
        language="en",
    )

    registration.refresh_from_db()
    assert problem
    assert registration.status == RegistrationStatus.PENDING_PAYMENT
    hold = queries.registration_settings(event).payment_hold
    assert abs(registration.hold_until - (registration.created + hold)) < dt.timedelta(seconds=1)
    assert not Invoice.objects.exists()
    assert LogEntry.objects.filter(action="registration.hold_shortened").count() == 1
    assert Quota.objects.get().taken == 1


def test_sold_out_a_transfer_takes_no_invoice_number(client, event, ticket):
    Quota.objects.update(size=0)
    data = form_data(client, event, [ticket], **{"payment-provider": "bank_transfer"})

    response = _post(client, event, data)

    assert response.status_code == 200
    assert not Registration.objects.exists()
    assert not Invoice.objects.exists()
    assert not InvoiceCounter.objects.filter(last_number__gt=0).exists()
