"""Coverage kept by the projection (compliance.adapters.rollups) says what counting the projection's
rows says: for the whole tree, each organisation and each subtree, whether the year was counted
whole before its events or after them, in whatever batches and order its events come, folded or
not; and once the year has turned, as a past year (members where they last were in it).

The roll-up is read by `coverage_counted` (the dashboard's tree, the API's tallies); the listing
path, `coverage`, counts the projection's rows person by person, and is what it is compared with.
"""

import random
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from compliance.adapters import orm
from compliance.adapters.dashboard_queries import subtree_tops
from compliance.adapters.queries import CoverageQueries
from compliance.adapters.rollups import count_and_fold, fold
from compliance.application.coverage_report import coverage, coverage_counted, coverage_of_branches
from tests.order_world import TODAY, YEAR_START, city_year, interleave

from .pg_world import PgWorld

SETTINGS = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
YEAR = TODAY.year
TURNED = date(YEAR + 1, 1, 5)


@pytest.fixture
def worlds(integration_database_url):
    made: list[PgWorld] = []

    def make() -> PgWorld:
        made.append(PgWorld(integration_database_url, YEAR_START))
        return made[-1]

    yield make


async def _kept_as(world: PgWorld) -> bool | None:
    async with world.sessions() as session:
        return await session.scalar(select(orm.coverage_years.c.as_current).where(orm.coverage_years.c.year == YEAR))


async def _differences(world: PgWorld, today: date, year: int = YEAR) -> list:
    """Every scope where the roll-up and the rows counted one by one disagree."""
    policy, zone = world.policy, world.policy.time_zone
    async with world.sessions() as session:
        orgs = sorted((await session.execute(select(orm.orgs.c.org_id))).scalars())
        found = []
        for org_id, subtree in [(None, False), *((o, s) for o in orgs for s in (False, True))]:
            scope = {"org_id": org_id, "subtree": subtree, "year": year, "today": today}
            listed = await coverage(CoverageQueries(session, zone), policy, **scope)
            counted = await coverage_counted(CoverageQueries(session, zone), policy, **scope)
            if (listed.tallies(), listed.by_org()) != (counted.tallies(), counted.by_org()):
                found.append((org_id, subtree, listed.tallies(), counted.tallies()))
        for parent_id in [None, *orgs]:  # the dashboard's tree: each level's summary and branches
            scope = {"year": year, "today": today}
            listed = await coverage(CoverageQueries(session, zone), policy, org_id=parent_id, subtree=parent_id is not None, **scope)
            expected = (listed.tallies(), listed.by_branch(await subtree_tops(session, parent_id)))
            summed = await coverage_of_branches(CoverageQueries(session, zone), policy, parent_id=parent_id, **scope)
            if summed is not None and summed != expected:
                found.append(("tree level", parent_id, expected, summed))
        return found


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1), n_events=st.integers(20, 80), order=st.integers(0, 2**32 - 1),
    batches=st.lists(st.integers(1, 15), min_size=1, max_size=3), counted_first=st.booleans(), folded=st.booleans(),
)  # fmt: skip
async def test_the_roll_up_counts_what_the_projection_rows_count(worlds, seed, n_events, order, batches, counted_first, folded):
    world = worlds()
    try:
        world.today = TODAY
        await world.apply([])  # the schema, empty
        if counted_first:  # kept from the year's first event on, batch by batch
            await count_and_fold(world.sessions, world.sessions, TODAY, world.policy.time_zone)
        await world.apply_in_batches(interleave(city_year(seed, n_events), random.Random(order)), batches)
        if counted_first and folded:
            async with world.sessions() as session, session.begin():
                await fold(await session.connection())
        if not counted_first:  # a deployment that had events before it kept roll-ups: counted whole
            await count_and_fold(world.sessions, world.sessions, TODAY, world.policy.time_zone)
        assert await _kept_as(world) is True  # read from the roll-up, not counted person by person
        async with world.sessions() as session:  # the tree's levels are summed from it too
            summed = await coverage_of_branches(CoverageQueries(session, world.policy.time_zone), world.policy, parent_id=None, year=YEAR, today=TODAY)
            assert summed is not None
        async with world.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(orm.coverage_counted)), "nothing was counted"
        assert await _differences(world, TODAY) == []

        # The year turns: until counted again it is read from the rows; then as a past year.
        assert await _differences(world, TURNED) == []
        await count_and_fold(world.sessions, world.sessions, TURNED, world.policy.time_zone)
        assert await _kept_as(world) is False
        assert await _differences(world, TURNED) == []
    finally:
        await world.close()


async def test_this_year_counts_todays_members_whatever_the_time_of_their_events(worlds):
    """The current year counts today's members in today's seats: events dated next year (members
    joining, talks) change this year's count too, not only next year's."""
    world = worlds()
    early = date(YEAR - 1, 12, 1)
    try:
        world.today = early
        await world.apply([])
        await count_and_fold(world.sessions, world.sessions, early, world.policy.time_zone)  # keeps YEAR - 1, as current
        await world.apply_in_batches(city_year(7, 60), [10])
        assert await _differences(world, early, YEAR - 1) == []
        async with world.sessions() as session:
            members = select(func.count()).where(orm.coverage_counted.c.year == YEAR - 1, orm.coverage_counted.c.rule_id == "COV-MEMBER")
            assert await session.scalar(members), "today's members were not counted in this year"
    finally:
        await world.close()
