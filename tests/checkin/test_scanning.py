"""Scanning at the door: check in once, warn on a second scan, refuse with the reason, undo."""

import datetime as dt
import secrets

import pytest
from django.utils import timezone

from goedeburen.checkin import services, tickets
from goedeburen.checkin.models import CheckIn, Scan, Ticket
from goedeburen.common.models import LogEntry
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.services import Substitute

from .conftest import scan_code, staff

pytestmark = pytest.mark.django_db


def _secret(registration):
    return tickets.secret_for(registration.attendees.get())


def test_scan_of_a_valid_ticket_checks_in(event, hall, register, ingrid):
    registration = register()

    result = scan_code(event, _secret(registration), by=ingrid)

    assert (result.outcome, result.attendee) == ("checked_in", registration.attendees.get())
    assert CheckIn.objects.filter(attendee=result.attendee, undone=None).count() == 1


def test_second_scan_warns_with_time_and_staff_member(event, hall, register, ingrid, owner):
    registration = register()
    first = scan_code(event, _secret(registration), by=ingrid)

    second = scan_code(event, _secret(registration), by=owner, device="phone-2")

    from goedeburen.backoffice.views.checkin import describe

    at = timezone.localtime(first.check_in.at).strftime("%H:%M")
    assert second.outcome == "already"
    assert describe(second) == f"Al ingecheckt om {at} door Ingrid."
    assert CheckIn.objects.count() == 1


def test_secret_is_192_random_bits_that_the_database_does_not_hold(event, hall, register):
    registration = register()
    attendee = registration.attendees.get()

    secret = tickets.secret_for(attendee)

    assert len(secret) == 32 and tickets.looks_like_secret(secret)
    assert registration.code not in secret
    ticket = Ticket.objects.get(attendee=attendee)
    assert ticket.secret_hash == tickets.hash_secret(secret)
    stored = [str(getattr(ticket, f.attname)) for f in Ticket._meta.concrete_fields]
    stored += [str(getattr(attendee, f.attname)) for f in type(attendee)._meta.concrete_fields]
    assert secret not in stored


def _cancelled(register, event):
    registration = register()
    registration_services.cancel_registration(registration, by=None, reason="booker")
    return registration


def _unpaid(register, event):
    return register(event.ticket_types.get(name_nl="Deelname"))


def _unapproved(register, event):
    return register(event.ticket_types.get(name_nl="Bewoner"))


@pytest.mark.parametrize(
    ("make", "reason", "message"),
    [
        (_cancelled, "cancelled", "Geweigerd: deze aanmelding is geannuleerd."),
        (_unpaid, "unpaid", "Geweigerd: deze aanmelding is nog niet betaald."),
        (_unapproved, "unapproved", "Geweigerd: deze aanmelding is nog niet goedgekeurd."),
    ],
)
def test_ticket_of_registration_that_may_not_come_is_refused_with_the_reason(
    event, hall, register, ingrid, make, reason, message
):
    registration = make(register, event)

    result = scan_code(event, _secret(registration), by=ingrid)

    from goedeburen.backoffice.views.checkin import describe

    assert (result.outcome, result.reason, describe(result)) == ("refused", reason, message)
    assert CheckIn.objects.count() == 0


def test_substitution_invalidates_the_old_ticket_at_once(event, hall, register, ingrid):
    registration = register()
    attendee = registration.attendees.get()
    old = tickets.secret_for(attendee)

    registration_services.substitute_attendee(attendee, substitute=Substitute(given_name="Bo"))
    attendee.refresh_from_db()

    refused = scan_code(event, old, by=ingrid)
    admitted = scan_code(event, tickets.secret_for(attendee), by=ingrid)
    assert (refused.outcome, refused.reason) == ("refused", "substituted")
    assert (admitted.outcome, admitted.attendee.given_name) == ("checked_in", "Bo")


def test_old_ticket_stays_refused_when_the_voiding_receiver_never_ran(
    event, hall, register, ingrid
):
    registration = register()
    attendee = registration.attendees.get()
    old = tickets.secret_for(attendee)
    registration_services.substitute_attendee(attendee, substitute=Substitute(given_name="Bo"))
    # As if the receiver had failed: the old ticket still carries no mark.
    Ticket.objects.exclude(secret_hash=tickets.hash_secret(old)).delete()
    Ticket.objects.filter(secret_hash=tickets.hash_secret(old)).update(void_reason="")

    result = scan_code(event, old, by=ingrid)

    assert (result.outcome, result.reason) == ("refused", "substituted")


@pytest.mark.parametrize("kind", ["made_up", "altered"])
def test_made_up_or_altered_code_is_refused_without_revealing_anyone(
    client, event, hall, register, ingrid, kind
):
    registration = register()
    secret = _secret(registration)
    code = (
        secrets.token_urlsafe(24)
        if kind == "made_up"
        else secret[:-1] + ("A" if secret[-1] != "A" else "B")
    )
    client.force_login(ingrid)
    from django.urls import reverse

    response = client.post(
        reverse("backoffice:checkin.scans", kwargs={"event": event.slug}),
        {"scans": [{"nonce": secrets.token_hex(8), "ticket": tickets.hash_secret(code)}]},
        content_type="application/json",
    )

    result = response.json()["results"][0]
    assert (result["outcome"], result["reason"], result["person"], result["check_in"]) == (
        "refused",
        "unknown",
        None,
        None,
    )
    assert Scan.objects.get(nonce=result["nonce"]).attendee is None


def test_undo_by_the_same_device_within_15_minutes_is_logged(event, hall, register, ingrid):
    registration = register()
    first = scan_code(event, _secret(registration), by=ingrid, nonce="a" * 32)

    undone = services.record_scan(
        event, services.ScanInput(nonce="b" * 32, undoes="a" * 32), staff=staff(ingrid)
    )

    assert undone.outcome == "undone"
    assert CheckIn.objects.get(pk=first.check_in.pk).undone is not None
    assert LogEntry.objects.filter(action="checkin.undone").count() == 1
    again = scan_code(event, _secret(registration), by=ingrid)
    assert again.outcome == "checked_in"


def test_undo_by_another_device_is_refused_but_an_owner_may(event, hall, register, ingrid, owner):
    registration = register()
    scan_code(event, _secret(registration), by=ingrid, nonce="a" * 32)

    other = services.record_scan(
        event, services.ScanInput(nonce="b" * 32, undoes="a" * 32), staff=staff(ingrid, "phone-2")
    )
    by_owner = services.record_scan(
        event,
        services.ScanInput(nonce="c" * 32, undoes="a" * 32),
        staff=staff(owner, "laptop", undo_any=True),
    )

    assert (other.outcome, other.reason) == ("not_undone", "other_device")
    assert by_owner.outcome == "undone"


def test_undo_after_15_minutes_is_refused(event, hall, register, ingrid, monkeypatch):
    registration = register()
    scan_code(event, _secret(registration), by=ingrid, nonce="a" * 32)
    later = timezone.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr(services.checking, "_now", lambda: later)

    result = services.record_scan(
        event, services.ScanInput(nonce="b" * 32, undoes="a" * 32), staff=staff(ingrid)
    )

    assert (result.outcome, result.reason) == ("not_undone", "too_late")
    assert CheckIn.objects.filter(undone=None).count() == 1


def test_queue_uploaded_three_times_changes_nothing(event, hall, register, ingrid):
    registrations = [register() for _ in range(3)]
    queue = [
        services.ScanInput(
            nonce=f"{n:032x}",
            at=timezone.now(),
            ticket_hash=tickets.hash_secret(_secret(r)),
        )
        for n, r in enumerate(registrations)
    ]

    first = services.record_scans(event, queue, staff=staff(ingrid), offline=True)
    replays = [
        services.record_scans(event, queue, staff=staff(ingrid), offline=True) for _ in range(3)
    ]

    assert [r.outcome for r in first] == ["checked_in"] * 3
    assert all(r.replayed and r.outcome == "checked_in" for batch in replays for r in batch)
    assert (CheckIn.objects.count(), Scan.objects.count()) == (3, 3)


@pytest.mark.parametrize(("days_ago", "kept"), [(6, True), (8, False)])
def test_an_offline_scan_keeps_its_time_for_a_week(event, hall, register, ingrid, days_ago, kept):
    registration = register()
    at = timezone.now() - dt.timedelta(days=days_ago)
    scan = services.ScanInput(
        nonce=secrets.token_hex(16), at=at, ticket_hash=tickets.hash_secret(_secret(registration))
    )

    services.record_scans(event, [scan], staff=staff(ingrid), offline=True)

    stored = CheckIn.objects.get().at
    assert (stored == at) is kept
    assert stored >= at


def test_same_ticket_on_two_offline_devices_is_one_check_in_and_a_conflict(
    client, event, hall, register, ingrid, owner
):
    registration = register()
    ticket = tickets.hash_secret(_secret(registration))
    at = timezone.now()

    services.record_scans(
        event,
        [services.ScanInput(nonce="1" * 32, at=at, ticket_hash=ticket)],
        staff=staff(ingrid, "phone-1"),
        offline=True,
    )
    second = services.record_scans(
        event,
        [services.ScanInput(nonce="2" * 32, at=at, ticket_hash=ticket)],
        staff=staff(owner, "phone-2"),
        offline=True,
    )

    assert second[0].outcome == "conflict"
    assert CheckIn.objects.filter(undone=None).count() == 1
    client.force_login(owner)
    from django.urls import reverse

    page = client.get(reverse("backoffice:checkin.conflicts", kwargs={"event": event.slug}))
    assert registration.attendees.get().full_name in page.content.decode()


def test_session_check_in_is_a_list_of_its_own(event, hall, register, ingrid):
    from tests.factories import RoundFactory, SessionFactory

    round_ = RoundFactory(event=event)
    one, two = SessionFactory(round=round_), SessionFactory(round=round_)
    registration = register()
    secret = _secret(registration)

    results = [
        scan_code(event, secret, by=ingrid),
        scan_code(event, secret, by=ingrid, session=one.pk),
        scan_code(event, secret, by=ingrid, session=two.pk),
        scan_code(event, secret, by=ingrid, session=one.pk),
    ]

    assert [r.outcome for r in results] == ["checked_in", "checked_in", "checked_in", "already"]
    assert sorted(CheckIn.objects.values_list("session_id", flat=True), key=str) == sorted(
        [None, one.pk, two.pk], key=str
    )


def test_counts_per_door_and_in_total(event, hall, register, ingrid):
    from goedeburen.checkin import queries

    registrations = [register() for _ in range(3)]
    for registration, door in zip(registrations[:2], ["Hoofdingang", "Zij-ingang"], strict=True):
        services.record_scan(
            event,
            services.ScanInput(
                nonce=secrets.token_hex(8), ticket_hash=tickets.hash_secret(_secret(registration))
            ),
            staff=staff(ingrid, door=door),
        )

    counts = queries.counts(event)

    assert (counts.checked_in, counts.expected) == (2, 3)
    assert counts.per_door == [("Hoofdingang", 1), ("Zij-ingang", 1)]
    assert registrations[0].status == RegistrationStatus.CONFIRMED


def test_check_in_and_its_undo_in_one_offline_queue_leave_nobody_checked_in(
    event, hall, register, ingrid
):
    registration = register()
    ticket = tickets.hash_secret(_secret(registration))
    queue = [
        services.ScanInput(nonce="1" * 32, at=timezone.now(), ticket_hash=ticket),
        services.ScanInput(nonce="2" * 32, at=timezone.now(), undoes="1" * 32),
    ]

    results = services.record_scans(event, queue, staff=staff(ingrid), offline=True)
    again = services.record_scans(event, queue, staff=staff(ingrid), offline=True)

    assert [r.outcome for r in results] == ["checked_in", "undone"]
    assert [(r.outcome, r.replayed) for r in again] == [("checked_in", True), ("undone", True)]
    assert CheckIn.objects.get().undone is not None
    assert list(
        LogEntry.objects.filter(action__startswith="checkin.")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == [
        "checkin.checked_in",
        "checkin.undone",
    ]
