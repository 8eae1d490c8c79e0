"""A receiver runs in a savepoint of its own, unless it says it has nothing to do."""

import pytest
from django.db import connection
from django.dispatch import Signal
from django.test.utils import CaptureQueriesContext

from goedeburen.common.receivers import connect_receivers

pytestmark = pytest.mark.django_db


def test_a_receiver_with_nothing_to_do_makes_no_savepoint():
    signal = Signal()
    calls = []

    def handler(*, value):
        calls.append(value)

    connect_receivers({signal: (handler, lambda *, value: value > 1)}, app="test")

    with CaptureQueriesContext(connection) as skipped:
        signal.send(sender=None, value=1)
    with CaptureQueriesContext(connection) as ran:
        signal.send(sender=None, value=2)

    assert calls == [2]
    assert len(skipped) == 0
    assert [q["sql"].split()[0] for q in ran] == ["SAVEPOINT", "RELEASE"]
