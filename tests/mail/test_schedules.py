"""Scheduled mails: practical information before the event, the thank-you after; each once
per registration, however often or however concurrently the schedule runs."""

import datetime as dt
import threading

import pytest
from django.db import connections

from goedeburen.mail import services
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import MailSettings, OutgoingMail
from goedeburen.registration.enums import RegistrationStatus
from tests.factories import AttendeeFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

# The event of the factories is on Friday 5 March 2027, 10:00–16:30 in Amsterdam.
WEEK_BEFORE = dt.datetime(2027, 2, 26, 12, 0, tzinfo=dt.UTC)
DAY_AFTER = dt.datetime(2027, 3, 6, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def confirmed(event, ticket):
    registrations = []
    for n, status in enumerate(
        [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED]
    ):
        registration = RegistrationFactory(event=event, status=status, email=f"p{n}@example.org")
        AttendeeFactory(registration=registration, ticket_type=ticket)
        registrations.append(registration)
    return registrations[:2]


def _kinds():
    return sorted(OutgoingMail.objects.values_list("kind", "recipient"))


def test_practical_information_goes_once_to_each_confirmed_registration(confirmed):
    assert services.run_schedules(now=WEEK_BEFORE) == 2
    assert services.run_schedules(now=WEEK_BEFORE + dt.timedelta(hours=1)) == 0

    assert _kinds() == [
        (MailKind.PRACTICAL_INFO, "p0@example.org"),
        (MailKind.PRACTICAL_INFO, "p1@example.org"),
    ]
    assert set(OutgoingMail.objects.values_list("schedule", flat=True)) == {"practical_info"}


def test_nothing_is_due_before_the_schedule_or_after_the_event_started(confirmed):
    assert services.run_schedules(now=WEEK_BEFORE - dt.timedelta(days=1)) == 0
    assert services.run_schedules(now=dt.datetime(2027, 3, 5, 9, 30, tzinfo=dt.UTC)) == 0
    assert OutgoingMail.objects.count() == 0


def test_thank_you_goes_after_the_event_and_skips_those_who_opted_out(confirmed, event):
    services.set_opt_out(event, email="P1@example.org", opted_out=True)

    assert services.run_schedules(now=DAY_AFTER) == 1

    assert _kinds() == [(MailKind.THANK_YOU, "p0@example.org")]


def test_schedule_switched_off_sends_nothing(confirmed, event):
    MailSettings.objects.create(event=event, practical_info_days_before=None)

    assert services.run_schedules(now=WEEK_BEFORE) == 0


def test_days_before_come_from_the_settings(confirmed, event):
    MailSettings.objects.create(event=event, practical_info_days_before=2)

    assert services.run_schedules(now=WEEK_BEFORE) == 0
    assert services.run_schedules(now=dt.datetime(2027, 3, 3, 9, 0, tzinfo=dt.UTC)) == 2


def test_queue_scheduled_mail_twice_queues_once(confirmed):
    first = services.queue_scheduled_mail(
        confirmed[0], schedule="payment_reminder_1", kind=MailKind.PAYMENT_REMINDER
    )
    again = services.queue_scheduled_mail(
        confirmed[0], schedule="payment_reminder_1", kind=MailKind.PAYMENT_REMINDER
    )

    assert first is not None and again is None
    assert OutgoingMail.objects.filter(schedule="payment_reminder_1").count() == 1


def test_scheduled_mail_is_sent_with_the_calendar_file(smtp, confirmed, event):
    services.run_schedules(now=WEEK_BEFORE)

    assert services.deliver_due() == 2
    message = smtp.messages[0]
    assert message["Subject"].endswith(event.name_nl)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"


@pytest.mark.django_db(transaction=True)
def test_schedules_running_at_once_in_two_workers_queue_each_mail_once(
    on_postgresql, event, ticket
):
    registrations = []
    for n in range(20):
        registration = RegistrationFactory(event=event, email=f"r{n}@example.org")
        AttendeeFactory(registration=registration, ticket_type=ticket)
        registrations.append(registration)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.run_schedules(now=WEEK_BEFORE))
        except Exception as error:  # a thread's failure must fail the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(results) == 20
    assert OutgoingMail.objects.count() == 20
    assert OutgoingMail.objects.values("registration").distinct().count() == 20


@pytest.mark.django_db(transaction=True)
def test_check_then_queue_without_the_constraint_queues_twice(on_postgresql, event, ticket):
    # Negative control: the same race with only the "has it one already?" check and no
    # schedule key (so no unique constraint) queues a registration's mail more than once,
    # so the test above would notice a schedule that relied on the check alone.
    registration = RegistrationFactory(event=event)
    AttendeeFactory(registration=registration, ticket_type=ticket)
    barrier = threading.Barrier(4)

    def run():
        try:
            exists = OutgoingMail.objects.filter(registration=registration).exists()
            barrier.wait()
            if not exists:
                services.queue_registration_mail(registration, kind=MailKind.PRACTICAL_INFO)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert OutgoingMail.objects.filter(registration=registration).count() > 1
