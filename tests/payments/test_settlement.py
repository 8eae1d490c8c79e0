"""A free cancellation's credit note and refund: a task enqueued on commit plus the
`follow_up_payments` sweep, both idempotent; a failure leaves the settlement due, never lost
and never doubled."""

import datetime as dt
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments import queries, services
from goedeburen.payments.enums import InvoiceKind, ProviderName, RefundState
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import Invoice, Settlement
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import CancelReason, RegistrationStatus
from tests import seams
from tests.factories import RegistrationSettingsFactory
from tests.payments.conftest import mail_after_cancellation
from tests.payments.test_mollie import _paid
from tests.processes import child_env

REPO = Path(__file__).resolve().parents[2]


def _credit_notes() -> int:
    return Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count()


def _invoiced(register):
    registration = register()
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    return registration


def _cancel(registration):
    return registration_services.cancel_registration(registration, by=None, reason="booker")


def test_free_cancellation_credits_in_a_task_with_the_credit_note_mail(
    register, immediate_tasks, django_capture_on_commit_callbacks
):
    registration = _invoiced(register)

    with django_capture_on_commit_callbacks(execute=True):
        _cancel(registration)

    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert credit.total == Decimal("-125.00")
    settlement = Settlement.objects.get()
    assert (settlement.registration, settlement.reason) == (registration, "booker")
    assert settlement.settled is not None
    # The credit note's mail, queued with its PDF in the settling transaction (the
    # invoice's own mail is not: its task ran outside the captured commit).
    mail = OutgoingMail.objects.get(kind=MailKind.INVOICE)
    [pdf] = mail.attachments.all()
    assert (pdf.content_type, credit.number in pdf.filename) == ("application/pdf", True)


def test_cancellation_after_the_free_period_owes_nothing(
    register, event, immediate_tasks, django_capture_on_commit_callbacks
):
    RegistrationSettingsFactory(
        event=event, free_cancellation_until=timezone.now() - timezone.timedelta(days=1)
    )
    registration = _invoiced(register)

    with django_capture_on_commit_callbacks(execute=True):
        _cancel(registration)

    assert not Settlement.objects.exists()
    assert _credit_notes() == 0
    assert services.follow_up_unpaid().credited == 0


def test_failed_credit_note_task_leaves_it_due_and_the_sweep_credits_once(
    register, immediate_tasks, django_capture_on_commit_callbacks, monkeypatch, tmp_path
):
    registration = _invoiced(register)
    seams.pdf_fails_once(tmp_path / "failed", monkeypatch.setattr)

    with django_capture_on_commit_callbacks(execute=True):
        _cancel(registration)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert (tmp_path / "failed").exists()
    assert _credit_notes() == 0
    assert Settlement.objects.get().settled is None
    first = services.follow_up_unpaid()
    second = services.follow_up_unpaid()
    assert (first.credited, second.credited) == (1, 0)
    assert _credit_notes() == 1


def test_settling_twice_credits_and_refunds_once(
    mollie, register, client, immediate_tasks, django_capture_on_commit_callbacks
):
    registration, payment = _paid(mollie, register, client)
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(registration)
    settlement = Settlement.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        again = services.settle_cancellation(settlement.pk)
        swept = services.settle_due_cancellations()

    assert (again, swept) == (False, 0)
    assert _credit_notes() == 1
    refund = payment.refunds.get()
    assert (refund.amount, refund.state) == (Decimal("125.00"), RefundState.REFUNDED)
    assert [r["amount"]["value"] for r in mollie.refunds[payment.provider_reference]] == ["125.00"]


def test_a_refund_whose_task_was_lost_is_carried_out_by_the_sweep_once(mollie, register, client):
    """The `refund` task enqueued by the settlement never runs (lost with its queue): the
    `follow_up_payments` sweep carries the refund out after its grace, once."""
    registration, payment = _paid(mollie, register, client)
    _cancel(registration)
    services.settle_cancellation(Settlement.objects.get().pk)  # its refund task never runs
    refund = payment.refunds.get()
    assert refund.state == RefundState.PENDING
    manual = services.record_manual_payment(
        registration, amount=Decimal("10.00"), note="contant", by=None, confirm_overpayment=True
    )
    by_hand = services.create_refund(manual, amount=Decimal("10.00"), reason="terug")
    later = refund.created + services.REFUND_GRACE + dt.timedelta(seconds=1)

    early = services.follow_up_unpaid(now=refund.created + services.REFUND_GRACE / 2)
    first = services.follow_up_unpaid(now=later)
    second = services.follow_up_unpaid(now=later)

    assert (early.refunded, first.refunded, second.refunded) == (0, 1, 0)
    refund.refresh_from_db()
    assert refund.state == RefundState.REFUNDED
    assert [r["amount"]["value"] for r in mollie.refunds[payment.provider_reference]] == ["125.00"]
    by_hand.refresh_from_db()
    assert by_hand.state == RefundState.PENDING  # the organiser pays it back and records it


def test_a_mollie_payment_arriving_after_the_free_cancellation_was_settled_is_refunded(
    mollie, register, client, immediate_tasks, django_capture_on_commit_callbacks
):
    # The booker pays at Mollie's checkout in one tab and cancels in another; the
    # cancellation's settlement runs before Mollie's webhook arrives and finds nothing paid.
    from tests.payments.test_mollie import WEBHOOK, start

    registration = register()
    payment = start(registration)
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(registration)
    assert Settlement.objects.get().settled is not None
    mollie.set_status(payment.provider_reference, "paid")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(WEBHOOK, {"id": payment.provider_reference})
        client.post(WEBHOOK, {"id": payment.provider_reference})
    swept = services.settle_due_cancellations()

    refund = payment.refunds.get()
    assert (refund.amount, refund.state, swept) == (Decimal("125.00"), RefundState.REFUNDED, 0)
    assert [r["amount"]["value"] for r in mollie.refunds[payment.provider_reference]] == ["125.00"]
    assert Settlement.objects.get().settled is not None


def test_a_mollie_payment_after_the_free_cancellation_says_it_is_refunded_not_received(
    mollie, register, client, immediate_tasks, django_capture_on_commit_callbacks
):
    # Paid at Mollie's checkout after cancelling in another tab: thanking for the payment
    # of a registration that has no places would only confuse; the booker hears that the
    # money goes back.
    from tests.payments.test_mollie import WEBHOOK, start

    registration = register(language="en")
    payment = start(registration)
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(registration)
    mollie.set_status(payment.provider_reference, "paid")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(WEBHOOK, {"id": payment.provider_reference})

    text = mail_after_cancellation(registration)
    assert f"We have received € 125,00 for your registration {registration.code}" in text
    assert "So we pay the money back to the account you paid from." in text
    assert payment.refunds.get().state == RefundState.REFUNDED


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_fails_the_credit_note_once_and_the_cron_sweep_makes_exactly_one(
    register, drain, tmp_path
):
    registration = _invoiced(register)
    drain()  # the invoice's own mail and PDF, before the PDF writer breaks
    _cancel(registration)

    output = drain(GOEDEBUREN_TEST_PDF_FAILS_ONCE=str(tmp_path / "failed"))

    assert "the PDF could not be written" in output
    assert _credit_notes() == 0
    assert Settlement.objects.get().settled is None
    sweeps = [_follow_up_payments() for _ in range(2)]
    assert [line.split(", ")[3] for line in sweeps] == [
        "1 cancellations credited and refunded",
        "0 cancellations credited and refunded",
    ]
    assert _credit_notes() == 1
    assert Settlement.objects.get().settled is not None


def _follow_up_payments() -> str:
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "goedeburen", "follow_up_payments"],
        cwd=REPO,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _two_at_once(work) -> list:
    results = [None, None]

    def run(n):
        try:
            results[n] = work()
        except Exception as error:  # reported by the assertions
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def due_settlement(on_postgresql, register):
    """A free cancellation whose task never ran: the settlement is due."""
    registration = _invoiced(register)
    _cancel(registration)  # transaction=True: the task goes to the database queue, unrun
    return Settlement.objects.get()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_make_one_credit_note(due_settlement, monkeypatch):
    rendezvous = seams.settlement_rendezvous(monkeypatch.setattr, lock=True)

    results = _two_at_once(services.settle_due_cancellations)

    assert sorted(results) == [0, 1]
    assert rendezvous.due == 1  # the second found it settled
    assert _credit_notes() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_settlement_lock_both_settlers_credit(due_settlement, monkeypatch):
    # Negative control: without the locks a settler takes (its registration's, then the
    # settlement's) both settlers find it due and both go on to credit the invoice; only
    # the later guard in `credit_invoice` refuses the second. So the test above can fail.
    rendezvous = seams.settlement_rendezvous(monkeypatch.setattr, lock=False)

    results = _two_at_once(lambda: services.settle_cancellation(due_settlement.pk))

    assert rendezvous.due == 2
    assert True in results
    (refused,) = [result for result in results if result is not True]
    assert isinstance(refused, PaymentError) and refused.code == "already_credited"


def test_a_payment_after_a_cancellation_that_was_not_free_is_not_refunded_by_an_old_settlement(
    mollie, event, register, client, immediate_tasks, django_capture_on_commit_callbacks
):
    # One of two attendees cancelled while that was free (settled: credit note, new invoice
    # for the other). Later, after the free period, the booker cancels the rest: that
    # invoice stands. The booker pays it online; the money pays the invoice, and the old
    # attendee's settlement must not come back to credit the invoice and refund the money.
    from tests.payments.test_mollie import WEBHOOK, start

    registration = register(attendees=2, language="en")
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    second = registration.attendees.order_by("order")[1]
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.cancel_attendee(second, by=None, reason="ziek")
    RegistrationSettingsFactory(
        event=event, free_cancellation_until=timezone.now() - timezone.timedelta(days=1)
    )
    payment = start(registration)
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(registration)
    standing = queries.current_invoice(registration)
    assert standing.total == Decimal("125.00")
    mollie.set_status(payment.provider_reference, "paid")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(WEBHOOK, {"id": payment.provider_reference})
    swept = services.settle_due_cancellations()

    assert swept == 0
    assert not payment.refunds.exists()
    assert mollie.refunds == {}
    assert queries.current_invoice(registration) == standing
    assert _credit_notes() == 1  # the attendee's, nothing since
    text = mail_after_cancellation(registration)
    assert "Cancelling was no longer free, so the invoice still stands." in text


def assert_only_the_attendees_part_settled(mollie, registration, payment) -> None:
    """Assert that of a registration of two attendees (€250 paid online) cancelled not
    free after one attendee was cancelled free, only that attendee's part was settled: the
    invoice credited and reissued for the other (it stands), €125 back, nothing due."""
    assert list(
        Invoice.objects.filter(registration=registration)
        .order_by("sequence")
        .values_list("kind", "total")
    ) == [
        (InvoiceKind.INVOICE, Decimal("250.00")),
        (InvoiceKind.CREDIT_NOTE, Decimal("-250.00")),
        (InvoiceKind.INVOICE, Decimal("125.00")),
    ]
    assert [r["amount"]["value"] for r in mollie.refunds[payment.provider_reference]] == ["125.00"]
    balance = queries.balance(registration)
    assert (balance.due, balance.paid) == (Decimal("125.00"), Decimal("125.00"))
    assert services.settle_due_cancellations() == 0


def test_a_settlement_due_when_a_cancellation_not_free_comes_settles_only_the_free_part(
    mollie, event, register, client, immediate_tasks, django_capture_on_commit_callbacks
):
    # Two attendees, paid online (€250). One is cancelled while that is free: a settlement
    # is owed, but it has not run yet (its task waits in the queue, or failed and waits for
    # the sweep). The free period ends and the booker cancels the rest, which is not free.
    # The settlement settles the attendee's part only (the invoice credited and reissued
    # for the other, which stands; €125 back), not the whole registration as if cancelling
    # it had been free (everything credited, all €250 back).
    from tests.payments.test_mollie import WEBHOOK, start

    registration = register(attendees=2)
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "paid")
    client.post(WEBHOOK, {"id": payment.provider_reference})
    registration_services.cancel_attendee(
        registration.attendees.order_by("order")[1], by=None, reason="ziek"
    )  # its settlement's task never runs
    RegistrationSettingsFactory(
        event=event, free_cancellation_until=timezone.now() - timezone.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert _cancel(registration).free is False
    assert Settlement.objects.get().superseded is not None

    with django_capture_on_commit_callbacks(execute=True):
        swept = services.settle_due_cancellations()

    assert swept == 1
    assert_only_the_attendees_part_settled(mollie, registration, payment)


def _received(registration, amount: str) -> None:
    # Money the organiser books by hand, also more than the registration owes now.
    services.record_manual_payment(
        registration, amount=Decimal(amount), note="transfer", by=None, confirm_overpayment=True
    )


def test_a_lapsed_registration_confirmed_again_and_cancelled_not_free_keeps_its_invoice(
    event, register, immediate_tasks, django_capture_on_commit_callbacks
):
    # Lapsed unpaid (free: settled, its invoice credited), confirmed again by a late
    # payment (a new invoice), then cancelled after the free period: that invoice stands,
    # and more money for it must not bring the old settlement back to credit it.
    registration = register()
    services.choose_provider(registration, provider=ProviderName.BANK_TRANSFER)
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.cancel_registration(
            registration, by=None, reason="hold_expired", cause=CancelReason.HOLD_EXPIRED
        )
    with django_capture_on_commit_callbacks(execute=True):
        _received(registration, "125.00")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    RegistrationSettingsFactory(
        event=event, free_cancellation_until=timezone.now() - timezone.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _cancel(registration)
    standing = queries.current_invoice(registration)

    with django_capture_on_commit_callbacks(execute=True):
        _received(registration, "10.00")

    assert queries.current_invoice(registration) == standing
    assert _credit_notes() == 1  # the lapsed registration's, nothing since
    assert Settlement.objects.get().settled is not None
