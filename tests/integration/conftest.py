"""Integration tests: the real PostgreSQL, no broker; messages handed to consumers as the broker would."""

import json
import uuid

import pytest
from aiokafka.structs import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from compliance.adapters import orm
from kernel.db import make_engine, make_sessionmaker, migrate
from talks.adapters.crypto import new_key


@pytest.fixture(scope="session")
def integration_database_url(new_database) -> str:
    # Not the running system's database: its scheduler and outbox relay would act on these rows.
    return new_database()


@pytest.fixture(scope="session")
async def engine(integration_database_url: str) -> AsyncEngine:
    engine = make_engine(integration_database_url)
    for service in ("registry", "talks", "compliance", "notify"):
        await migrate(engine, f"{service}.adapters.migrations", service)
    yield engine
    await engine.dispose()


@pytest.fixture
async def compliance_scratch(integration_database_url: str) -> AsyncEngine:
    """An engine whose compliance tables are migrated into a schema of their own, dropped afterwards."""
    schema = f"scratch_{uuid.uuid4().hex[:8]}"
    engine = make_engine(integration_database_url).execution_options(schema_translate_map={orm.SCHEMA: schema})
    await migrate(engine, "compliance.adapters.migrations", schema)
    yield engine
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine):
    return make_sessionmaker(engine)


# Every talk record written by the integration tests is encrypted under this key, so that a key
# rotation over the whole database (test_talk_content) can read them all.
CONTENT_KEY = new_key()


@pytest.fixture
def ids() -> str:
    """A prefix that keeps each test's people and organisations apart."""
    return f"it{uuid.uuid4().hex[:6]}-"


def records(events: list[dict], topic: str = "registry.events") -> list[ConsumerRecord]:
    return [
        ConsumerRecord(topic, 0, offset, 0, 0, (e.get("subject") or "").encode(), json.dumps(e).encode(), None, 0, 0, ())
        for offset, e in enumerate(events)
    ]
