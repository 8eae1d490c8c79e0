"""The payment details of the booker's pages, read once, agree with the one-by-one reads."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goedeburen.payments import queries, services
from goedeburen.payments.models import Invoice
from goedeburen.registration.models import Registration

pytestmark = pytest.mark.django_db


def _fields(invoices):
    """Every column of each invoice, and the number of the invoice a credit note credits."""
    return [
        (
            *(getattr(i, f.attname) for f in Invoice._meta.concrete_fields),
            i.credits.number if i.credits else None,
        )
        for i in invoices
    ]


def _general(registration):
    balance = queries.balance(registration)
    current = queries.current_invoice(registration)
    setup = queries.payment_setup(registration.event)
    invoices = queries.registration_invoices(registration)
    return (
        balance,
        current,
        _fields(invoices),
        services.providers_for(registration, balance=balance, current=current, setup=setup),
    )


def _overview(registration):
    found = queries.payment_overview(registration)
    providers = services.providers_for(
        registration, balance=found.balance, current=found.current, setup=found.setup
    )
    return found.balance, found.current, _fields(found.invoices), providers


def test_overview_of_a_new_registration(register):
    registration = register()

    assert _overview(registration) == _general(registration)


def test_overview_with_payments_refunds_invoices_and_a_credit_note(register):
    registration = register()
    first = services.issue_invoice(registration)
    services.reissue_invoice(first, reason="address")
    payment = services.record_manual_payment(
        registration, amount=Decimal("100.00"), note="bank", by=None
    )
    services.create_refund(payment, amount=Decimal("30.00"), reason="too much")
    services.record_manual_payment(registration, amount=Decimal("20.50"), note="cash", by=None)

    overview = _overview(registration)

    assert overview == _general(registration)
    assert overview[0].paid == Decimal("90.50")
    assert [row[-1] for row in overview[2]] == [None, first.number, None]


def test_overview_counts_the_tickets_in_its_one_query_or_the_attendees_read_already(register):
    registration = Registration.objects.select_related("event").get(pk=register(attendees=3).pk)
    queries.payment_setup(registration.event)  # cached per version of the event

    with CaptureQueriesContext(connection) as reading:
        read_alone = queries.payment_overview(registration).balance
    prefetched = Registration.objects.prefetch_related("attendees").get(pk=registration.pk)
    prefetched.attendees.all()[0].price = Decimal("0.00")  # read already, not saved yet

    assert len(reading) == 1
    assert read_alone.due == Decimal("375.00") == queries.balance(registration).due
    assert queries.payment_overview(prefetched).balance.due == Decimal("250.00")
