"""kernel.heap.paused: the collector held off inside, back as it was after, whatever happens inside."""

import gc

import pytest

from kernel import heap


def test_the_collector_is_held_off_inside_and_back_after():
    assert gc.isenabled()
    with heap.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_after_an_error_inside():
    with pytest.raises(RuntimeError), heap.paused():
        raise RuntimeError("inside")
    assert gc.isenabled()


def test_nested_pauses_leave_it_off_until_the_outer_one_ends():
    with heap.paused():
        with heap.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause does not switch it on under the outer one
    assert gc.isenabled()


def test_a_collector_switched_off_by_whoever_runs_us_stays_off():
    gc.disable()
    try:
        with heap.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
