"""The reminder before a hold lapses (issue 17): scheduled when the hold starts, sent once
by the worker when a third of the hold is left, naming its end in the event's time zone and
what happens then; never for a registration paid, confirmed on account or cancelled
meanwhile, nor for one with an invoice (that has its own reminder)."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goedeburen.common.audit import history
from goedeburen.common.tasks import minute_after
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments import services
from goedeburen.payments.enums import ProviderName
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import RegistrationSettings
from tests.factories import AttendeeFactory, QuotaFactory, RegistrationFactory, TicketTypeFactory
from tests.mail.conftest import part

HOLD = dt.timedelta(minutes=30)  # the default payment hold
LEAD = HOLD / 3


def _reminders():
    return OutgoingMail.objects.filter(kind=MailKind.PAYMENT_REMINDER, schedule="hold_reminder")


@pytest.mark.django_db
def test_a_hold_schedules_its_reminder_when_a_third_is_left(
    register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register()

    [job] = DBTaskResult.objects.filter(task_path__endswith="remind_held_payments")
    assert registration.status == RegistrationStatus.PENDING_PAYMENT
    assert job.run_after == minute_after(registration.hold_until - LEAD)


@pytest.mark.django_db
def test_a_longer_hold_is_reminded_a_third_before_its_end(
    event, register, django_capture_on_commit_callbacks
):
    RegistrationSettings.objects.create(event=event, payment_hold_minutes=90)
    event.save()  # a new version of the event: its booking data are read again

    with django_capture_on_commit_callbacks(execute=True):
        registration = register()

    [job] = DBTaskResult.objects.filter(task_path__endswith="remind_held_payments")
    assert job.run_after == minute_after(registration.hold_until - dt.timedelta(minutes=30))


@pytest.mark.django_db
def test_nothing_is_scheduled_without_a_hold_for_payment(
    event, register, django_capture_on_commit_callbacks
):
    free = TicketTypeFactory(event=event, price=0)
    QuotaFactory(event=event, size=5, ticket_types=[free])

    with django_capture_on_commit_callbacks(execute=True):
        register(free)

    assert not DBTaskResult.objects.filter(task_path__endswith="remind_held_payments").exists()


@pytest.mark.django_db
def test_the_reminder_is_due_from_its_moment_until_the_hold_ends_and_sent_once(register):
    registration = register()
    due = registration.hold_until - LEAD

    early = services.remind_held_payments(now=due - dt.timedelta(seconds=1))
    first = services.remind_held_payments(now=due)
    again = services.remind_held_payments(now=due + dt.timedelta(minutes=1))

    assert (early, first, again) == (0, 1, 0)
    [mail] = _reminders()
    assert mail.registration == registration
    [entry] = [e for e in history(registration) if e.action == "payment.hold_reminder_sent"]
    assert entry.data["hold_until"] == registration.hold_until.isoformat()


@pytest.mark.django_db
@pytest.mark.parametrize("meanwhile", ["paid", "on_account", "bank_transfer", "cancelled"])
def test_no_reminder_once_paid_chosen_or_cancelled(register, meanwhile):
    registration = register()
    if meanwhile == "paid":
        registration_services.confirm_paid(registration, via=ProviderName.MANUAL)
    elif meanwhile == "on_account":
        services.choose_provider(registration, provider=ProviderName.INVOICE)
    elif meanwhile == "bank_transfer":  # its invoice has a reminder of its own
        services.choose_provider(registration, provider=ProviderName.BANK_TRANSFER)
    else:
        registration_services.cancel_registration(registration, by=None, reason="")

    assert services.remind_held_payments(now=registration.hold_until - LEAD) == 0
    assert not _reminders().exists()


@pytest.mark.django_db
def test_no_reminder_after_the_hold_ended(register):
    registration = register()

    assert services.remind_held_payments(now=registration.hold_until) == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_reminder_once_with_the_end_in_amsterdam_time(
    event, ticket, smtp, drain
):
    # Registered 25 minutes ago: the reminder was due 5 minutes ago, its hold ends in 5.
    now = timezone.now()
    held = RegistrationFactory(
        event=event,
        status=RegistrationStatus.PENDING_PAYMENT,
        hold_until=now + dt.timedelta(minutes=5),
        language="nl",
    )
    paid = RegistrationFactory(
        event=event,
        status=RegistrationStatus.PENDING_PAYMENT,
        hold_until=now + dt.timedelta(minutes=5),
    )
    for registration in (held, paid):
        AttendeeFactory(registration=registration, ticket_type=ticket, price=ticket.price)
        services.schedule_hold_reminder(registration)
    registration_services.confirm_paid(paid, via=ProviderName.MANUAL)  # before the worker ran

    drain()
    services.schedule_hold_reminder(held)  # a second task (a hold scheduled twice)
    drain()

    [message] = [m for m in smtp.messages if "Herinnering" in m["Subject"]]
    assert message["To"] == held.email
    text = part(message, "text/plain")
    until = timezone.localtime(held.hold_until, dt.timezone(dt.timedelta(hours=0)))
    amsterdam = timezone.localtime(held.hold_until)  # Europe/Amsterdam, the event's zone
    assert f"Betaal vóór {amsterdam:%-d} " in text
    assert f"{amsterdam:%H:%M}. Anders vervalt uw plaats" in text
    if until.utcoffset() != amsterdam.utcoffset():
        assert f"{until:%H:%M}. Anders" not in text
    assert _reminders().count() == 1
