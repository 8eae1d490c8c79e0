"""The seat counter on each quota equals its records, whatever use cases run in whatever order.

A property-style test: random sequences of every use case that takes, keeps or gives back
seats (booking, the waiting list and its offers, approval, rejection, cancellation, holds
and offers that run out, payment, substitution, quota changes) on an event with a shared
quota and a second one that one ticket type also counts against. After every step each
counter equals the seats its records hold, and never exceeds its size; `recount` then
finds nothing. A counter set wrong on purpose is reported and repaired.
"""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from goedeburen.common.models import LogEntry
from goedeburen.registration import queries, services
from goedeburen.registration.enums import HELD_STATUSES, CancelReason, RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Attendee, Quota, Registration
from tests.factories import (
    OpenEventFactory,
    QuotaFactory,
    TicketTypeFactory,
    attendee,
    billing,
    booker,
    form_token,
)

pytestmark = pytest.mark.django_db

SEEDS = range(32)
STEPS = 60
S = RegistrationStatus


@pytest.fixture
def world(db, staff):
    event = OpenEventFactory()
    paid = TicketTypeFactory(event=event, price=Decimal("125.00"), max_per_registration=4)
    free = TicketTypeFactory(event=event, price=Decimal("0"), max_per_registration=4)
    resident = TicketTypeFactory(
        event=event, price=Decimal("0"), needs_approval=True, max_per_registration=4
    )
    workshop = TicketTypeFactory(event=event, price=Decimal("20.00"), max_per_registration=4)
    hall = QuotaFactory(event=event, size=7, ticket_types=[paid, free, resident, workshop])
    room = QuotaFactory(event=event, size=3, ticket_types=[workshop])
    return {
        "event": event,
        "tickets": [paid, free, resident, workshop],
        "quotas": [hall, room],
        "staff": staff,
    }


def _assert_counters_match_records(event) -> None:
    quotas = list(Quota.objects.filter(event=event).order_by("pk"))
    records = queries.counted_seats([q.pk for q in quotas])
    assert [(q.name, q.taken) for q in quotas] == [(q.name, records[q.pk]) for q in quotas]
    assert all(q.taken <= q.size for q in quotas)


def _pick(rng, registrations):
    registrations = list(registrations.order_by("pk"))
    return rng.choice(registrations) if registrations else None


def _step(rng: random.Random, world: dict) -> str:
    event, staff = world["event"], world["staff"]
    regs = Registration.objects.filter(event=event)
    past = timezone.now() - dt.timedelta(minutes=1)
    action = rng.choice(
        [
            *["register"] * 3,
            *["join"] * 2,
            "approve",
            "reject",
            *["cancel"] * 2,
            *["hold_runs_out"] * 2,
            "release_holds",
            *["offer_runs_out"] * 2,
            *["expire_offers"] * 2,
            *["accept_offer"] * 2,
            "offer",
            "pay",
            "on_account",
            "transfer",
            "substitute",
            "resize",
            "retype",
        ]
    )
    try:
        if action in ("register", "join"):
            tickets = [rng.choice(world["tickets"]) for _ in range(rng.randint(1, 3))]
            book = services.register if action == "register" else services.join_waiting_list
            book(
                event,
                booker=booker(),
                attendees=[attendee(t) for t in tickets],
                billing=billing(),
                form_token=form_token(event),
                language="nl",
            )
        elif action == "approve" and (r := _pick(rng, regs.filter(status=S.AWAITING_APPROVAL))):
            services.approve_registration(r, by=staff)
        elif action == "reject" and (r := _pick(rng, regs.filter(status=S.AWAITING_APPROVAL))):
            services.reject_registration(r, by=staff)
        elif action == "cancel" and (r := _pick(rng, regs.exclude(status=S.CANCELLED))):
            services.cancel_registration(r, by=rng.choice([None, staff]), reason="test")
        elif action == "hold_runs_out" and (r := _pick(rng, regs.filter(status__in=HELD_STATUSES))):
            Registration.objects.filter(pk=r.pk).update(hold_until=past)  # time passes
        elif action == "release_holds":
            services.release_expired_holds()
        elif action == "offer_runs_out" and (
            r := _pick(rng, regs.filter(status=S.WAITING_LIST, offer_until__isnull=False))
        ):
            Registration.objects.filter(pk=r.pk).update(offer_until=past)  # time passes
        elif action == "expire_offers":
            services.expire_offers()
        elif action == "accept_offer" and (
            r := _pick(rng, regs.filter(status=S.WAITING_LIST, offer_until__isnull=False))
        ):
            services.accept_offer(r)
        elif action == "offer":
            services.offer_free_seats_of(event.pk)
        elif action == "pay" and (
            r := _pick(
                rng,
                regs.filter(status=S.PENDING_PAYMENT)
                | regs.filter(status=S.CANCELLED, cancel_reason=CancelReason.HOLD_EXPIRED),
            )
        ):
            services.confirm_paid(r, via="bank_transfer")
        elif action == "on_account" and (r := _pick(rng, regs.filter(status=S.PENDING_PAYMENT))):
            services.confirm_on_account(r)
        elif action == "transfer" and (r := _pick(rng, regs.filter(status=S.PENDING_PAYMENT))):
            services.hold_for_transfer(
                r, until=timezone.now() + dt.timedelta(days=rng.choice([-1, 3]))
            )
        elif action == "substitute" and (
            a := _pick(
                rng,
                Attendee.objects.filter(registration__event=event).exclude(
                    registration__status=S.CANCELLED
                ),
            )
        ):
            services.substitute_attendee(
                a, substitute=services.Substitute(given_name="Cor"), by=staff
            )
        elif action == "resize":
            quota = rng.choice(world["quotas"])
            services.change_quota_size(quota, size=rng.randint(2, 9), by=staff)
        elif action == "retype":
            hall = world["quotas"][0]
            chosen = rng.sample(world["tickets"], rng.randint(2, 4))
            services.save_quota(
                hall,
                event=event,
                name=hall.name,
                size=rng.randint(6, 12),
                ticket_types=chosen,
                by=staff,
            )
        else:
            return f"{action} (nothing to do)"
    except RegistrationError as refused:
        return f"{action} refused: {refused.code}"
    return action


@pytest.mark.parametrize("seed", SEEDS)
def test_counter_equals_the_records_after_any_sequence_of_use_cases(world, seed):
    rng = random.Random(seed)
    done = []
    for _ in range(STEPS):
        done.append(_step(rng, world))
        try:
            _assert_counters_match_records(world["event"])
        except AssertionError as wrong:
            raise AssertionError(f"seed {seed}, after {done}") from wrong

    assert services.recount_seats(repair=False) == []
    # The sequence did more than book: seats were given back and taken again.
    kinds = {step.split()[0] for step in done if "nothing" not in step}
    assert len(kinds) >= 6, done


def test_a_corrupted_counter_is_reported_then_repaired_under_its_lock(world, register):
    event = world["event"]
    paid, free = world["tickets"][:2]
    register(free, free, event=event)
    hall = world["quotas"][0]
    Quota.objects.filter(pk=hall.pk).update(taken=F("taken") + 3)  # as a bug might leave it

    reported = services.recount_seats(repair=False)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("recount", stdout=out)
    repaired = services.recount_seats(repair=True)

    assert [(d.quota.pk, d.counted, d.records, d.repaired) for d in reported] == [
        (hall.pk, 5, 2, False)
    ]
    assert exit_code.value.code == 1
    assert f"quota {hall.pk} '{hall.name}' of event {event.pk}: counter 5, " in out.getvalue()
    assert "1 differences." in out.getvalue()
    assert [(d.counted, d.records, d.repaired) for d in repaired] == [(5, 2, True)]
    assert Quota.objects.get(pk=hall.pk).taken == 2
    entry = LogEntry.objects.get(action="quota.recounted")
    assert entry.data == {"quota": hall.name, "counted": 5, "records": 2}
    assert services.recount_seats(repair=True) == []


def test_recount_command_with_repair_fixes_and_a_second_run_finds_nothing(world, register):
    hall = world["quotas"][0]
    register(world["tickets"][1], event=world["event"])
    Quota.objects.filter(pk=hall.pk).update(taken=0)

    first, second = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("recount", "--repair", f"--event={world['event'].slug}", stdout=first)
    call_command("recount", stdout=second)

    assert "(repaired)" in first.getvalue()
    assert second.getvalue() == "0 differences.\n"
    assert Quota.objects.get(pk=hall.pk).taken == 1


def test_nightly_task_repairs_the_counters(world, register, immediate_tasks):
    from goedeburen.registration import tasks

    hall = world["quotas"][0]
    register(world["tickets"][1], event=world["event"])
    Quota.objects.filter(pk=hall.pk).update(taken=4)

    result = tasks.recount_seats.enqueue()

    assert result.return_value == 1
    assert Quota.objects.get(pk=hall.pk).taken == 1


def test_a_counter_whose_records_exceed_the_size_is_reported_not_repaired(world, register):
    hall = world["quotas"][0]
    register(*world["tickets"][1:2] * 2, event=world["event"])
    # Rows written past the services, beyond the quota (the CHECK keeps the counter in it).
    Quota.objects.filter(pk=hall.pk).update(size=2, taken=0)
    Registration.objects.filter(event=world["event"]).update(status=S.CONFIRMED)
    extra = Attendee.objects.first()
    extra.pk = None
    extra.ticket_secret = "x" * 40
    extra.save()

    (difference,) = services.recount_seats(repair=True)

    assert (difference.counted, difference.records, difference.repaired) == (0, 3, False)
    assert Quota.objects.get(pk=hall.pk).taken == 0


def test_quota_size_below_its_seats_taken_is_refused(world, register, english):
    hall = world["quotas"][0]
    register(*[world["tickets"][1]] * 3, event=world["event"])

    with pytest.raises(RegistrationError) as refused:
        services.change_quota_size(hall, size=2, by=world["staff"])

    assert refused.value.code == "size_below_taken"
    assert str(refused.value.message) == (
        "A quota of 2 seats is too small: 3 of its seats are taken already."
    )
    assert Quota.objects.get(pk=hall.pk).size == 7


def test_saving_a_quota_with_other_ticket_types_recounts_it(world, register):
    paid, free, resident, workshop = world["tickets"]
    room = world["quotas"][1]
    register(free, free, event=world["event"])

    services.save_quota(
        room,
        event=world["event"],
        name=room.name,
        size=5,
        ticket_types=[free, workshop],
        by=world["staff"],
    )

    assert Quota.objects.get(pk=room.pk).taken == 2
    assert LogEntry.objects.filter(action="quota.changed").count() == 1


def test_a_stale_quota_saved_keeps_the_counter(world, register):
    hall = Quota.objects.get(pk=world["quotas"][0].pk)  # read before the seats were taken
    register(world["tickets"][1], event=world["event"])

    hall.name = "Grote zaal"
    hall.save()

    assert Quota.objects.get(pk=hall.pk).taken == 1


def test_a_booking_that_releases_expired_holds_offers_the_rest_to_the_waiting_list(
    event, hall, free, register, join, immediate_tasks, django_capture_on_commit_callbacks
):
    held = register(free, free)  # 2 of the hall's 3 seats
    register(free)  # the hall is full
    waiting = join(free)
    Registration.objects.filter(pk=held.pk).update(  # a hold that has run out
        status=S.PENDING_PAYMENT, hold_until=timezone.now() - dt.timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        booked = register(free)

    released = Registration.objects.get(pk=held.pk)
    assert (released.status, released.cancel_reason) == (S.CANCELLED, "hold_expired")
    assert booked.status == S.CONFIRMED
    offered = Registration.objects.get(pk=waiting.pk)
    assert offered.offer_until is not None  # the seat left over, by the task after the commit
    assert Quota.objects.get(pk=hall.pk).taken == 3
    assert services.recount_seats(repair=False) == []
