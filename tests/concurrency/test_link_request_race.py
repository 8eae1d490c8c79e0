"""Ten "send me my link" requests for one address at once on PostgreSQL (from ten client
addresses, past the per-client limit): the limit per address and hour still holds, so
only LINK_REQUESTS_PER_HOUR mails go out. The negative control takes the address's lock
away and lets all ten count before any writes: each finds the limit not yet reached."""

import threading

import pytest
from django.db import connection

from goedeburen.registration.models import ManageLinkRequest
from goedeburen.registration.services import self_service
from tests.factories import OpenEventFactory
from tests.seams import Rendezvous
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REQUESTS = 10


@pytest.fixture(autouse=True)
def _postgresql_only(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    # The requests' tasks would send the mails; the race is about writing them down.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _at_once(monkeypatch, *, lock: bool) -> list:
    event = OpenEventFactory()
    if lock:
        rendezvous, locked = Rendezvous(parties=REQUESTS), self_service.lock_link_requests

        def lock_and_meet(email_hash):
            locked(email_hash)
            rendezvous(None)

        monkeypatch.setattr(self_service, "lock_link_requests", lock_and_meet)
    else:
        together = threading.Barrier(REQUESTS, timeout=20)
        monkeypatch.setattr(self_service, "lock_link_requests", lambda email_hash: together.wait())
    return all_at_once(
        REQUESTS,
        lambda n: self_service.request_manage_links(event, email="booker@example.org"),
    )


def test_ten_link_requests_at_once_take_only_the_hours_three(monkeypatch):
    results = _at_once(monkeypatch, lock=True)

    limit = self_service.LINK_REQUESTS_PER_HOUR
    assert sorted(results) == [False] * (REQUESTS - limit) + [True] * limit
    assert ManageLinkRequest.objects.count() == limit


def test_without_the_address_lock_link_requests_at_once_pass_the_limit(monkeypatch):
    results = _at_once(monkeypatch, lock=False)

    assert results.count(True) > self_service.LINK_REQUESTS_PER_HOUR, results
    assert ManageLinkRequest.objects.count() > self_service.LINK_REQUESTS_PER_HOUR
