"""The v2 rule tests of tests/unit/test_rules_v2.py, on PostgreSQL: the same scenarios, the bulk-
loaded rows of the real database instead of the in-memory view (SPEC §6: one projection)."""

import pytest

from tests.unit.test_rules_v2 import *  # noqa: F403 (the tests themselves, collected here again)

from .pg_world import pg_worlds


@pytest.fixture
async def world_at(integration_database_url):
    async for make in pg_worlds(integration_database_url):
        yield make
