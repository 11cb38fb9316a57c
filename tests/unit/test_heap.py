"""kernel.heap: the collector held off inside `paused`, back as it was after, whatever happens inside;
a process that keeps what it applies settles its heap as it grows, and frees what it froze at the end."""

import gc
import weakref

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


def _frozen(value) -> bool:
    """Out of the collector's sight: gc.get_objects() lists every generation but the frozen one."""
    return not any(o is value for o in gc.get_objects())


def test_a_keeping_process_settles_its_heap_once_every_so_many_events(collector_restored):
    keeping = heap.Keeping(every=100)
    gc.unfreeze()
    kept = [0]  # what a batch keeps: frozen at the next settling
    keeping.applied(60)
    assert gc.get_freeze_count() == 0 and not _frozen(kept)  # 60 of 100: not yet
    keeping.applied(60)
    settled = gc.get_freeze_count()
    assert settled > 0 and _frozen(kept)
    more = [1]
    keeping.applied(99)
    assert gc.get_freeze_count() == settled and not _frozen(more)  # counted again from zero after settling
    keeping.applied(1)
    assert gc.get_freeze_count() > settled and _frozen(more)


class _Node:
    """A cycle of garbage: freed by the collector only, never by reference counting."""

    def __init__(self):
        self.me = self


def test_a_cycle_frozen_while_keeping_is_collected_when_the_keeping_ends(collector_restored):
    with heap.keeping(every=10) as keeping:
        node = _Node()
        alive = weakref.ref(node)
        keeping.applied(10)  # settled: the node frozen with everything else
        del node
        gc.collect()
        assert alive() is not None  # frozen: no pass of the collector sees it
    assert alive() is None  # handed back to the collector when the keeping ended, and collected
