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

YOUNG = 10_000  # allocations between collections of the youngest generation (CPython's default: 700)


def settle() -> None:
    """Call once the process has loaded what it keeps (before consuming)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, 10, 10)
