"""The garbage collector set for a process that applies events in batches.

CPython's cyclic collector runs after every 700 allocations, and each of its full passes walks
every object the process holds: the modules, SQLAlchemy's compiled statements, pydantic's schemas
(a few hundred thousand objects that live as long as the process). A batch of 2,000 events
allocates millions of short-lived objects, so on the county's replay the collector took ~22 % of
the CPU (9.1 of 40.4 s over 100,000 events; `python -m devstack bench profile` measures apply alone).
Frozen after start-up, the long-lived objects are out of its way, and a larger young generation
runs it ~20 times less often: 1.7 s of 30.9 in the same run. Reference counting still frees
everything not in a cycle at once; cycles wait a little longer."""

import gc

YOUNG = 10_000  # allocations between collections of the youngest generation (CPython's default: 700)


def settle() -> None:
    """Call once the process has loaded what it keeps (before consuming)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, 10, 10)
