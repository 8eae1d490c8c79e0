"""Money arriving at the moment something else happens to its registration, on PostgreSQL:
a Mollie payment confirmed as the payment hold runs out, a bank line booked by hand while
Mollie confirms the same registration. Seats are never sold twice, a payment is never lost
(a lapsed registration paid after all takes its seats back, or its payment is flagged
`seat_lost`), and nothing is confirmed, invoiced or refunded twice.

Each race runs ROUNDS times on fresh registrations, released together by a barrier; the
background work runs as it commits (`immediate_tasks`), then the sweep drains what is due.
"""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from goedeburen.common.audit import history
from goedeburen.payments import queries, services
from goedeburen.payments.enums import InvoiceKind, PaymentState, ProviderName
from goedeburen.payments.models import (
    BankStatement,
    BankTransaction,
    Invoice,
    Payment,
    Refund,
    Settlement,
)
from goedeburen.payments.providers.base import ProviderStatus
from goedeburen.payments.services import settlement as settling
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Quota, Registration
from tests.payments.test_mollie import start
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 6


def _paid_at_mollie(mollie, register, n: int) -> tuple[Registration, Payment]:
    registration = register(email=f"booker{n}@example.org")
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "paid")
    return registration, payment


def _webhook(payment):
    return lambda: services.sync_provider_payment(ProviderName.MOLLIE, payment.provider_reference)


def _race(*works) -> list:
    return all_at_once(len(works), lambda n: works[n]() and "ok")


def _assert_seats_exact() -> None:
    assert registration_services.recount_seats(repair=False) == []


def _applied(payment):
    """The provider's "paid" applied at once (as when the webhook's fetch was quick)."""
    paid = ProviderStatus(
        reference=payment.provider_reference, state=PaymentState.PAID, amount=payment.amount
    )
    return lambda: services.apply_status(payment, paid)


# The webhook asks Mollie first, so the sweep tends to win; applied at once, either may.
@pytest.mark.parametrize("pay", [_webhook, _applied], ids=["webhook", "applied"])
def test_a_payment_confirmed_as_its_hold_runs_out_keeps_the_seat_and_the_money(
    on_postgresql, mollie, register, immediate_tasks, pay
):
    for n in range(ROUNDS):
        registration, payment = _paid_at_mollie(mollie, register, n)
        Registration.objects.filter(pk=registration.pk).update(
            hold_until=timezone.now() - dt.timedelta(seconds=1)  # time passes
        )

        outcomes = _race(pay(payment), registration_services.release_expired_holds)

        assert all(not isinstance(o, Exception) for o in outcomes), outcomes
        services.settle_due_cancellations()  # the sweep, for a task that ran early
        registration.refresh_from_db()
        payment.refresh_from_db()
        # Paid while seats were free: confirmed, whichever came first, and nothing
        # credited or refunded for good.
        assert (registration.status, payment.state, payment.seat_lost) == (
            RegistrationStatus.CONFIRMED,
            PaymentState.PAID,
            False,
        )
        assert not Refund.objects.filter(payment=payment).exists()
        balance = queries.balance(registration)
        assert (balance.due, balance.paid) == (Decimal("125.00"), Decimal("125.00"))
        assert queries.current_invoice(registration) is not None
    assert Quota.objects.get().taken == ROUNDS
    _assert_seats_exact()


def _bank_line(event, n: int) -> BankTransaction:
    statement = BankStatement.objects.create(
        organiser=event.organiser, event=event, filename=f"s{n}.xml", file_hash=f"{n:064d}"
    )
    return BankTransaction.objects.create(
        statement=statement,
        organiser=event.organiser,
        entry_key=f"ING-{n}",
        fingerprint=f"ING-{n}",
        amount="125.00",
        booking_date="2026-11-23",
        remittance="Bijdrage",
        state="unmatched",
    )


def test_a_bank_line_booked_while_mollie_confirms_confirms_once_and_keeps_both(
    on_postgresql, event, mollie, register, immediate_tasks
):
    for n in range(ROUNDS):
        registration, payment = _paid_at_mollie(mollie, register, n)
        line = _bank_line(event, n)

        outcomes = _race(
            _webhook(payment),
            lambda r=registration, ln=line: services.assign_transaction(ln, code=r.code, by=None),
        )

        assert outcomes == ["ok", "ok"]
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.CONFIRMED
        assert history(registration).filter(action="registration.paid").count() == 1
        invoices = Invoice.objects.filter(registration=registration, kind=InvoiceKind.INVOICE)
        assert invoices.count() == 1
        paid = Payment.objects.filter(registration=registration, state=PaymentState.PAID)
        assert paid.count() == 2
        # The second payment is not lost: it shows as overpaid, for the organiser to return.
        assert queries.balance(registration).overpaid == Decimal("125.00")
    assert Quota.objects.get().taken == ROUNDS
    _assert_seats_exact()


def test_a_lapsed_registration_paid_while_its_settlement_runs_is_not_refunded(
    on_postgresql, mollie, register, monkeypatch
):
    """The hold runs out (a settlement is owed: the registration lapsed), and its payment
    comes in just after the settlement task read the registration: the payment takes the
    seats back and confirms it, so the settlement must see it confirmed, not credit the
    new invoice and refund the money of a registration that stays confirmed."""
    registration, payment = _paid_at_mollie(mollie, register, 0)
    Registration.objects.filter(pk=registration.pk).update(
        hold_until=timezone.now() - dt.timedelta(seconds=1)  # time passes
    )
    assert registration_services.release_expired_holds() == 1
    settlement = Settlement.objects.get(registration=registration, settled__isnull=True)
    read, paid = threading.Event(), threading.Event()
    lock_settlement = settling.lock_settlement

    def read_then_let_the_payment_in(pk):
        found = lock_settlement(pk)
        read.set()
        assert paid.wait(timeout=20), "the payment never came"
        return found

    monkeypatch.setattr(settling, "lock_settlement", read_then_let_the_payment_in)
    settler = threading.Thread(target=lambda: _settle(settlement.pk))
    settler.start()
    try:
        assert read.wait(timeout=20)
        services.sync_provider_payment(ProviderName.MOLLIE, payment.provider_reference)
    finally:
        paid.set()
        settler.join(timeout=30)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert Settlement.objects.get(pk=settlement.pk).settled is not None
    assert not Refund.objects.filter(payment=payment).exists()
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()
    balance = queries.balance(registration)
    assert (balance.due, balance.paid) == (Decimal("125.00"), Decimal("125.00"))
    _assert_seats_exact()


def _settle(pk):
    try:
        services.settle_cancellation(pk)
    finally:
        connections.close_all()
