"""Two changes of one registration at the same moment, on PostgreSQL: an offer accepted twice
or while it runs out, approval against rejection or the hold running out, a cancellation
twice or beside a substitution, a quota made smaller during a rush. Each change locks the
registration (`services.common.locked`) and re-reads its state, so one of the two wins, the
other is refused or finds nothing to do, and every counter still equals its records.

Every race is run ROUNDS times on fresh registrations, released together by a barrier. The
negative controls take the registration's lock away (and widen the gap between reading the
state and writing it) to show that the races are real.
"""

import datetime as dt
import threading
import time
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goedeburen.common.audit import history
from goedeburen.mail.enums import ATTENDEE_KINDS
from goedeburen.mail.models import OutgoingMail
from goedeburen.registration import services, tasks
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Attendee, Quota, Registration
from goedeburen.registration.services import approval, cancellation, self_service, waiting_list
from tests.factories import (
    OpenEventFactory,
    QuotaFactory,
    TicketTypeFactory,
    UserFactory,
    attendee,
    billing,
    booker,
    form_token,
)
from tests.seams import someone_waits_for_a_lock
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = RegistrationStatus
ROUNDS = 8
GAP = 0.1  # the negative controls' gap between reading the state and writing it


@pytest.fixture
def staff(on_postgresql):
    return UserFactory(username="secretariaat")


def _world(size: int = 1, *, price=Decimal("0"), needs_approval: bool = False):
    event = OpenEventFactory()
    ticket = TicketTypeFactory(event=event, price=price, needs_approval=needs_approval)
    quota = QuotaFactory(event=event, size=size, ticket_types=[ticket])
    return event, ticket, quota


def _book(event, ticket, *, waiting: bool = False, people: int = 1) -> Registration:
    book = services.join_waiting_list if waiting else services.register
    return book(
        event,
        booker=booker(),
        attendees=[attendee(ticket) for _ in range(people)],
        billing=billing(),
        form_token=form_token(event),
        language="nl",
    )


def _race(*works) -> list:
    """Run the works at once; return each one's outcome: "ok" or the refusal's code."""

    def run(n):
        try:
            works[n]()
        except RegistrationError as refused:
            return refused.code
        return "ok"

    return all_at_once(len(works), run)


def _assert_counters_exact() -> None:
    assert services.recount_seats(repair=False) == []
    seated = Attendee.objects.exclude(registration__status=S.CANCELLED).exclude(
        registration__status=S.WAITING_LIST, registration__offer_until__isnull=True
    )
    assert sum(Quota.objects.values_list("taken", flat=True)) == seated.count()


def _offered(event, ticket) -> Registration:
    """Return a waiting-list registration offered the quota's one seat."""
    first = _book(event, ticket)
    waiting = _book(event, ticket, waiting=True)
    services.cancel_registration(first, by=None, reason="kan niet")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.offer_until is not None) == (S.WAITING_LIST, True)
    return waiting


def _unlocked(gap: float = GAP):
    """`common.locked` without the row lock, waiting before the caller decides."""

    def read(registration):
        row = Registration.objects.select_related("event").get(pk=registration.pk)
        time.sleep(gap)  # a widened race window, not a wait for a result
        return row

    return read


def test_an_offer_accepted_twice_at_once_is_accepted_once():
    for _ in range(ROUNDS):
        event, ticket, _quota = _world()
        waiting = _offered(event, ticket)

        outcomes = _race(
            lambda w=waiting: services.accept_offer(w), lambda w=waiting: services.accept_offer(w)
        )

        assert sorted(outcomes) == ["offer_gone", "ok"]
        assert history(waiting).filter(action="registration.offer_accepted").count() == 1
        assert Registration.objects.get(pk=waiting.pk).status == S.CONFIRMED
    _assert_counters_exact()


def test_negative_control_without_the_lock_an_offer_is_accepted_twice(on_postgresql, monkeypatch):
    monkeypatch.setattr(waiting_list, "locked", _unlocked())
    event, ticket, _quota = _world()
    waiting = _offered(event, ticket)

    outcomes = _race(lambda: services.accept_offer(waiting), lambda: services.accept_offer(waiting))

    assert outcomes == ["ok", "ok"]
    assert history(waiting).filter(action="registration.offer_accepted").count() == 2


def test_an_offer_accepted_as_it_is_passed_on_ends_one_way():
    ends = Counter()
    for _ in range(ROUNDS):
        event, ticket, _quota = _world()
        waiting = _offered(event, ticket)
        Registration.objects.filter(pk=waiting.pk).update(
            offer_until=timezone.now() - dt.timedelta(seconds=1)  # time passes
        )

        accepted, _swept = _race(
            lambda w=waiting: services.accept_offer(w), services.release_expired_holds
        )

        status = Registration.objects.get(pk=waiting.pk).status
        # Accepted before the sweep locked it, or passed on and then gone for the acceptor.
        assert (accepted, status) in [("ok", S.CONFIRMED), ("offer_gone", S.CANCELLED)]
        ends[status] += 1
        _assert_counters_exact()
    assert sum(ends.values()) == ROUNDS


def test_one_freed_seat_is_offered_once_while_the_offer_task_runs():
    for _ in range(ROUNDS):
        event, ticket, quota = _world()
        first = _book(event, ticket)
        line = [_book(event, ticket, waiting=True) for _ in range(2)]

        outcomes = _race(
            lambda r=first: services.cancel_registration(r, by=None, reason="kan niet"),
            lambda e=event: services.offer_free_seats_of(e.pk),
        )

        assert outcomes == ["ok", "ok"]
        offered = Registration.objects.filter(
            pk__in=[r.pk for r in line], offer_until__isnull=False
        )
        assert Quota.objects.get(pk=quota.pk).taken == offered.count() <= 1
    _assert_counters_exact()


@pytest.mark.parametrize("order", ["approve_first", "reject_first"])
def test_approval_and_rejection_at_once_decide_once(staff, order):
    for _ in range(ROUNDS):
        event, ticket, quota = _world(needs_approval=True)
        awaiting = _book(event, ticket)
        assert awaiting.status == S.AWAITING_APPROVAL
        works = [
            lambda r=awaiting: services.approve_registration(r, by=staff),
            lambda r=awaiting: services.reject_registration(r, by=staff),
        ]
        if order == "reject_first":
            works.reverse()

        outcomes = _race(*works)

        assert sorted(outcomes) == ["ok", "wrong_state"]
        status = Registration.objects.get(pk=awaiting.pk).status
        assert status in (S.CONFIRMED, S.CANCELLED)
        assert Quota.objects.get(pk=quota.pk).taken == (status == S.CONFIRMED)
        decided = history(awaiting).filter(
            action__in=["registration.approved", "registration.rejected"]
        )
        assert decided.count() == 1
    _assert_counters_exact()


def test_approving_twice_at_once_approves_once(staff):
    for _ in range(ROUNDS):
        event, ticket, _quota = _world(needs_approval=True)
        awaiting = _book(event, ticket)

        outcomes = _race(
            lambda r=awaiting: services.approve_registration(r, by=staff),
            lambda r=awaiting: services.approve_registration(r, by=staff),
        )

        assert sorted(outcomes) == ["ok", "wrong_state"]
        assert history(awaiting).filter(action="registration.approved").count() == 1
    _assert_counters_exact()


def test_negative_control_without_the_lock_approval_and_rejection_both_happen(staff, monkeypatch):
    monkeypatch.setattr(approval, "locked", _unlocked())
    event, ticket, quota = _world(needs_approval=True)
    awaiting = _book(event, ticket)

    outcomes = _race(
        lambda: services.approve_registration(awaiting, by=staff),
        lambda: services.reject_registration(awaiting, by=staff),
    )

    assert outcomes == ["ok", "ok"]
    decided = history(awaiting).filter(
        action__in=["registration.approved", "registration.rejected"]
    )
    assert decided.count() == 2


def test_approval_as_the_approval_hold_runs_out_ends_one_way(staff):
    for _ in range(ROUNDS):
        event, ticket, _quota = _world(needs_approval=True)
        awaiting = _book(event, ticket)
        Registration.objects.filter(pk=awaiting.pk).update(
            hold_until=timezone.now() - dt.timedelta(seconds=1)  # time passes
        )

        approved, _swept = _race(
            lambda r=awaiting: services.approve_registration(r, by=staff),
            services.release_expired_holds,
        )

        status = Registration.objects.get(pk=awaiting.pk).status
        assert (approved, status) in [("ok", S.CONFIRMED), ("wrong_state", S.CANCELLED)]
        _assert_counters_exact()


def test_cancelling_twice_at_once_cancels_once():
    from goedeburen.payments.models import Settlement

    for _ in range(ROUNDS):
        event, ticket, _quota = _world(size=2, price=Decimal("125.00"))
        registration = _book(event, ticket, people=2)

        outcomes = _race(
            lambda r=registration: services.cancel_registration(r, by=None, reason="a"),
            lambda r=registration: services.cancel_registration(r, by=None, reason="b"),
        )

        assert sorted(outcomes) == ["ok", "wrong_state"]
        assert history(registration).filter(action="registration.cancelled").count() == 1
        assert Settlement.objects.filter(registration=registration).count() == 1
    _assert_counters_exact()
    assert Quota.objects.filter(taken=0).count() == ROUNDS


def test_negative_control_without_the_lock_a_cancellation_gives_seats_back_twice(
    on_postgresql, monkeypatch
):
    monkeypatch.setattr(cancellation, "locked", _unlocked())
    event, ticket, quota = _world(size=4)
    registration = _book(event, ticket, people=2)
    _book(event, ticket, people=2)  # someone else's seats, which the second give-back takes

    outcomes = _race(
        lambda: services.cancel_registration(registration, by=None, reason="a"),
        lambda: services.cancel_registration(registration, by=None, reason="b"),
    )

    assert outcomes == ["ok", "ok"]
    assert history(registration).filter(action="registration.cancelled").count() == 2
    [difference] = services.recount_seats(repair=False)
    assert (difference.counted, difference.records) == (0, 2)


def test_cancelling_while_an_attendee_is_substituted_ends_cancelled(staff):
    for _ in range(ROUNDS):
        event, ticket, quota = _world(size=2)
        registration = _book(event, ticket, people=2)
        person = registration.attendees.order_by("pk").first()

        outcomes = _race(
            lambda r=registration: services.cancel_registration(r, by=staff, reason="a"),
            lambda p=person: services.substitute_attendee(
                p, substitute=services.Substitute(given_name="Cor"), by=staff
            ),
        )

        assert outcomes[0] == "ok"
        assert outcomes[1] in ("ok", "wrong_state", "not_changeable"), outcomes
        assert Registration.objects.get(pk=registration.pk).status == S.CANCELLED
        assert Quota.objects.get(pk=quota.pk).taken == 0
    _assert_counters_exact()


def _substitute_twice_at_once() -> tuple[Registration, list]:
    """Send one colleague's substitution form twice at once (a double click)."""
    event, ticket, quota = _world()
    registration = _book(event, ticket)
    person = registration.attendees.get()
    cor = services.Substitute(given_name="Cor", family_name="Bakker", email="cor@example.org")

    outcomes = _race(*[lambda: services.substitute_attendee(person, substitute=cor)] * 2)

    return registration, outcomes


def _substitutions(registration) -> tuple[int, int]:
    """Return the substitution's log entries and the mails to the colleague."""
    entries = [e for e in history(registration) if e.action == "registration.attendee_substituted"]
    mails = OutgoingMail.objects.filter(registration=registration, kind__in=ATTENDEE_KINDS)
    return len(entries), mails.count()


def test_one_substitution_sent_twice_at_once_is_made_once(on_postgresql):
    registration, outcomes = _substitute_twice_at_once()

    assert outcomes == ["ok", "ok"]
    assert _substitutions(registration) == (1, 1)
    assert registration.attendees.get().full_name == "Cor Bakker"


def test_negative_control_without_the_check_a_substitution_sent_twice_is_made_twice(
    on_postgresql, monkeypatch
):
    monkeypatch.setattr(self_service, "goes_already", lambda attendee, substitute: False)

    registration, outcomes = _substitute_twice_at_once()

    assert outcomes == ["ok", "ok"]
    assert _substitutions(registration) == (2, 2)


def test_a_quota_made_smaller_during_a_rush_never_drops_below_its_seats_taken(staff):
    event, ticket, quota = _world(size=30)
    sizes = [25, 20, 15, 10, 12, 8]

    def work(n):
        if n < len(sizes):
            services.change_quota_size(quota, size=sizes[n], by=staff)
            return "resized"
        try:
            _book(event, ticket)
        except RegistrationError as refused:
            return refused.code
        return "booked"

    outcomes = all_at_once(len(sizes) + 24, work)

    counted = Counter(o if isinstance(o, str) else getattr(o, "code", repr(o)) for o in outcomes)
    assert set(counted) <= {"resized", "size_below_taken", "booked", "sold_out"}, counted
    final = Quota.objects.get(pk=quota.pk)
    assert final.taken == counted["booked"] <= final.size
    assert Attendee.objects.filter(registration__status=S.CONFIRMED).count() == final.taken
    _assert_counters_exact()


@contextmanager
def _line_held(waiting: Registration):
    """Hold `waiting`'s row lock in another connection (an offer being made there) until
    the block ends or the `let_go` it gives is called."""
    holding, done = threading.Event(), threading.Event()

    def hold_the_line():
        try:
            with transaction.atomic():
                list(Registration.objects.filter(pk=waiting.pk).select_for_update())
                holding.set()
                assert done.wait(timeout=20), "never let go"
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_line)
    holder.start()
    try:
        assert holding.wait(timeout=20)
        yield done.set
    finally:
        done.set()
        holder.join(timeout=30)


def _until(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.005)  # polling a condition, with a deadline


def test_a_seat_freed_while_the_waiting_line_is_busy_is_offered_once_the_line_is_free(
    on_postgresql,
):
    """A cancellation frees a seat while another transaction holds the waiting line's rows
    (an offer being made): it passes the line over rather than wait, and enqueues the
    `offer_free_seats` task, which waits for the line and offers the seat."""
    event, ticket, _quota = _world(size=1)
    booked = _book(event, ticket)
    waiting = _book(event, ticket, waiting=True)

    with _line_held(waiting) as let_go:
        services.cancel_registration(booked, by=None, reason="booker")
        assert Registration.objects.get(pk=waiting.pk).offer_until is None  # passed over
        [job] = DBTaskResult.objects.filter(task_path=tasks.offer_free_seats.module_path)
        assert job.args_kwargs["args"] == [event.pk]

        # The task, run while the line is still held, waits for it.
        outcome = []

        def run_the_task():
            try:
                outcome.append(tasks.offer_free_seats.call(*job.args_kwargs["args"]))
            finally:
                connections.close_all()

        runner = threading.Thread(target=run_the_task)
        runner.start()
        _until(someone_waits_for_a_lock)
        let_go()
        runner.join(timeout=30)

    assert outcome == [1]
    assert Registration.objects.get(pk=waiting.pk).offer_until is not None
    assert services.recount_seats(repair=False) == []


def test_a_line_offered_without_anyone_passed_over_enqueues_no_second_offer(on_postgresql):
    event, ticket, _quota = _world(size=1)
    booked = _book(event, ticket)
    waiting = _book(event, ticket, waiting=True)

    services.cancel_registration(booked, by=None, reason="booker")

    assert Registration.objects.get(pk=waiting.pk).offer_until is not None
    assert not DBTaskResult.objects.filter(task_path=tasks.offer_free_seats.module_path).exists()


def test_a_seat_the_task_never_offered_is_offered_by_the_next_sweep(on_postgresql):
    """Should the task be lost, the cron sweep (`release_expired_holds`) offers the seat."""
    event, ticket, _quota = _world(size=1)
    booked = _book(event, ticket)
    waiting = _book(event, ticket, waiting=True)
    with _line_held(waiting):
        services.cancel_registration(booked, by=None, reason="booker")
    DBTaskResult.objects.filter(task_path=tasks.offer_free_seats.module_path).delete()
    assert Registration.objects.get(pk=waiting.pk).offer_until is None

    services.release_expired_holds()

    assert Registration.objects.get(pk=waiting.pk).offer_until is not None
    assert services.recount_seats(repair=False) == []


def test_the_sweep_offers_no_seat_at_a_day_that_has_passed(on_postgresql):
    event, ticket, quota = _world(size=1)
    _book(event, ticket)
    waiting = _book(event, ticket, waiting=True)
    Quota.objects.filter(pk=quota.pk).update(size=2)  # a seat free, as the race leaves one

    services.release_expired_holds(now=timezone.now() + dt.timedelta(days=400))

    assert Registration.objects.get(pk=waiting.pk).offer_until is None
    services.release_expired_holds()
    assert Registration.objects.get(pk=waiting.pk).offer_until is not None
