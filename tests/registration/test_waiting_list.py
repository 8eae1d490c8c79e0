"""The waiting list: joining, offers when seats free up, accepting, expiry passing it on."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goedeburen.common.audit import history
from goedeburen.registration import queries, services, tokens
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Registration
from tests.factories import RegistrationSettingsFactory, booker

pytestmark = pytest.mark.django_db

S = RegistrationStatus


def _fresh(registration) -> Registration:
    return Registration.objects.get(pk=registration.pk)


@pytest.fixture
def full(hall, free, paid, register):
    """The hall's 3 seats: 2 confirmed, 1 held for payment."""
    register(free, free)
    return register(paid)


def test_join_when_sold_out_takes_no_seat(hall, full, free, join, sent):
    sent.reset()

    waiting = join(free)

    assert (waiting.status, waiting.hold_until) == (S.WAITING_LIST, None)
    assert sent.names() == ["registration_created"]
    assert queries.seats_taken([hall.pk], now=timezone.now()) == {hall.pk: 3}


def test_join_while_places_are_left_is_refused(hall, free, join):
    with pytest.raises(RegistrationError) as refused:
        join(free)

    assert refused.value.code == "places_available"
    assert Registration.objects.count() == 0


def test_held_seats_released_go_to_the_first_in_line_and_an_expired_offer_to_the_next(
    full, free, join, sent, django_capture_on_commit_callbacks
):
    first = join(free, booker=booker(email="eerste@example.org"))
    second = join(free, booker=booker(email="tweede@example.org"))
    sent.reset()

    # The payment hold runs out: its seat goes to the first in line only.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_expired_holds(now=full.hold_until + dt.timedelta(seconds=1)) == 1

    assert _fresh(full).status == S.CANCELLED
    first, second = _fresh(first), _fresh(second)
    assert first.offer_until is not None
    assert second.offer_until is None
    assert sent.names() == ["registration_cancelled", "waiting_list_offer_made"]
    assert sent.calls[0][1]["reason"] == "hold_expired"
    offer = sent.of("waiting_list_offer_made")[0]
    assert offer["registration"] == first
    assert offer["expires"] == first.offer_until
    assert tokens.hash_manage_token(offer["offer_url_token"]) == first.offer_token_hash
    [job] = DBTaskResult.objects.filter(task_path__endswith="expire_offers")
    assert job.run_after == first.offer_until
    sent.reset()

    # The offer is not taken in time: it passes to the next.
    assert services.expire_offers(now=first.offer_until + dt.timedelta(seconds=1)) == 1

    assert _fresh(first).status == S.CANCELLED
    assert _fresh(second).offer_until is not None
    assert sent.names() == ["registration_cancelled", "waiting_list_offer_made"]
    assert sent.calls[0][1]["reason"] == "offer_expired"
    assert sent.of("waiting_list_offer_made")[0]["registration"] == _fresh(second)


def test_offer_lasts_the_event_setting(event, full, free, join):
    RegistrationSettingsFactory(event=event, offer_hours=12)
    waiting = join(free)
    now = timezone.now()

    services.cancel_registration(full, by=None, reason="booker")

    assert _fresh(waiting).offer_until - now == pytest.approx(
        dt.timedelta(hours=12), abs=dt.timedelta(seconds=5)
    )


def test_offers_never_exceed_the_free_seats(hall, full, free, join):
    waiting = [join(free) for _ in range(3)]

    services.cancel_registration(full, by=None, reason="booker")

    offered = [_fresh(r).offer_until is not None for r in waiting]
    assert offered == [True, False, False]
    # The offered seat is held: nobody else can register it meanwhile.
    assert queries.seats_taken([hall.pk], now=timezone.now()) == {hall.pk: 3}


def test_first_in_line_needing_more_seats_than_free_blocks_the_line(full, free, join):
    big = join(free, free)
    small = join(free)

    services.cancel_registration(full, by=None, reason="booker")

    assert (_fresh(big).offer_until, _fresh(small).offer_until) == (None, None)


def test_accept_offer_of_free_ticket_confirms(full, free, join, sent):
    waiting = join(free)
    services.cancel_registration(full, by=None, reason="booker")
    sent.reset()

    accepted = services.accept_offer(waiting)

    assert (accepted.status, accepted.offer_until) == (S.CONFIRMED, None)
    assert sent.names() == ["registration_confirmed"]
    assert history(accepted)[0].action == "registration.offer_accepted"


def test_accept_offer_of_paid_ticket_pends_payment(full, paid, join, sent):
    waiting = join(paid)
    services.cancel_registration(full, by=None, reason="booker")
    sent.reset()

    accepted = services.accept_offer(waiting)

    assert accepted.status == S.PENDING_PAYMENT
    assert accepted.hold_until > timezone.now()
    assert sent.names() == []


def test_accept_offer_when_the_seat_is_gone_is_refused(full, free, join, register, english):
    waiting = join(free)
    services.cancel_registration(full, by=None, reason="booker")
    registration = _fresh(waiting)
    # The offer ran out and, before the sweep, someone else took the seat.
    Registration.objects.filter(pk=waiting.pk).update(offer_until=timezone.now())
    register(free)

    with pytest.raises(RegistrationError) as refused:
        services.accept_offer(waiting)

    assert refused.value.code == "offer_gone"
    assert str(refused.value.message) == "Sorry, the place offered to you is no longer available."
    # The booking that found the quota full passed the expired offer on first.
    assert (_fresh(waiting).status, _fresh(waiting).cancel_reason) == (S.CANCELLED, "offer_expired")
    assert _fresh(waiting).offer_token_hash == registration.offer_token_hash


@pytest.mark.parametrize("cancelled", [False, True])
def test_accept_without_an_offer_is_refused(full, free, join, cancelled):
    waiting = join(free)
    if cancelled:
        services.cancel_registration(waiting, by=None, reason="booker")

    with pytest.raises(RegistrationError) as refused:
        services.accept_offer(waiting)

    assert refused.value.code == "offer_gone"
    assert _fresh(waiting).offer_until is None


def test_cancel_a_waiting_registration_with_an_offer_passes_it_on(full, free, join):
    first, second = join(free), join(free)
    services.cancel_registration(full, by=None, reason="booker")

    services.cancel_registration(first, by=None, reason="booker")

    assert _fresh(first).status == S.CANCELLED
    assert _fresh(second).offer_until is not None


def test_expire_offers_task_calls_the_service(full, free, join):
    from goedeburen.registration import tasks

    first, second = join(free), join(free)
    services.cancel_registration(full, by=None, reason="booker")
    Registration.objects.filter(pk=first.pk).update(offer_until=timezone.now())

    assert tasks.expire_offers.call() == 1

    assert (_fresh(first).status, _fresh(second).offer_until is not None) == (S.CANCELLED, True)


def test_release_sweep_also_passes_on_expired_offers(full, free, join):
    first, second = join(free), join(free)
    services.cancel_registration(full, by=None, reason="booker")

    services.release_expired_holds(now=_fresh(first).offer_until + dt.timedelta(seconds=1))

    assert (_fresh(first).status, _fresh(second).offer_until is not None) == (S.CANCELLED, True)
