"""Background work for payments: thin wrappers that call a service.

`send_invoice_mail` is enqueued when an invoice or credit note is issued (rendering the
PDF is no work for a web request); `settle_payments` by a bank statement import;
`settle_cancellation` by a free cancellation (the credit note and the refunds);
`refund` by an automatic refund on cancellation; `follow_up_unpaid` for the moments an
invoice needs a reminder or its deadline ends; `remind_held_payments` for the moment a
reminder is due before a registration's hold lapses unpaid. `goedeburen follow_up_payments` (cron)
runs the follow-up sweep for a backend that cannot defer.
"""

from django_tasks import task

from . import mailing, services
from .models import Refund


@task()
def send_invoice_mail(invoice_id: int) -> bool:
    """Render invoice `invoice_id` as a PDF and queue the mail that carries it."""
    return mailing.queue_invoice_mail(invoice_id)


@task()
def settle_payments(payment_ids: list[int]) -> int:
    """Confirm and invoice the registrations of booked bank payments; return how many."""
    return services.settle_payments(payment_ids)


@task()
def settle_cancellation(settlement_id: int) -> bool:
    """Credit and refund what a free cancellation owes, once; return whether this did it.

    Safe to run any number of times, alongside the `follow_up_payments` sweep that retries
    a settlement this task failed to settle.
    """
    return services.settle_cancellation(settlement_id)


@task()
def refund(refund_id: int) -> str:
    """Carry out a pending refund through its provider; return its state."""
    found = Refund.objects.filter(pk=refund_id).first()
    if found is None:
        return "missing"
    try:
        return services.execute_refund(found).state
    except services.PaymentError as refused:
        # Recorded for the organiser to see: failed when refused; still pending (the sweep
        # tries again) when the provider did not answer.
        return refused.code


@task()
def follow_up_unpaid() -> dict:
    """Send due payment reminders, cancel long-overdue registrations, settle cancellations."""
    result = services.follow_up_unpaid()
    return {
        "reminded": result.reminded,
        "cancelled": result.cancelled,
        "settled": result.settled,
        "credited": result.credited,
        "hold_reminders": result.hold_reminders,
        "refunded": result.refunded,
    }


@task()
def remind_held_payments() -> int:
    """Remind the bookers whose hold is about to lapse unpaid; return how many."""
    return services.remind_held_payments()
