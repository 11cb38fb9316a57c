"""The garbage collector set for a process that applies events in batches.

CPython's cyclic collector runs after every 700 allocations, and each of its full passes walks
every object the process holds: the modules, SQLAlchemy's compiled statements, pydantic's schemas
(a few hundred thousand objects that live as long as the process). A batch of 2,000 events
allocates millions of short-lived objects. Timed with `gc.callbacks` around a replay of the
county's first 100,000 events (in a process that also holds the log read, as `replay` does), the
collector took 9.1 of 40.4 s of CPU; frozen after start-up and with a larger young generation,
1.7 of 30.9 s; over the whole county 26.0 of 119.6 s became 5.3 of 97.1 s (README, Benchmarks).
Reference counting still frees everything not in a cycle at once, frozen or not; cycles wait a
little longer, and a cycle among frozen objects is never collected (what start-up loads is meant
to last)."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 10_000  # allocations between collections of the youngest generation (CPython's default: 700)
KEPT_EVERY = 50_000  # events between settlings of a process that keeps what it applies (`Keeping`)


def settle() -> None:
    """Call once the process has loaded what it keeps (before consuming)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, 10, 10)


class Keeping:
    """For a process that keeps what it applies (a replay's rows in memory, from batch to batch):
    the heap settled again every `every` events, so the collector's full passes walk only what was
    kept since, not everything kept since the start. Use it through `keeping()`.

    Left to itself, a full pass came about every 100,000 events of the city's year (the long-lived
    objects grew by a quarter) and walked them all: 0.3 s at 300,000 events, 1.8 s at 1,400,000, and
    growing with the year. Settled every 50,000 events, each pass took 0.1–0.2 s and the replay of
    the city's first 1,500,000 events ran as fast as with the collector switched off (README,
    "What slowed the city's year beyond its own work")."""

    def __init__(self, every: int = KEPT_EVERY):
        self.every = every
        self._since = 0

    def applied(self, events: int) -> None:
        self._since += events
        if self._since >= self.every:
            self._since = 0
            settle()


@contextmanager
def keeping(every: int = KEPT_EVERY) -> Iterator[Keeping]:
    """`Keeping` for the stretch that keeps what it applies. When it ends, what was frozen meanwhile
    is handed back to the collector and the heap settled once more: a cycle that died after being
    frozen (a batch's session, say, still open when its heap was settled) is collected then rather
    than never. It matters where the replay runs inside a live service (a what-if from the
    dashboard): one full pass at the end, and the service's heap is as if settled at start-up."""
    try:
        yield Keeping(every)
    finally:
        gc.unfreeze()
        settle()


@contextmanager
def paused() -> Iterator[None]:
    """The collector held off while a synchronous stretch builds tens of thousands of containers
    that live until the answer is written: it would walk them at every 10,000 allocations while
    they grow, and again once promoted. Whole-city coverage builds 10,000 organisations' tallies;
    three in-process runs of 200 requests on the city, 25 at a time with and without the pause in
    turn: p90 83/93/83 -> 77/89/76 ms, p99 100/125/89 -> 85/112/83 ms, p50 within the noise
    (71/72/73 against 69/77/70). Only around code with no `await` inside: the pause is the whole
    process's, and what the stretch allocates is collected as usual afterwards."""
    if not gc.isenabled():  # paused already (nested), or switched off by whoever runs us
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
