"""Mollie through its official SDK against a local fake of its API: the webhook re-fetches,
updates idempotently and answers 200; refunds go through the same SDK."""

import threading
from decimal import Decimal

import pytest
from django.db import connections

from goedeburen.payments import services
from goedeburen.payments.enums import PaymentState, ProviderName, RefundState
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import Invoice, Payment
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration

WEBHOOK = "/payments/mollie/webhook/"


def start(registration) -> Payment:
    services.choose_provider(
        registration,
        provider=ProviderName.MOLLIE,
        return_url="http://testserver/back/",
        webhook_url="http://testserver" + WEBHOOK,
    )
    return Payment.objects.get(registration=registration, provider=ProviderName.MOLLIE)


def test_start_sends_the_booker_to_mollies_checkout(mollie, register):
    registration = register()

    started = services.choose_provider(
        registration,
        provider=ProviderName.MOLLIE,
        return_url="http://testserver/back/",
        webhook_url="http://testserver" + WEBHOOK,
    )

    payment = Payment.objects.get(registration=registration)
    assert started.redirect_url == f"https://checkout.example/{payment.provider_reference}"
    sent = mollie.payments[payment.provider_reference]
    assert sent["amount"] == {"currency": "EUR", "value": "125.00"}
    assert sent["webhookUrl"] == "http://testserver" + WEBHOOK
    assert sent["metadata"] == {"payment": payment.pk, "registration": registration.code}
    assert payment.state == PaymentState.OPEN


def test_paid_webhook_confirms_the_registration_and_issues_the_invoice(
    mollie, register, client, immediate_tasks
):
    registration = register()
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "paid")

    response = client.post(WEBHOOK, {"id": payment.provider_reference})

    assert response.status_code == 200
    payment.refresh_from_db()
    registration.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert payment.confirmed is not None
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.hold_until is None
    assert Invoice.objects.filter(registration=registration).count() == 1


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("canceled", PaymentState.CANCELLED),
        ("expired", PaymentState.EXPIRED),
        ("failed", PaymentState.FAILED),
        ("pending", PaymentState.PENDING),
    ],
)
def test_unpaid_outcomes_leave_the_registration_pending(mollie, register, client, status, state):
    registration = register()
    payment = start(registration)
    mollie.set_status(payment.provider_reference, status)

    response = client.post(WEBHOOK, {"id": payment.provider_reference})

    assert response.status_code == 200
    payment.refresh_from_db()
    registration.refresh_from_db()
    assert payment.state == state
    assert registration.status == RegistrationStatus.PENDING_PAYMENT
    assert not Invoice.objects.filter(registration=registration).exists()


def test_a_failed_payment_can_be_tried_again(mollie, register, client):
    registration = register()
    first = start(registration)
    mollie.set_status(first.provider_reference, "failed")
    client.post(WEBHOOK, {"id": first.provider_reference})

    services.choose_provider(
        registration, provider=ProviderName.MOLLIE, return_url="x", webhook_url="y"
    )

    assert Payment.objects.filter(registration=registration).count() == 2


def test_final_state_never_changes_again(mollie, register, client):
    registration = register()
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "expired")
    client.post(WEBHOOK, {"id": payment.provider_reference})
    mollie.set_status(payment.provider_reference, "paid")  # a provider contradicting itself

    client.post(WEBHOOK, {"id": payment.provider_reference})

    payment.refresh_from_db()
    assert payment.state == PaymentState.EXPIRED


def test_same_webhook_five_times_confirms_one_payment(mollie, register, client, immediate_tasks):
    registration = register()
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "paid")

    codes = [client.post(WEBHOOK, {"id": payment.provider_reference}).status_code for _ in range(5)]

    assert codes == [200] * 5
    assert Payment.objects.filter(registration=registration, state=PaymentState.PAID).count() == 1
    assert Invoice.objects.filter(registration=registration).count() == 1
    from goedeburen.common.audit import history

    assert history(registration).filter(action="payment.paid").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_webhooks_at_once_confirm_one_payment(on_postgresql, mollie, register):
    registration = register()
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "paid")
    barrier = threading.Barrier(2)
    results = []

    def deliver():
        try:
            barrier.wait()
            results.append(
                services.sync_provider_payment(
                    ProviderName.MOLLIE, payment.provider_reference
                ).state
            )
        except Exception as unexpected:  # reported by the assertion
            results.append(unexpected)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert results == [PaymentState.PAID, PaymentState.PAID]
    assert Payment.objects.filter(registration=registration, state=PaymentState.PAID).count() == 1
    assert Invoice.objects.filter(registration=registration).count() == 1
    from goedeburen.common.audit import history

    assert history(registration).filter(action="payment.paid").count() == 1
    assert history(registration).filter(action="registration.paid").count() == 1


# A NUL byte is in no id of Mollie's, and PostgreSQL cannot look it up (a 500 before).
@pytest.mark.parametrize("reference", ["tr_unknown", "tr_\x00", "\x00"])
def test_unknown_payment_id_gets_200_and_changes_nothing(mollie, client, register, reference):
    register()

    response = client.post(WEBHOOK, {"id": reference})

    assert response.status_code == 200
    assert not Payment.objects.exists()


def test_webhook_answers_503_when_mollie_cannot_be_reached(mollie, register, client, settings):
    registration = register()
    payment = start(registration)
    settings.MOLLIE_API_ENDPOINT = "http://127.0.0.1:9"  # nothing listens there

    response = client.post(WEBHOOK, {"id": payment.provider_reference})

    assert response.status_code == 503
    payment.refresh_from_db()
    assert payment.state == PaymentState.OPEN


def test_mollie_refusing_to_start_fails_the_payment_with_a_clear_message(mollie, register, english):
    registration = register()
    mollie.fail_next = True

    with pytest.raises(PaymentError) as refused:
        start(registration)

    assert refused.value.code == "provider_unavailable"
    assert str(refused.value.message) == (
        "Paying online is not possible at the moment. Please try again later."
    )
    assert Payment.objects.get(registration=registration).state == PaymentState.FAILED


def _paid(mollie, register, client):
    registration = register()
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "paid")
    client.post(WEBHOOK, {"id": payment.provider_reference})
    payment.refresh_from_db()
    return registration, payment


def test_partial_and_full_refund_through_the_sdk(mollie, register, client, immediate_tasks):
    registration, payment = _paid(mollie, register, client)

    partial = services.refund_payment(payment, amount=Decimal("25.00"), reason="no lunch")
    rest = services.refund_payment(payment, amount=Decimal("100.00"), reason="cancelled")

    assert partial.state == rest.state == RefundState.REFUNDED
    sent = mollie.refunds[payment.provider_reference]
    assert [r["amount"]["value"] for r in sent] == ["25.00", "100.00"]
    assert partial.provider_reference == "re_fake001"
    payment.refresh_from_db()
    assert payment.refundable == Decimal("0.00")


def test_refund_of_more_than_was_paid_is_refused(mollie, register, client, immediate_tasks):
    _registration, payment = _paid(mollie, register, client)

    with pytest.raises(PaymentError) as refused:
        services.refund_payment(payment, amount=Decimal("125.01"), reason="too much")

    assert refused.value.code == "too_much"
    assert not payment.refunds.exists()
    assert mollie.refunds == {}


def test_free_cancellation_credits_the_invoice_and_refunds_through_mollie(
    mollie, register, client, immediate_tasks, django_capture_on_commit_callbacks
):
    from goedeburen.payments.enums import InvoiceKind
    from goedeburen.registration import services as registration_services

    registration, payment = _paid(mollie, register, client)

    with django_capture_on_commit_callbacks(execute=True):
        registration_services.cancel_registration(registration, by=None, reason="booker")

    refund = payment.refunds.get()
    assert (refund.amount, refund.state) == (Decimal("125.00"), RefundState.REFUNDED)
    assert [r["amount"]["value"] for r in mollie.refunds[payment.provider_reference]] == ["125.00"]
    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert credit.total == Decimal("-125.00")


def test_asking_an_offline_provider_for_news_changes_nothing(register):
    registration = register()
    services.choose_provider(registration, provider=ProviderName.BANK_TRANSFER)
    payment = Payment.objects.create(
        registration=registration,
        provider=ProviderName.BANK_TRANSFER,
        amount="125.00",
        provider_reference="RF-transfer",
    )
    before = list(Payment.objects.values())

    with pytest.raises(PaymentError) as refused:
        services.sync_provider_payment(ProviderName.BANK_TRANSFER, payment.provider_reference)

    assert refused.value.code == "provider_unavailable"
    assert list(Payment.objects.values()) == before


def test_our_payment_id_is_the_idempotency_key_so_a_retry_makes_one_payment(mollie, register):
    from goedeburen.payments.providers import get_provider

    registration = register()
    payment = start(registration)
    provider = get_provider(ProviderName.MOLLIE)

    # The same request again (a timeout, a retry): Mollie answers with the same payment.
    again = provider.start(payment, return_url="http://testserver/back/", webhook_url="x")

    assert mollie.keys("POST", "/v2/payments") == [f"goedeburen-payment-{payment.pk}"] * 2
    assert len(mollie.payments) == 1
    assert again.redirect_url == f"https://checkout.example/{payment.provider_reference}"


def test_webhook_refetches_the_payment_by_id_through_the_sdk(mollie, register, client):
    registration = register()
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "paid")

    client.post(WEBHOOK, {"id": payment.provider_reference, "status": "failed"})

    assert ("GET", f"/v2/payments/{payment.provider_reference}") in [
        (method, path) for method, path, _key in mollie.requests
    ]
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID  # Mollie's word, not the caller's


def test_refund_carries_its_own_idempotency_key(mollie, register, client, immediate_tasks):
    _registration, payment = _paid(mollie, register, client)

    refund = services.refund_payment(payment, amount=Decimal("10.00"), reason="parking")

    path = f"/v2/payments/{payment.provider_reference}/refunds"
    assert mollie.keys("POST", path) == [f"goedeburen-refund-{refund.pk}"]


def test_paying_online_as_the_booker_cancels_is_refused_and_starts_nothing(mollie, register):
    registration = register()
    page = Registration.objects.get(pk=registration.pk)  # read before the cancellation
    registration_services.cancel_registration(registration, by=None, reason="kan niet")

    with pytest.raises(PaymentError) as refused:
        services.choose_provider(
            page,
            provider=ProviderName.MOLLIE,
            return_url="http://testserver/back/",
            webhook_url="http://testserver" + WEBHOOK,
        )

    assert refused.value.code == "not_payable"
    assert (Payment.objects.filter(registration=registration).count(), mollie.payments) == (0, {})
