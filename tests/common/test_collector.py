"""The garbage collector is paused inside `collector_paused` and left as it was after."""

import gc

import pytest

from goedeburen.common.collector import collector_paused


def test_the_collector_is_paused_inside_and_running_again_after():
    assert gc.isenabled()

    with collector_paused():
        assert not gc.isenabled()

    assert gc.isenabled()


def test_the_collector_runs_again_after_an_error():
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("the import failed")

    assert gc.isenabled()


def test_a_collector_paused_outside_stays_paused():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
