"""Properties of the compliance projection on the real database (the in-memory property is
tests/unit/test_order_independence.py, with hundreds of examples):

- applying a year twice, or with duplicates, changes nothing;
- a year interleaved across keys in random batches, through the real consumer on PostgreSQL, gives
  the projection the in-memory view gives in log order (SPEC §6: one projection, whatever the order);
- so does a replay's consumer, whose rows stay in memory from batch to batch instead of being loaded.
"""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.compliance_world import MemoryWorld
from tests.order_world import TODAY, YEAR_START, city_year, interleave

from .pg_world import PgWorld

SETTINGS = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


async def _applied(world, events: list[dict], batches: list[int]):
    world.today = TODAY
    return await world.apply_in_batches(events, batches)


@pytest.fixture
def worlds(integration_database_url):
    made: list[PgWorld] = []

    def make(*, replaying: bool = False) -> PgWorld:
        made.append(PgWorld(integration_database_url, YEAR_START, replaying=replaying))
        return made[-1]

    yield make


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n_events=st.integers(10, 50), duplicates=st.lists(st.integers(0, 200), max_size=8))
async def test_applying_a_year_twice_or_with_duplicates_changes_nothing(worlds, seed, n_events, duplicates):
    events = city_year(seed, n_events)
    world = await _applied(worlds(), events, [7])
    try:
        once = world.projection()
        extra = [events[i % len(events)] for i in duplicates]
        await world.apply(events + extra)  # redelivered, whole and in part
        assert world.projection() == once
        assert len(world._outbox) == len({(r.event_type, r.key, r.payload) for r in world._outbox})  # nothing told twice
    finally:
        await world.close()


# As the service applies it (each batch loading its rows) and as a replay does (its rows kept in memory).
@pytest.mark.parametrize("replaying", [False, True], ids=["service", "replay"])
@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n_events=st.integers(10, 50), order=st.integers(0, 2**32 - 1),
       batches=st.lists(st.integers(1, 20), min_size=1, max_size=4))  # fmt: skip
async def test_interleaved_on_postgresql_equals_log_order_in_memory(worlds, replaying, seed, n_events, order, batches):
    events = city_year(seed, n_events)
    expected = (await _applied(MemoryWorld(YEAR_START), events, [len(events)])).projection()
    world = await _applied(worlds(replaying=replaying), interleave(events, random.Random(order)), batches)
    try:
        assert world.projection() == expected
    finally:
        await world.close()
