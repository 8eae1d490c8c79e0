"""30 registrations confirmed at once on PostgreSQL get invoice numbers with no gap and no
duplicate; without the counter's row lock (negative control) numbers are taken twice.
Bookings that pay by transfer take seats and numbers in one transaction, beside payments
of lapsed registrations that take the same two locks."""

import threading

import pytest
from django.db import connections, transaction

from goedeburen.payments import services
from goedeburen.payments.enums import PaymentState, ProviderName
from goedeburen.payments.models import Invoice, Payment
from goedeburen.registration.enums import HELD_STATUSES as HELD
from goedeburen.registration.enums import CancelReason, RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Attendee, Quota, Registration
from tests import factories, seams

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COUNT = 30


def _confirm(registration):
    services.choose_provider(registration, provider=ProviderName.INVOICE)


def _issue(registration):
    services.issue_invoice(registration)


def _all_at_once(registrations, work) -> list:
    barrier = threading.Barrier(len(registrations))
    results = [None] * len(registrations)

    def run(n):
        try:
            barrier.wait()
            results[n] = work(registrations[n]) or "ok"
        except Exception as error:  # reported by the assertions
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(registrations))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("work", [_confirm, _issue], ids=["confirm_on_invoice", "issue_invoice"])
def test_parallel_confirmations_get_gap_free_numbers(on_postgresql, register, work):
    # `_confirm` is the booker's way in; `_issue` skips the registration's own locks
    # (which already serialise changes to one event's registrations), so that only the
    # counter's lock stands between the 30 transactions.
    registrations = [register(email=f"b{n}@example.org") for n in range(COUNT)]

    results = _all_at_once(registrations, work)

    assert results == ["ok"] * COUNT
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, COUNT + 1))
    assert len(set(Invoice.objects.values_list("number", flat=True))) == COUNT


def test_without_the_counter_lock_numbers_clash(on_postgresql, register, monkeypatch):
    # Negative control: with the row lock taken away (a test seam that also widens the gap
    # between reading and writing) the same number is taken twice, which the unique
    # constraint refuses: the test above can fail.
    seams.without_invoice_counter_lock(monkeypatch.setattr)
    registrations = [register(email=f"b{n}@example.org") for n in range(COUNT)]

    results = _all_at_once(registrations, _issue)

    assert any(result != "ok" for result in results)
    assert Invoice.objects.count() < COUNT


SEATS = 20


def test_bookings_paying_by_transfer_at_once_sell_the_seats_and_number_without_gaps(
    on_postgresql, event, ticket, register
):
    """30 bookers pay by transfer at once for the last 20 seats, while 5 registrations
    that lapsed are paid (seats taken again, then an invoice: the same two locks, in the
    same order as the booking's). Every booking either gets its seats and its invoice in
    one transaction, or is refused as sold out with no number taken; nothing deadlocks."""
    lapsed = [register(email=f"lapsed{n}@example.org") for n in range(5)]
    for registration in lapsed:
        Registration.objects.filter(pk=registration.pk).update(
            status=RegistrationStatus.CANCELLED, cancel_reason=CancelReason.HOLD_EXPIRED
        )
    Quota.objects.update(taken=0, size=SEATS)  # the lapsed ones freed theirs

    def book(n):
        registration, problem = services.register_paying_offline(
            event,
            provider=ProviderName.BANK_TRANSFER,
            booker=factories.booker(email=f"b{n}@example.org"),
            attendees=[factories.attendee(ticket)],
            billing=factories.billing(),
            form_token=factories.form_token(event),
            language="nl",
        )
        assert problem == ""
        return registration

    work = [("book", n) for n in range(30)] + [("settle", r) for r in lapsed]

    def run(item):
        kind, subject = item
        if kind == "book":
            try:
                book(subject)
            except RegistrationError as refused:
                return refused.code
            return "booked"
        with transaction.atomic():  # paid in full after all, as a bank line books it
            payment = Payment.objects.create(
                registration=subject,
                provider=ProviderName.BANK_TRANSFER,
                amount=subject.total,
                state=PaymentState.PAID,
            )
            services.settle_registration(subject, payment=payment)
        return "settled"

    results = _all_at_once(work, run)

    booked = [r for r in results if r == "booked"]
    assert all(r in ("booked", "sold_out", "settled") for r in results), results
    assert results.count("settled") == 5
    sold = Quota.objects.get().taken
    seated = [*HELD, RegistrationStatus.CONFIRMED]
    assert sold == SEATS == Attendee.objects.filter(registration__status__in=seated).count()
    came_back = Registration.objects.filter(
        pk__in=[r.pk for r in lapsed], status=RegistrationStatus.CONFIRMED
    ).count()
    assert len(booked) + came_back == SEATS
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, SEATS + 1))  # one each; sold out took no number
    pending = Invoice.objects.filter(registration__status=RegistrationStatus.PENDING_PAYMENT)
    assert pending.count() == len(booked)
