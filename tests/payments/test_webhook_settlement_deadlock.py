"""Mollie's word on a paid payment arriving (again) while the free cancellation of its
registration is settled, on PostgreSQL: both go through, never a database error (a 500 to
Mollie's webhook, or a settlement left for the sweep).

The webhook locked the payment's row together with its registration's (one SELECT … FOR
UPDATE over both, the payment's row first); the settlement locks the registration and then
the payment it refunds (`create_refund`). Meeting halfway they waited for each other: a
deadlock. Now the webhook locks only the payment: news already recorded needs no more, and
a payment that becomes paid locks its registration later (`confirm_paid`), as any settler
does. The negative control locks both rows again: one of the two fails."""

import threading
from decimal import Decimal

import pytest
from django.db import OperationalError

from goedeburen.payments import services
from goedeburen.payments.enums import PaymentState, RefundState
from goedeburen.payments.models import Payment, Settlement
from goedeburen.payments.providers.base import ProviderStatus
from goedeburen.payments.services import payments as paying
from goedeburen.payments.services import settlement as settling
from goedeburen.registration import services as registration_services
from tests.payments.test_mollie import _paid
from tests.seams import Rendezvous
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _webhook_as_the_cancellation_is_settled(mollie, register, client, monkeypatch) -> tuple:
    """Settle a paid registration's free cancellation and apply Mollie's "paid" once more,
    the webhook only once the settler holds the registration, and the settler on once the
    webhook waits for a lock or is done."""
    registration, payment = _paid(mollie, register, client)
    registration_services.cancel_registration(registration, by=None, reason="ziek")
    settlement = Settlement.objects.get(registration=registration)  # its task unrun
    rendezvous, registration_locked = Rendezvous(), threading.Event()
    lock_settlement = settling.lock_settlement

    def lock_then_meet(settlement_id):
        found = lock_settlement(settlement_id)
        registration_locked.set()
        rendezvous(found)
        return found

    monkeypatch.setattr(settling, "lock_settlement", lock_then_meet)
    paid = ProviderStatus(
        reference=payment.provider_reference, state=PaymentState.PAID, amount=payment.amount
    )

    def work(n):
        if n == 0:
            return services.settle_cancellation(settlement.pk)
        assert registration_locked.wait(20)
        applied = services.apply_status(payment, paid)
        rendezvous(None)
        return applied

    return payment, all_at_once(2, work)


def test_mollies_word_during_the_settlement_of_a_cancellation_does_both(
    on_postgresql, mollie, register, client, monkeypatch
):
    payment, results = _webhook_as_the_cancellation_is_settled(
        mollie, register, client, monkeypatch
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0] is True
    refund = payment.refunds.get()
    assert (refund.amount, refund.state) == (Decimal("125.00"), RefundState.PENDING)
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PAID


def test_negative_control_locking_payment_and_registration_together_deadlocks(
    on_postgresql, mollie, register, client, monkeypatch
):
    def both_rows(pk):
        return Payment.objects.select_for_update().select_related("registration").get(pk=pk)

    monkeypatch.setattr(paying, "_lock_payment", both_rows)

    _payment, results = _webhook_as_the_cancellation_is_settled(
        mollie, register, client, monkeypatch
    )

    failed = [r for r in results if isinstance(r, Exception)]
    assert len(failed) == 1, results
    assert isinstance(failed[0], OperationalError)
    assert "deadlock detected" in str(failed[0])
