"""A receiver runs in a savepoint of its own, unless it says it has nothing to do, or all
receivers run in one (`send_together`) with the same outcome."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.dispatch import Signal
from django.test.utils import CaptureQueriesContext

from goedeburen.common.receivers import connect_receivers, send_together

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


def _three_receivers(signal, calls, *, failing: str = ""):
    """Connect three receivers that each write a row and note their call."""

    def make(name):
        def handler(*, value):
            calls.append(name)
            ContentType.objects.create(app_label="test_receivers", model=f"{name}{value}")
            if name == failing:
                raise RuntimeError(f"{name} broke")

        handler.__name__ = name
        return handler

    for name in ("first", "second", "third"):
        connect_receivers({signal: make(name)}, app="test")


def _rows():
    return set(
        ContentType.objects.filter(app_label="test_receivers").values_list("model", flat=True)
    )


def test_sent_together_all_receivers_share_one_savepoint():
    signal = Signal()
    calls = []
    _three_receivers(signal, calls)

    with CaptureQueriesContext(connection) as sent:
        send_together(signal, sender=None, value=1)

    assert calls == ["first", "second", "third"]
    kinds = [q["sql"].split()[0] for q in sent]
    assert kinds == ["SAVEPOINT", "INSERT", "INSERT", "INSERT", "RELEASE"]
    assert _rows() == {"first1", "second1", "third1"}


def test_sent_together_a_failing_receiver_is_undone_alone(caplog):
    """The outcome is that of a savepoint each: the others' rows kept, the failure logged."""
    signal = Signal()
    calls = []
    _three_receivers(signal, calls, failing="second")

    send_together(signal, sender=None, value=1)

    # Together first (up to the failure), then each on its own.
    assert calls == ["first", "second", "first", "second", "third"]
    assert _rows() == {"first1", "third1"}
    assert "test.second failed" in caplog.text


def test_sent_together_a_directly_connected_receiver_still_breaks_the_flow():
    signal = Signal()

    def must_hold(sender, **kwargs):
        raise RuntimeError("must roll the sender back")

    signal.connect(must_hold, weak=False, dispatch_uid="test.must_hold")
    with pytest.raises(RuntimeError, match="must roll the sender back"):
        send_together(signal, sender=None, value=1)
