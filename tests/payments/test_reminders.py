"""The one payment reminder per invoice is a fact of its own (`InvoiceReminder`), not read
from the log; the migration takes over the reminders the log knew of."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from goedeburen.common.audit import log_action
from goedeburen.common.models import LogEntry
from goedeburen.payments import services
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.models import Invoice, InvoiceReminder
from goedeburen.registration.enums import CancelReason, RegistrationStatus

migration = importlib.import_module("goedeburen.payments.migrations.0003_invoice_reminder")


@pytest.fixture
def invoice(register):
    services.choose_provider(register(), provider=ProviderName.INVOICE)
    return Invoice.objects.get()


def test_a_reminder_is_recorded_and_decides_without_the_log(invoice):
    due = invoice.issue_date + dt.timedelta(days=14)

    first = services.follow_up_unpaid(today=due)
    LogEntry.objects.filter(action="invoice.reminder_sent").delete()
    again = services.follow_up_unpaid(today=due + dt.timedelta(days=1))

    assert (first.reminded, again.reminded) == (1, 0)
    reminder = InvoiceReminder.objects.get()
    assert reminder.invoice == invoice
    assert reminder.reminded_at is not None


def test_cancelling_an_unpaid_invoice_says_why(invoice):
    deadline = invoice.due_date + dt.timedelta(days=14)

    result = services.follow_up_unpaid(today=deadline + dt.timedelta(days=1))

    registration = invoice.registration
    registration.refresh_from_db()
    assert result.cancelled == 1
    assert (registration.status, registration.cancel_reason) == (
        RegistrationStatus.CANCELLED,
        CancelReason.UNPAID,
    )


def test_migration_records_the_first_logged_reminder_per_invoice(invoice):
    first = log_action(invoice, action="invoice.reminder_sent", data={"open": "125.00"})
    log_action(invoice, action="invoice.reminder_sent", data={"open": "125.00"})
    log_action(invoice, action="invoice.issued", data={"number": invoice.number})

    migration.backfill_reminders(apps, None)
    migration.backfill_reminders(apps, None)  # run twice: still one

    reminder = InvoiceReminder.objects.get()
    assert (reminder.invoice_id, reminder.reminded_at) == (invoice.pk, first.created)
