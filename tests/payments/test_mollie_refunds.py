"""A Mollie refund is paid out once, however late it is tried again.

Mollie keeps an idempotency key for a while only (about an hour); the `follow_up_payments`
sweep, or the organiser's form sent again, may try a refund days later. A try whose answer
was lost leaves the refund pending, and the next one first looks among the payment's refunds
at Mollie for the one that carries our refund's id in its metadata.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from goedeburen.common.models import LogEntry
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments import services
from goedeburen.payments.enums import ProviderName, RefundState
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import Refund
from goedeburen.payments.providers import get_provider
from goedeburen.payments.providers.mollie import refund_idempotency_key
from tests.factories import UserFactory

from .test_mollie import _paid

pytestmark = pytest.mark.usefixtures("immediate_tasks")


def _refunds_path(payment) -> str:
    return f"/v2/payments/{payment.provider_reference}/refunds"


def _at_mollie(mollie, payment) -> list[tuple[str, str, str]]:
    """Return (id, amount, status) of each refund Mollie made on `payment`."""
    return [
        (made["id"], made["amount"]["value"], made["status"])
        for made in mollie.refunds.get(payment.provider_reference, [])
    ]


def _refund_lost_on_the_way_back(mollie, payment, *, amount="25.00") -> Refund:
    """Try a partial refund whose request Mollie carries out but whose answer never comes;
    then let Mollie's while for the idempotency key pass."""
    refund = services.create_refund(payment, amount=Decimal(amount), reason="no lunch")
    mollie.lose_answers = True
    with pytest.raises(PaymentError) as unanswered:
        services.execute_refund(refund)
    mollie.lose_answers = False
    mollie.forget_keys()
    assert unanswered.value.code == "provider_unavailable"
    return refund


def _sweep_after_grace(refund: Refund) -> int:
    later = refund.created + services.REFUND_GRACE + dt.timedelta(seconds=1)
    return services.execute_lost_refunds(now=later)


def test_a_refund_whose_answer_was_lost_stays_pending_with_the_reason(mollie, register, client):
    _registration, payment = _paid(mollie, register, client)

    with translation.override("en"):
        refund = _refund_lost_on_the_way_back(mollie, payment)

    refund.refresh_from_db()
    assert (refund.state, refund.provider_reference) == (RefundState.PENDING, "")
    assert refund.error == (
        "Mollie could not be reached or did not answer (Server disconnected without sending "
        "a response.). The refund stays pending and is tried again later by itself; it is "
        "paid back once."
    )
    # Mollie did make it, and it names our refund.
    [made] = mollie.refunds[payment.provider_reference]
    assert made["metadata"] == {"refund": refund.pk, "registration": payment.registration.code}
    payment.refresh_from_db()
    assert payment.refundable == Decimal("100.00")  # a pending refund still counts


def test_a_lost_refund_tried_again_after_mollie_forgot_its_key_is_paid_out_once(
    mollie, register, client
):
    registration, payment = _paid(mollie, register, client)
    refund = _refund_lost_on_the_way_back(mollie, payment)

    refunded = _sweep_after_grace(refund)

    refund.refresh_from_db()
    assert refunded == 1
    assert (refund.state, refund.provider_reference, refund.error) == (
        RefundState.REFUNDED,
        "re_fake001",
        "",
    )
    assert _at_mollie(mollie, payment) == [("re_fake001", "25.00", "pending")]
    # The retry looked and found it: it asked Mollie to make nothing.
    assert mollie.keys("POST", _refunds_path(payment)) == [refund_idempotency_key(refund)]
    refund_mails = OutgoingMail.objects.filter(registration=registration, kind=MailKind.REFUND_MADE)
    assert refund_mails.count() == 1


def test_negative_control_without_the_lookup_mollie_pays_a_lost_refund_twice(
    mollie, register, client
):
    """The same request again, with the same idempotency key, once Mollie forgot the key:
    what a retry did before it looked first. Mollie accepts a second partial refund."""
    _registration, payment = _paid(mollie, register, client)
    refund = _refund_lost_on_the_way_back(mollie, payment)
    provider = get_provider(ProviderName.MOLLIE)

    with provider.client(payment.registration.event.organiser) as sdk:
        sdk.refunds.create(
            payment_id=payment.provider_reference,
            refund_request={
                "amount": {"currency": "EUR", "value": "25.00"},
                "description": refund.reason,
            },
            idempotency_key=refund_idempotency_key(refund),
        )

    assert [value for _id, value, _status in _at_mollie(mollie, payment)] == ["25.00", "25.00"]


def test_a_manual_retry_of_a_lost_refund_finds_it_too(mollie, register, client):
    """The organiser's refund form sent again (same submission token) days later."""
    _registration, payment = _paid(mollie, register, client)
    refund = services.create_refund(
        payment, amount=Decimal("25.00"), reason="no lunch", submission="form-1"
    )
    mollie.lose_answers = True
    with pytest.raises(PaymentError):
        services.execute_refund(refund)
    mollie.lose_answers = False
    mollie.forget_keys()

    again = services.refund_payment(
        payment, amount=Decimal("25.00"), reason="no lunch", submission="form-1"
    )

    assert (again.pk, again.state, again.provider_reference) == (
        refund.pk,
        RefundState.REFUNDED,
        "re_fake001",
    )
    assert _at_mollie(mollie, payment) == [("re_fake001", "25.00", "pending")]


def test_the_lookup_reads_every_page_of_the_payments_refunds(mollie, register, client):
    _registration, payment = _paid(mollie, register, client)
    services.refund_payment(payment, amount=Decimal("10.00"), reason="parking")
    services.refund_payment(payment, amount=Decimal("15.00"), reason="dinner")
    refund = _refund_lost_on_the_way_back(mollie, payment, amount="20.00")
    mollie.page_size = 1  # ours is on the third page

    _sweep_after_grace(refund)

    refund.refresh_from_db()
    assert (refund.state, refund.provider_reference) == (RefundState.REFUNDED, "re_fake003")
    assert [value for _id, value, _status in _at_mollie(mollie, payment)] == [
        "10.00",
        "15.00",
        "20.00",
    ]
    pages = [path for method, path, _key in mollie.requests if method == "GET"][-3:]
    assert pages == [
        f"{_refunds_path(payment)}?limit=250",
        f"{_refunds_path(payment)}?from=re_fake002&limit=250",
        f"{_refunds_path(payment)}?from=re_fake003&limit=250",
    ]


@pytest.mark.parametrize("status", ["failed", "canceled"])
def test_a_lost_refund_that_mollie_did_not_pay_out_is_made_again(mollie, register, client, status):
    _registration, payment = _paid(mollie, register, client)
    refund = _refund_lost_on_the_way_back(mollie, payment)
    mollie.set_refund_status("re_fake001", status)

    _sweep_after_grace(refund)

    refund.refresh_from_db()
    assert (refund.state, refund.provider_reference) == (RefundState.REFUNDED, "re_fake002")
    assert _at_mollie(mollie, payment) == [
        ("re_fake001", "25.00", status),
        ("re_fake002", "25.00", "pending"),
    ]


@pytest.mark.parametrize("status", [503, 400])
def test_a_refund_whose_lookup_fails_stays_pending_and_nothing_is_made(
    mollie, register, client, status
):
    """Not knowing whether an earlier try made it, making it could pay twice: whatever
    the list's failure (Mollie busy, or refusing the question), the refund waits."""
    _registration, payment = _paid(mollie, register, client)
    refund = services.create_refund(payment, amount=Decimal("25.00"), reason="no lunch")
    mollie.fail_refund_lists = status

    with pytest.raises(PaymentError) as unanswered:
        services.execute_refund(refund)

    assert unanswered.value.code == "provider_unavailable"
    refund.refresh_from_db()
    assert refund.state == RefundState.PENDING
    assert mollie.keys("POST", _refunds_path(payment)) == []
    assert mollie.refunds == {}
    # Once Mollie answers again, the sweep pays it out.
    mollie.fail_refund_lists = None
    assert _sweep_after_grace(refund) == 1
    assert _at_mollie(mollie, payment) == [("re_fake001", "25.00", "pending")]


def test_a_refund_mollie_refuses_is_failed_and_no_longer_counts(mollie, register, client):
    _registration, payment = _paid(mollie, register, client)
    refund = services.create_refund(payment, amount=Decimal("25.00"), reason="no lunch")
    mollie.fail_next = True  # 422: Mollie said no, so it made nothing

    with pytest.raises(PaymentError) as refused:
        services.execute_refund(refund)

    assert refused.value.code == "provider_failed"
    refund.refresh_from_db()
    assert refund.state == RefundState.FAILED
    payment.refresh_from_db()
    assert payment.refundable == Decimal("125.00")
    assert mollie.refunds == {}


def test_a_refund_tells_mollie_which_of_ours_it_is(mollie, register, client):
    _registration, payment = _paid(mollie, register, client)

    refund = services.refund_payment(payment, amount=Decimal("10.00"), reason="parking")

    [made] = mollie.refunds[payment.provider_reference]
    assert made["metadata"] == {"refund": refund.pk, "registration": payment.registration.code}
    assert mollie.keys("POST", _refunds_path(payment)) == [f"goedeburen-refund-{refund.pk}"]


@pytest.fixture
def staff(db):
    return UserFactory()


def _stuck(mollie, payment, *, amount="25.00") -> Refund:
    """Return a pending refund whose request Mollie answered with an error: the payment is
    unknown at Mollie (a 404 on its refunds list, as for a payment of another account)."""
    refund = services.create_refund(payment, amount=Decimal(amount), reason="no lunch")
    mollie.fail_refund_lists = 404
    with pytest.raises(PaymentError):
        services.execute_refund(refund)
    mollie.fail_refund_lists = None
    refund.refresh_from_db()
    assert (refund.state, bool(refund.error)) == (RefundState.PENDING, True)
    return refund


def test_cancelling_a_refund_mollie_never_made_frees_the_amount_and_stops_the_sweep(
    mollie, register, client, staff
):
    _registration, payment = _paid(mollie, register, client)
    refund = _stuck(mollie, payment)

    services.cancel_refund(refund, note="Mollie kent de betaling niet", by=staff)

    refund.refresh_from_db()
    assert (refund.state, refund.note) == (RefundState.CANCELLED, "Mollie kent de betaling niet")
    payment.refresh_from_db()
    assert payment.refundable == Decimal("125.00")
    # The sweep no longer asks Mollie about it.
    before = len(mollie.requests)
    assert _sweep_after_grace(refund) == 0
    assert len(mollie.requests) == before
    assert LogEntry.objects.filter(action="refund.cancelled").count() == 1


def test_cancelling_a_refund_mollie_did_make_records_it_as_made(mollie, register, client, staff):
    registration, payment = _paid(mollie, register, client)
    refund = _refund_lost_on_the_way_back(mollie, payment)

    done = services.cancel_refund(refund, note="Lijkt niet gelukt", by=staff)

    assert (done.state, done.provider_reference) == (RefundState.REFUNDED, "re_fake001")
    assert _at_mollie(mollie, payment) == [("re_fake001", "25.00", "pending")]
    mails = OutgoingMail.objects.filter(registration=registration, kind=MailKind.REFUND_MADE)
    assert mails.count() == 1


@pytest.mark.parametrize("failure", ["unreachable", "no_key"])
def test_a_refund_is_not_cancelled_when_mollie_cannot_be_asked(
    mollie, register, client, staff, settings, failure
):
    _registration, payment = _paid(mollie, register, client)
    refund = _stuck(mollie, payment)
    if failure == "no_key":
        settings.MOLLIE_API_KEYS = {}
    else:
        mollie.fail_refund_lists = 503

    with translation.override("en"), pytest.raises(PaymentError) as refused:
        services.cancel_refund(refund, note="Weg ermee", by=staff)

    assert refused.value.code == "provider_unavailable"
    with translation.override("en"):
        assert "cancelling without knowing could pay it back twice" in str(refused.value.message)
    refund.refresh_from_db()
    assert refund.state == RefundState.PENDING
    assert LogEntry.objects.filter(action="refund.cancelled").count() == 0


def test_a_stuck_refund_paid_back_by_hand_is_refunded_with_the_note(
    mollie, register, client, staff
):
    registration, payment = _paid(mollie, register, client)
    refund = _stuck(mollie, payment)

    services.refund_paid_by_hand(refund, note="Overgemaakt op 3 december", by=staff)

    refund.refresh_from_db()
    assert (refund.state, refund.note, refund.error) == (
        RefundState.REFUNDED,
        "Overgemaakt op 3 december",
        "",
    )
    entry = LogEntry.objects.get(action="refund.refunded")
    assert entry.data["by_hand"] is True and entry.data["note"] == "Overgemaakt op 3 december"
    before = len(mollie.requests)
    assert _sweep_after_grace(refund) == 0
    assert len(mollie.requests) == before
    with pytest.raises(PaymentError) as again:
        services.cancel_refund(refund, note="toch niet", by=staff)
    assert again.value.code == "wrong_state"


def test_try_again_now_pays_a_stuck_refund_once_and_logs_a_try_without_answer(
    mollie, register, client, staff
):
    _registration, payment = _paid(mollie, register, client)
    refund = _stuck(mollie, payment)
    mollie.fail_refund_lists = 503

    with pytest.raises(PaymentError):
        services.retry_refund(refund, by=staff)

    assert LogEntry.objects.filter(action="refund.retried").count() == 1
    mollie.fail_refund_lists = None
    done = services.retry_refund(refund, by=staff)
    assert done.state == RefundState.REFUNDED
    assert len(_at_mollie(mollie, payment)) == 1


def test_a_cancellation_needs_a_note(mollie, register, client, staff):
    _registration, payment = _paid(mollie, register, client)
    refund = _stuck(mollie, payment)

    with pytest.raises(PaymentError) as refused:
        services.cancel_refund(refund, note="  ", by=staff)

    assert refused.value.code == "note_needed"
    refund.refresh_from_db()
    assert refund.state == RefundState.PENDING


def test_a_refund_made_by_a_try_under_way_while_it_was_cancelled_is_recorded_as_made(
    mollie, register, client, staff, monkeypatch
):
    """The sweep read the refund as pending; the organiser then cancelled it (Mollie had
    made none yet); the sweep's request then made it at Mollie. The money went back: the
    refund is recorded as made, not left cancelled (it would be refundable anew)."""
    from goedeburen.payments.providers.mollie import MollieProvider

    _registration, payment = _paid(mollie, register, client)
    refund = _stuck(mollie, payment)
    made_by_the_sweep = MollieProvider.refund

    def cancelled_meanwhile(self, pending):
        services.cancel_refund(pending, note="Geef op", by=staff)
        return made_by_the_sweep(self, pending)

    monkeypatch.setattr(MollieProvider, "refund", cancelled_meanwhile)

    _sweep_after_grace(refund)

    refund.refresh_from_db()
    assert (refund.state, refund.provider_reference) == (RefundState.REFUNDED, "re_fake001")
    assert len(_at_mollie(mollie, payment)) == 1
    payment.refresh_from_db()
    assert payment.refundable == Decimal("100.00")
