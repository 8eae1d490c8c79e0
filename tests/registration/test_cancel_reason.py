"""Why a registration was cancelled is a field (`cancel_reason`) that decisions read, set by
every service that cancels, and filled for older rows from the log by a migration."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.common.models import LogEntry
from goedeburen.registration import services
from goedeburen.registration.enums import CancelReason, RegistrationStatus
from goedeburen.registration.models import Registration
from tests.factories import AttendeeFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

cancel_migration = importlib.import_module("goedeburen.registration.migrations.0004_cancel_reason")


def _held(hall, ticket_type, *, minutes: int, status=RegistrationStatus.PENDING_PAYMENT):
    registration = RegistrationFactory(
        event=hall.event, status=status, hold_until=timezone.now() + dt.timedelta(minutes=minutes)
    )
    AttendeeFactory(registration=registration, ticket_type=ticket_type)
    return registration


def _reason(registration) -> str:
    return Registration.objects.get(pk=registration.pk).cancel_reason


def test_each_way_of_cancelling_records_its_reason(hall, paid, staff):
    hall.size = 4
    hall.save()
    by_booker = _held(hall, paid, minutes=5)
    by_organiser = _held(hall, paid, minutes=5)
    rejected = _held(hall, paid, minutes=5, status=RegistrationStatus.AWAITING_APPROVAL)
    expired = _held(hall, paid, minutes=-1)

    services.cancel_registration(by_booker, by=None, reason="booker")
    services.cancel_registration(by_organiser, by=staff, reason="dubbel")
    services.reject_registration(rejected, by=staff)
    services.release_expired_holds()

    assert [_reason(r) for r in (by_booker, by_organiser, rejected, expired)] == [
        CancelReason.BY_PARTICIPANT,
        CancelReason.BY_ORGANISER,
        CancelReason.REJECTED,
        CancelReason.HOLD_EXPIRED,
    ]


def test_a_payment_after_the_hold_ran_out_confirms_whatever_was_logged_since(hall, paid):
    lapsed = _held(hall, paid, minutes=-1)
    services.release_expired_holds()
    # Before cancel_reason the latest log entry decided, and this one hid the lapse.
    services.renew_manage_link(Registration.objects.get(pk=lapsed.pk))

    outcome = services.confirm_paid(lapsed, via="bank_transfer")

    confirmed = Registration.objects.get(pk=lapsed.pk)
    assert outcome.confirmed is True
    assert (confirmed.status, confirmed.cancel_reason) == (RegistrationStatus.CONFIRMED, "")


def test_a_payment_after_the_booker_cancelled_does_not_confirm(hall, paid):
    cancelled = _held(hall, paid, minutes=5)
    services.cancel_registration(cancelled, by=None, reason="booker")

    outcome = services.confirm_paid(cancelled, via="bank_transfer")

    assert outcome.confirmed is False
    assert Registration.objects.get(pk=cancelled.pk).status == RegistrationStatus.CANCELLED


@pytest.mark.parametrize(
    ("action", "data", "by_staff", "expected"),
    [
        ("registration.hold_expired", {}, False, "hold_expired"),
        ("registration.offer_expired", {}, False, "offer_expired"),
        ("registration.rejected", {"message": ""}, True, "rejected"),
        ("registration.cancelled", {"reason": "unpaid"}, False, "unpaid"),
        ("registration.cancelled", {"reason": "booker"}, False, "by_participant"),
        ("registration.cancelled", {"reason": "dubbel"}, True, "by_organiser"),
    ],
)
def test_migration_reads_the_reason_from_the_latest_cancelling_entry(
    staff, action, data, by_staff, expected
):
    registration = RegistrationFactory(status=RegistrationStatus.CANCELLED)
    still_open = RegistrationFactory(status=RegistrationStatus.CONFIRMED)
    log_action(registration, action="registration.created", data={"status": "confirmed"})
    log_action(registration, action=action, by=staff if by_staff else None, data=data)
    log_action(registration, action="registration.link_renewed")
    log_action(still_open, action="registration.hold_expired")

    cancel_migration.backfill_cancel_reasons(apps, None)

    assert (_reason(registration), _reason(still_open)) == (expected, "")
    assert expected in CancelReason.values


def test_migration_leaves_a_cancelled_registration_without_entries_alone():
    registration = RegistrationFactory(status=RegistrationStatus.CANCELLED)
    cancel_migration.backfill_cancel_reasons(apps, None)
    assert _reason(registration) == ""
    assert LogEntry.objects.count() == 0
