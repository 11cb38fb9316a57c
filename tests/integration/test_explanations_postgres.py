"""tests/unit/test_explanations.py on PostgreSQL: the rows the service reads, the history it writes."""

import pytest

from tests.unit.test_explanations import *  # noqa: F403 (the tests themselves, collected here again)

from .pg_world import PgWorld


@pytest.fixture
async def world_at(integration_database_url):
    made: list[PgWorld] = []

    def make(now, *args):
        made.append(PgWorld(integration_database_url, now, *args))
        return made[-1]

    yield make
    for world in made:
        await world.close()
