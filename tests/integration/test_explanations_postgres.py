"""tests/unit/test_explanations.py on PostgreSQL: the rows the service reads, the history it writes."""

import pytest

from tests.unit.test_explanations import *  # noqa: F403 (the tests themselves, collected here again)

from .pg_world import pg_worlds


@pytest.fixture
async def world_at(integration_database_url):
    async for make in pg_worlds(integration_database_url):
        yield make
