"""Figures kept while the database snapshot stays the same (`common.snapshot`): read once,
read again after any commit, after their moment has passed, and always inside a transaction.

The snapshot is the whole cluster's, so another process's commit (a parallel test worker)
makes a read afresh; what must be kept is therefore read again until no commit came between.
"""

import datetime as dt
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from goedeburen.common import snapshot
from goedeburen.registration.models import Registration
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _counter():
    calls = itertools.count(1)
    return lambda: next(calls)


def _twice_in_one_snapshot(key, read, **kwargs):
    for _attempt in range(500):
        before = snapshot.current()
        first, second = snapshot.kept(key, read, **kwargs), snapshot.kept(key, read, **kwargs)
        if snapshot.current() == before:
            return first, second
    pytest.fail("some other process committed during every attempt")


def test_a_figure_is_read_once_while_nothing_is_committed(on_postgresql):
    first, second = _twice_in_one_snapshot(("t", 1), _counter())

    assert second == first


def test_a_commit_makes_it_read_again():
    read = _counter()
    first = snapshot.kept(("t", 2), read)
    RegistrationFactory()

    assert snapshot.kept(("t", 2), read) > first


def test_its_moment_makes_it_read_again():
    read, now = _counter(), timezone.now()
    for attempt in range(500):
        # A key of its own per attempt: what an attempt that met another commit kept must
        # not be found by the next one.
        key = ("t", 3, attempt)
        before = snapshot.current()
        first = snapshot.kept(key, read, until=lambda: now, now=now - dt.timedelta(1))
        after = snapshot.kept(key, read, now=now)
        if snapshot.current() == before:
            break

    assert after > first


def test_what_was_read_for_a_later_moment_is_not_given_for_an_earlier_one():
    # A figure read after a hold ended (none held) must not answer for a moment when it
    # still ran, whatever the snapshot.
    read, now = _counter(), timezone.now()
    for attempt in range(500):
        key = ("t", 5, attempt)
        before = snapshot.current()
        later = snapshot.kept(key, read, now=now + dt.timedelta(minutes=6))
        earlier = snapshot.kept(key, read, now=now)
        if snapshot.current() == before:
            break

    assert earlier > later


def test_inside_a_transaction_it_is_read_every_time():
    with transaction.atomic():
        assert snapshot.current() is None
        counted = snapshot.kept(("t", 4), Registration.objects.count)
        RegistrationFactory()
        assert snapshot.kept(("t", 4), Registration.objects.count) == counted + 1


def test_a_query_empty_without_asking_the_database_has_no_key():
    assert snapshot.query_key(Registration.objects.filter(pk__in=[])) is None
    assert snapshot.query_key(Registration.objects.filter(pk__in=[1]))[0] == "default"
