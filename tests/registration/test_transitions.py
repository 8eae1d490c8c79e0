"""Approval, rejection and cancellation: each transition, its refusals and its signals."""

import datetime as dt

import pytest
from django.utils import timezone

from goedeburen.common.audit import history
from goedeburen.registration import services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Registration
from tests.factories import AttendeeFactory, RegistrationFactory, RegistrationSettingsFactory

pytestmark = pytest.mark.django_db

S = RegistrationStatus


def _snapshot(registration) -> tuple:
    fresh = Registration.objects.get(pk=registration.pk)
    return fresh.status, fresh.hold_until, fresh.updated, len(history(fresh))


def test_approve_free_registration_confirms_it(hall, resident, register, staff, sent):
    registration = register(resident)
    sent.reset()

    approved = services.approve_registration(registration, by=staff, message="Welkom!")

    assert approved.status == S.CONFIRMED
    assert approved.hold_until is None
    assert sent.names() == ["registration_approved", "registration_confirmed"]
    assert sent.calls[0][1]["message"] == "Welkom!"
    entry = history(approved)[0]
    assert (entry.action, entry.actor, entry.data["status"]) == (
        "registration.approved",
        staff,
        ["awaiting_approval", "confirmed"],
    )


def test_approve_with_a_paid_ticket_pends_payment_with_a_payment_hold(
    hall, resident, paid, register, staff, sent
):
    registration = register(resident, paid)
    sent.reset()
    before = timezone.now()

    approved = services.approve_registration(registration, by=staff)

    assert approved.status == S.PENDING_PAYMENT
    assert dt.timedelta(minutes=30) <= approved.hold_until - before < dt.timedelta(minutes=31)
    assert sent.names() == ["registration_approved"]


def test_approve_after_the_hold_ran_out_takes_seats_again_when_free(
    hall, resident, register, staff
):
    registration = register(resident)
    Registration.objects.filter(pk=registration.pk).update(
        hold_until=timezone.now() - dt.timedelta(minutes=1)
    )

    assert services.approve_registration(registration, by=staff).status == S.CONFIRMED


def test_approve_after_a_booking_released_the_expired_hold_is_refused(
    hall, resident, free, register, staff, sent
):
    registration = register(resident)
    Registration.objects.filter(pk=registration.pk).update(
        hold_until=timezone.now() - dt.timedelta(minutes=1)
    )
    # The hall is full with the expired hold counted: this booking releases it first.
    register(free, free, free)
    released = Registration.objects.get(pk=registration.pk)
    assert (released.status, released.cancel_reason) == (S.CANCELLED, "hold_expired")
    sent.reset()
    before = _snapshot(registration)

    with pytest.raises(RegistrationError) as refused:
        services.approve_registration(registration, by=staff)

    assert refused.value.code == "wrong_state"
    assert _snapshot(registration) == before
    assert sent.names() == []


@pytest.mark.parametrize("service", ["approve_registration", "reject_registration"])
@pytest.mark.parametrize("status", [S.PENDING_PAYMENT, S.CONFIRMED, S.CANCELLED, S.WAITING_LIST])
def test_decide_on_registration_not_awaiting_approval_is_refused(
    event, staff, sent, service, status, english
):
    registration = RegistrationFactory(event=event, status=status)
    before = _snapshot(registration)

    with pytest.raises(RegistrationError) as refused:
        getattr(services, service)(registration, by=staff)

    assert refused.value.code == "wrong_state"
    assert str(refused.value.message) == (
        "Only a registration that awaits approval can be approved or rejected; "
        f"this one is “{registration.get_status_display()}”."
    )
    assert _snapshot(registration) == before
    assert sent.names() == []


def test_reject_cancels_and_frees_the_seats(hall, resident, free, register, staff, sent):
    registration = register(resident, resident, resident)
    with pytest.raises(RegistrationError):
        register(free)
    sent.reset()

    rejected = services.reject_registration(registration, by=staff, message="Helaas.")

    assert rejected.status == S.CANCELLED
    assert sent.names() == ["registration_rejected"]
    assert sent.calls[0][1]["message"] == "Helaas."
    assert history(rejected)[0].data["message"] == "Helaas."
    assert register(free).status == S.CONFIRMED


@pytest.mark.parametrize("status", [S.AWAITING_APPROVAL, S.PENDING_PAYMENT, S.CONFIRMED])
def test_cancel_frees_the_seats_and_sends_the_signal_once(
    hall, paid, register, staff, sent, status
):
    registration = RegistrationFactory(
        event=hall.event, status=status, hold_until=timezone.now() + dt.timedelta(hours=1)
    )
    AttendeeFactory.create_batch(3, registration=registration, ticket_type=paid)

    result = services.cancel_registration(registration, by=staff, reason="double booking")

    assert result.registration.status == S.CANCELLED
    assert result.free is True
    assert sent.names() == ["registration_cancelled"]
    assert sent.calls[0][1]["reason"] == "double booking"
    assert sent.calls[0][1]["by"] == staff
    assert register(paid).status == S.PENDING_PAYMENT


def test_cancel_a_cancelled_registration_is_refused(event, staff, sent, english):
    registration = RegistrationFactory(event=event, status=S.CANCELLED)
    before = _snapshot(registration)

    with pytest.raises(RegistrationError) as refused:
        services.cancel_registration(registration, by=staff, reason="again")

    assert (refused.value.code, str(refused.value.message)) == (
        "wrong_state",
        "This registration is already cancelled.",
    )
    assert _snapshot(registration) == before
    assert sent.names() == []


@pytest.mark.parametrize(("days", "expected"), [(1, True), (-1, False)])
def test_cancel_is_free_only_until_the_policy_date(hall, free, register, event, days, expected):
    RegistrationSettingsFactory(
        event=event, free_cancellation_until=timezone.now() + dt.timedelta(days=days)
    )
    registration = register(free)

    result = services.cancel_registration(registration, by=None, reason="booker")

    assert result.free is expected
    assert history(result.registration)[0].data["free"] is expected
