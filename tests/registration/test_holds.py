import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goedeburen.common.audit import history
from goedeburen.common.tasks import minute_after
from goedeburen.registration import tasks
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Registration
from goedeburen.registration.services import release_expired_holds
from tests.factories import AttendeeFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _held(hall, ticket_type, *, status, minutes: int, seats: int = 1) -> Registration:
    registration = RegistrationFactory(
        event=hall.event, status=status, hold_until=timezone.now() + dt.timedelta(minutes=minutes)
    )
    AttendeeFactory.create_batch(seats, registration=registration, ticket_type=ticket_type)
    return registration


@pytest.mark.parametrize(
    "status", [RegistrationStatus.PENDING_PAYMENT, RegistrationStatus.AWAITING_APPROVAL]
)
def test_release_cancels_expired_hold_and_logs_it(hall, paid, status):
    expired = _held(hall, paid, status=status, minutes=-1)

    assert release_expired_holds() == 1

    expired.refresh_from_db()
    assert expired.status == RegistrationStatus.CANCELLED
    [entry] = history(expired)
    assert entry.action == "registration.hold_expired"
    assert entry.data["status"] == [status, "cancelled"]


def test_release_keeps_running_holds_and_confirmed_registrations(hall, paid):
    running = _held(hall, paid, status=RegistrationStatus.PENDING_PAYMENT, minutes=5)
    confirmed = RegistrationFactory(event=hall.event, hold_until=timezone.now())

    assert release_expired_holds() == 0

    assert Registration.objects.get(pk=running.pk).status == RegistrationStatus.PENDING_PAYMENT
    assert Registration.objects.get(pk=confirmed.pk).status == RegistrationStatus.CONFIRMED


def test_seats_of_a_hold_come_free_when_it_ends(hall, paid, free, register):
    registration = register(paid, paid, paid)
    with pytest.raises(RegistrationError):
        register(free)

    release_expired_holds(now=registration.hold_until + dt.timedelta(seconds=1))

    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CANCELLED
    assert register(free).status == RegistrationStatus.CONFIRMED


def test_release_task_calls_the_service(hall, paid):
    expired = _held(hall, paid, status=RegistrationStatus.PENDING_PAYMENT, minutes=-1)

    assert tasks.release_expired_holds.call() == 1

    assert Registration.objects.get(pk=expired.pk).status == RegistrationStatus.CANCELLED


def test_release_command_calls_the_service(hall, paid, capsys):
    _held(hall, paid, status=RegistrationStatus.AWAITING_APPROVAL, minutes=-1)

    call_command("release_expired_holds")

    assert capsys.readouterr().out == "1 registrations released.\n"


def test_register_schedules_the_release_at_the_end_of_the_hold(
    hall, paid, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(paid)

    [job] = DBTaskResult.objects.filter(task_path__endswith="release_expired_holds")
    # at the end of the minute the hold ends in: one run of the sweep serves that minute
    assert job.run_after == minute_after(registration.hold_until)


def test_register_confirmed_at_once_schedules_nothing(
    hall, free, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(free)

    assert DBTaskResult.objects.filter(task_path__endswith="release_expired_holds").count() == 0


def test_refused_registration_schedules_nothing(
    hall, paid, register, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RegistrationError),
    ):
        register(paid, paid, paid, paid)

    assert callbacks == []
