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


@pytest.fixture
def collector_restored():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_a_keeping_process_settles_its_heap_once_every_so_many_events(collector_restored):
    keeping = heap.Keeping(every=100)
    gc.unfreeze()
    keeping.applied(60)
    assert gc.get_freeze_count() == 0  # 60 of 100: not yet
    kept = [[i] for i in range(1000)]  # what a batch keeps: frozen at the next settling
    keeping.applied(60)
    settled = gc.get_freeze_count()
    assert settled >= len(kept)
    more = [[i] for i in range(1000)]
    keeping.applied(99)
    assert gc.get_freeze_count() == settled  # counted again from zero after settling
    keeping.applied(1)
    assert gc.get_freeze_count() >= settled + len(more)
