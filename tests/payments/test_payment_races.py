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
import time
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
from goedeburen.payments.services import payments as paying
from goedeburen.payments.services import settlement as settling
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Quota, Registration
from tests import seams
from tests.factories import RegistrationSettingsFactory
from tests.payments.test_mollie import start
from tests.payments.test_settlement import assert_only_the_attendees_part_settled
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


def _lapsed_and_paid_at_mollie(mollie, register) -> tuple[Registration, Payment, Settlement]:
    """A registration paid at Mollie whose hold ran out before the webhook came: it lapsed,
    and a settlement is owed."""
    registration, payment = _paid_at_mollie(mollie, register, 0)
    Registration.objects.filter(pk=registration.pk).update(
        hold_until=timezone.now() - dt.timedelta(seconds=1)  # time passes
    )
    assert registration_services.release_expired_holds() == 1
    return registration, payment, Settlement.objects.get(registration=registration)


def _confirmed_with_its_money(registration, payment) -> None:
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert not Refund.objects.filter(payment=payment).exists()
    balance = queries.balance(registration)
    assert (balance.due, balance.paid) == (Decimal("125.00"), Decimal("125.00"))
    _assert_seats_exact()


def test_a_lapsed_registration_paid_as_its_settlement_starts_is_not_refunded(
    on_postgresql, mollie, register, monkeypatch
):
    """The payment comes in after the settlement task started, before it locked the
    registration: the payment takes the seats back and confirms it, so the settlement finds
    it confirmed and neither credits its invoice nor refunds its money."""
    registration, payment, settlement = _lapsed_and_paid_at_mollie(mollie, register)
    started, paid = threading.Event(), threading.Event()
    lock_registration_of = settling.lock_registration_of

    def let_the_payment_in_first(pk):
        started.set()
        assert paid.wait(timeout=20), "the payment never came"
        return lock_registration_of(pk)

    monkeypatch.setattr(settling, "lock_registration_of", let_the_payment_in_first)
    settler = threading.Thread(target=lambda: _settle(settlement.pk))
    settler.start()
    try:
        assert started.wait(timeout=20)
        services.sync_provider_payment(ProviderName.MOLLIE, payment.provider_reference)
    finally:
        paid.set()
        settler.join(timeout=30)

    assert Settlement.objects.get(pk=settlement.pk).settled is not None
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()
    _confirmed_with_its_money(registration, payment)


def _outcome(outcomes: dict, name: str, work) -> None:
    """Run `work` in this thread; record what it returned or raised under `name`."""
    try:
        outcomes[name] = work()
    except Exception as error:  # reported by the test's assertions
        outcomes[name] = error
    finally:
        connections.close_all()


def _beside_a_settler_holding_its_locks(monkeypatch, settlement, other) -> dict:
    """Settle `settlement` in one thread and, once it holds its locks (the registration's,
    then the settlement's), run `other` in another; let the settler go on when `other`
    waits for a lock or has finished. Return the outcomes ("settle", "other") and whether
    `other` was waiting ("waited")."""
    locked, go = threading.Event(), threading.Event()
    lock_settlement = settling.lock_settlement

    def hold_the_locks(pk):
        found = lock_settlement(pk)
        locked.set()
        assert go.wait(timeout=20), "never let go"
        return found

    monkeypatch.setattr(settling, "lock_settlement", hold_the_locks)
    outcomes = {}
    settler = threading.Thread(
        target=_outcome,
        args=(outcomes, "settle", lambda: services.settle_cancellation(settlement.pk)),
    )
    beside = threading.Thread(target=_outcome, args=(outcomes, "other", other), daemon=True)
    settler.start()
    try:
        assert locked.wait(timeout=20)
        beside.start()
        deadline = time.monotonic() + 20
        while beside.is_alive() and not seams.someone_waits_for_a_lock():
            assert time.monotonic() < deadline, "it neither waited nor finished"
            time.sleep(0.005)  # polling a condition, with a deadline
        outcomes["waited"] = beside.is_alive()
    finally:
        go.set()
        settler.join(timeout=30)
        beside.join(timeout=30)
    monkeypatch.undo()
    return outcomes


def test_a_payment_arriving_while_the_settlement_holds_its_locks_waits_for_it(
    on_postgresql, mollie, register, monkeypatch
):
    """The settlement holds the registration's lock when the payment comes in: the payment
    waits, the settlement settles the lapsed registration as it is (nothing was paid yet,
    so nothing goes back), and then the payment takes the seats back and confirms it. A
    settlement that read the registration without its lock would, after the payment
    committed, credit the new invoice and refund the money of a confirmed registration."""
    registration, payment, settlement = _lapsed_and_paid_at_mollie(mollie, register)

    outcomes = _beside_a_settler_holding_its_locks(monkeypatch, settlement, _webhook(payment))

    assert outcomes["waited"]  # for the registration's lock
    assert outcomes["settle"] is True
    assert Settlement.objects.get(pk=settlement.pk).settled is not None
    _confirmed_with_its_money(registration, payment)


def test_a_cancellation_while_a_settlement_holds_its_locks_waits_and_both_finish(
    on_postgresql, register, monkeypatch
):
    """A booker cancels one attendee (a settlement is owed), and cancels the registration
    while that settlement runs. Both lock the registration first, then the settlement: the
    cancellation waits for the settler, never the other way round at the same time (a
    deadlock, which PostgreSQL ends by failing one of them)."""
    registration = register(attendees=2)
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    registration_services.cancel_attendee(registration.attendees.last(), by=None)
    settlement = Settlement.objects.get(registration=registration)

    def cancel():
        fresh = Registration.objects.get(pk=registration.pk)
        return registration_services.cancel_registration(fresh, by=None, reason="booker")

    outcomes = _beside_a_settler_holding_its_locks(monkeypatch, settlement, cancel)

    assert outcomes["settle"] is True
    assert not isinstance(outcomes["other"], Exception), outcomes["other"]
    services.settle_due_cancellations()  # the cancellation's own settlement, made due again
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    balance = queries.balance(registration)
    assert balance.due == Decimal("0.00")
    _assert_seats_exact()


def test_a_cancellation_not_free_while_an_attendees_settlement_runs_leaves_the_rest_owed(
    on_postgresql, mollie, event, register, monkeypatch
):
    """One of two attendees (paid online) cancelled free; the booker cancels the rest, no
    longer free, while that settlement holds its locks. The cancellation waits for it: the
    settlement settles the attendee's part (its €125 back, an invoice for the other), and
    the cancellation then supersedes the settled settlement, so that invoice stands. The
    other order (the cancellation first, the settlement after) is
    `test_settlement.test_a_settlement_due_when_a_cancellation_not_free_comes_…`:
    the same money. Not a race: both lock the registration first, and the settlement reads
    it and itself under those locks."""
    registration = register(attendees=2)
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "paid")
    services.sync_provider_payment(ProviderName.MOLLIE, payment.provider_reference)
    registration_services.cancel_attendee(registration.attendees.order_by("order")[1], by=None)
    settlement = Settlement.objects.get(registration=registration)
    RegistrationSettingsFactory(
        event=event, free_cancellation_until=timezone.now() - dt.timedelta(days=1)
    )

    def cancel():
        fresh = Registration.objects.get(pk=registration.pk)
        return registration_services.cancel_registration(fresh, by=None, reason="booker")

    outcomes = _beside_a_settler_holding_its_locks(monkeypatch, settlement, cancel)
    refund = Refund.objects.get(payment=payment)
    services.execute_lost_refunds(now=refund.created + services.REFUND_GRACE * 2)

    assert outcomes["waited"]  # for the registration's lock
    assert outcomes["settle"] is True
    assert outcomes["other"].free is False
    settlement.refresh_from_db()
    assert (settlement.settled is not None, settlement.superseded is not None) == (True, True)
    assert_only_the_attendees_part_settled(mollie, registration, payment)


def _settle(pk):
    try:
        services.settle_cancellation(pk)
    finally:
        connections.close_all()


@pytest.mark.parametrize("pay", [_webhook, _applied], ids=["webhook", "applied"])
def test_a_payment_confirmed_as_the_booker_cancels_free_is_refunded_once(
    on_postgresql, mollie, register, immediate_tasks, pay
):
    # Paid at Mollie's checkout in one tab, cancelled in another: whichever comes first,
    # the free cancellation gives the money back once (a settlement that ran before the
    # money came is made due again), and an invoice made meanwhile is credited.
    for n in range(ROUNDS):
        registration, payment = _paid_at_mollie(mollie, register, n)
        Payment.objects.filter(pk=payment.pk).update(state=PaymentState.OPEN)  # not yet

        outcomes = _race(
            pay(payment),
            lambda registration=registration: registration_services.cancel_registration(
                registration, by=None, reason="booker"
            ),
        )

        assert all(not isinstance(o, Exception) for o in outcomes), outcomes
        services.settle_due_cancellations()  # the sweep, for a task that ran early
        registration.refresh_from_db()
        refunds = Refund.objects.filter(payment=payment)
        assert (registration.status, list(refunds.values_list("amount", flat=True))) == (
            RegistrationStatus.CANCELLED,
            [Decimal("125.00")],
        )
        assert queries.current_invoice(registration) is None
    assert Settlement.objects.filter(settled__isnull=True).count() == 0
    _assert_seats_exact()


def _pay_online_twice_at_once(registration) -> list:
    """Choose Mollie twice at once on the registration's page (a double click)."""
    return all_at_once(
        2,
        lambda n: services.choose_provider(
            registration,
            provider=ProviderName.MOLLIE,
            return_url="http://testserver/back/",
            webhook_url="http://testserver/payments/mollie/webhook/",
        ),
    )


def test_paying_online_chosen_twice_at_once_starts_one_payment_with_one_checkout(mollie, register):
    registration = register()

    results = _pay_online_twice_at_once(registration)

    assert all(r.redirect_url for r in results), results
    assert len({r.redirect_url for r in results}) == 1
    assert (Payment.objects.filter(registration=registration).count(), len(mollie.payments)) == (
        1,
        1,
    )
    started = [e for e in history(registration) if e.action == "payment.started"]
    assert len(started) == 1


def test_negative_control_without_taking_over_the_open_payment_two_are_started(
    mollie, register, monkeypatch
):
    monkeypatch.setattr(paying, "started_just_now", lambda registration, amount: None)
    registration = register()

    results = _pay_online_twice_at_once(registration)

    assert len({r.redirect_url for r in results}) == 2, results
    assert (Payment.objects.filter(registration=registration).count(), len(mollie.payments)) == (
        2,
        2,
    )


def test_paying_online_twice_at_once_as_mollie_refuses_one_never_sends_to_a_failed_payment(
    mollie, register
):
    registration = register()
    mollie.fail_next = True  # whichever asks first is refused, the other is answered

    results = _pay_online_twice_at_once(registration)

    sent = {r.redirect_url for r in results if not isinstance(r, Exception)}
    payment = Payment.objects.get(registration=registration)
    if payment.state == PaymentState.FAILED:
        assert (sent, payment.provider_reference) == (set(), "")
    else:
        assert sent == {payment.checkout_url}, results


def _both_starts_refused(register) -> tuple[Registration, list]:
    return (registration := register()), _pay_online_twice_at_once(registration)


def test_paying_online_twice_at_once_as_mollie_refuses_both_logs_one_failure(mollie, register):
    mollie.fail_next = 2

    registration, results = _both_starts_refused(register)

    assert all(isinstance(r, Exception) for r in results), results
    assert Payment.objects.get(registration=registration).state == PaymentState.FAILED
    failed = [e for e in history(registration) if e.action == "payment.failed"]
    assert len(failed) == 1


def test_negative_control_failing_it_whatever_its_state_logs_the_failure_twice(
    mollie, register, monkeypatch
):
    def fail_anyway(payment, refused):
        return bool(Payment.objects.filter(pk=payment.pk).update(state=PaymentState.FAILED))

    monkeypatch.setattr(paying, "_fail_unstarted", fail_anyway)
    mollie.fail_next = 2

    registration, results = _both_starts_refused(register)

    failed = [e for e in history(registration) if e.action == "payment.failed"]
    assert len(failed) == 2, results
