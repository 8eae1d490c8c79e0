"""Races for one quota on PostgreSQL: the row lock holds, and without it the quota oversells.

Threads call the real service, each on its own database connection. PostgreSQL's
`max_connections` (100) is shared with the rest of the suite, so 40 connections make the
200 attempts, five each, all released at once by a barrier; every attempt is a separate
transaction that competes with 39 others at any moment.
"""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connections

from goedeburen.registration import services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Attendee, Registration
from tests import seams
from tests.factories import (
    OpenEventFactory,
    QuotaFactory,
    TicketTypeFactory,
    attendee,
    booker,
    form_token,
)
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 200
CONNECTIONS = 40
SEATS = 50


def _rush(event, ticket_type) -> Counter:
    """Make ATTEMPTS registrations of one attendee each; count how they end."""

    def attempts(n):
        outcomes = Counter()
        for _ in range(ATTEMPTS // CONNECTIONS):
            try:
                services.register(
                    event,
                    booker=booker(email=f"booker{n}@example.org"),
                    attendees=[attendee(ticket_type)],
                    form_token=form_token(event),
                    language="nl",
                )
                outcomes["registered"] += 1
            except RegistrationError as refused:
                outcomes[refused.code] += 1
        return outcomes

    total = Counter()
    for result in all_at_once(CONNECTIONS, attempts):
        assert isinstance(result, Counter), result
        total += result
    return total


@pytest.fixture
def quota_of_fifty(db):
    event = OpenEventFactory()
    ticket_type = TicketTypeFactory(event=event, price=Decimal("0"), max_per_registration=1)
    QuotaFactory(event=event, size=SEATS, ticket_types=[ticket_type])
    return event, ticket_type


def test_rush_for_one_quota_never_oversells(on_postgresql, quota_of_fifty):
    outcomes = _rush(*quota_of_fifty)

    assert outcomes == Counter(registered=SEATS, sold_out=ATTEMPTS - SEATS)
    assert Registration.objects.filter(status=RegistrationStatus.CONFIRMED).count() == SEATS
    assert Attendee.objects.count() == SEATS


def test_rush_without_the_lock_oversells(on_postgresql, quota_of_fifty, monkeypatch):
    # Negative control: the same race with the quota lock taken away (a test seam, which
    # also widens the gap between counting and writing) must oversell, which proves that
    # the test above can fail.
    seams.without_quota_lock(monkeypatch.setattr)

    outcomes = _rush(*quota_of_fifty)

    assert outcomes["registered"] > SEATS
    assert Attendee.objects.count() > SEATS


def test_same_form_token_sent_twice_at_once_makes_one_registration(quota_of_fifty):
    # Runs on SQLite too, where the IMMEDIATE transaction serialises the two.
    event, ticket_type = quota_of_fifty
    token = form_token(event)

    def submit(n):
        return services.register(
            event,
            booker=booker(),
            attendees=[attendee(ticket_type)],
            form_token=token,
            language="nl",
        )

    first, second = all_at_once(2, submit)

    assert isinstance(first, Registration), first
    assert isinstance(second, Registration), second
    assert first.pk == second.pk
    # Both answers carry the one link (derived from the form token): whichever response
    # reaches the browser shows it.
    assert first.manage_token == second.manage_token is not None
    assert sorted([hasattr(first, "sent_before"), hasattr(second, "sent_before")]) == [
        False,
        True,
    ]
    assert Registration.objects.count() == 1
    assert Attendee.objects.count() == 1


def test_locking_one_registration_leaves_the_others_of_its_event_free(on_postgresql):
    from django.db import connection, transaction

    from goedeburen.registration.services.common import locked
    from tests.factories import RegistrationFactory

    event = OpenEventFactory()
    first, second = RegistrationFactory(event=event), RegistrationFactory(event=event)
    holding, release = threading.Event(), threading.Event()

    def hold_first():
        try:
            with transaction.atomic():
                locked(first)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_first)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        with transaction.atomic():
            # Waiting for the first registration's lock would end in an error here.
            connection.cursor().execute("SET LOCAL lock_timeout = '2s'")
            assert locked(second).pk == second.pk
    finally:
        release.set()
        holder.join(timeout=30)
