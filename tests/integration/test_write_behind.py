"""A replay's writes behind its decisions (compliance.adapters.write_behind), on the real database:
one batch's writes at a time, in order, each in a transaction of its own; a failure stops the
replay, which is then run again from the start without writing behind and ends where the live
consumer ends."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import pytest
import structlog
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from compliance.adapters import orm
from compliance.adapters.rebuild import compare
from compliance.adapters.rollups import count_and_fold
from compliance.adapters.unit_of_work import batch_unit_of_work, replay_units_of_work, units_of_work
from compliance.adapters.write_behind import WriteBehind, WriteBehindFailed
from compliance.application.lifecycle import advance
from compliance.application.messagebus import ComplianceBus
from compliance.config import ComplianceSettings
from compliance.domain.policy import DEFAULT_POLICY
from compliance.entrypoints.replay import replayed
from devstack.demo import demo_city_events
from kernel.consumer import BatchConsumer
from kernel.db import make_engine, make_sessionmaker, migrate

from .conftest import records

TODAY = date(2026, 12, 1)


def _org(org_id: str) -> dict:
    return {"org_id": org_id, "parent_id": None, "name": org_id, "kind": "branch"}


async def test_writes_go_one_batch_at_a_time_in_order_each_in_its_own_transaction(sessions, ids):
    writer, seen = WriteBehind(sessions), []

    def batch(n: int, seconds: float):
        async def write(conn) -> None:
            seen.append(("began", n, await conn.scalar(text("SELECT txid_current()"))))
            await conn.execute(orm.orgs.insert(), [_org(f"{ids}{n}")])
            await asyncio.sleep(seconds)
            seen.append(("ended", n))

        return write

    await writer.submit(batch(1, 0.2))
    assert seen == []  # handed over: the caller goes on while it is written
    await writer.submit(batch(2, 0.0))  # waits for the first to be written, then starts the second
    assert [s[:2] for s in seen] == [("began", 1), ("ended", 1)]
    await writer.drain()
    assert [s[:2] for s in seen] == [("began", 1), ("ended", 1), ("began", 2), ("ended", 2)]
    assert seen[0][2] != seen[2][2]
    assert writer.batches == 2
    async with sessions() as session:
        assert set((await session.execute(select(orm.orgs.c.org_id).where(orm.orgs.c.org_id.like(f"{ids}%")))).scalars()) == {f"{ids}1", f"{ids}2"}


async def test_a_failed_write_is_rolled_back_and_reported_to_the_next_batch(sessions, ids):
    writer = WriteBehind(sessions)

    async def failing(conn) -> None:
        await conn.execute(orm.orgs.insert(), [_org(f"{ids}lost")])
        await conn.execute(text("SELECT 1/0"))

    async def next_one(conn) -> None:
        await conn.execute(orm.orgs.insert(), [_org(f"{ids}next")])

    await writer.submit(failing)
    with pytest.raises(WriteBehindFailed, match="division by zero"):
        await writer.submit(next_one)  # the batch that would have gone next is not written
    await writer.drain()  # nothing left under way
    async with sessions() as session:
        assert not (await session.execute(select(orm.orgs.c.org_id).where(orm.orgs.c.org_id.like(f"{ids}%")))).all()


async def test_closing_abandons_the_write_under_way(sessions, ids):
    writer, started = WriteBehind(sessions), asyncio.Event()

    async def slow(conn) -> None:
        await conn.execute(orm.orgs.insert(), [_org(f"{ids}abandoned")])
        started.set()
        await asyncio.sleep(30)

    await writer.submit(slow)
    await started.wait()
    await writer.close()
    async with sessions() as session:
        assert not (await session.execute(select(orm.orgs.c.org_id).where(orm.orgs.c.org_id == f"{ids}abandoned"))).all()


async def test_kept_rows_writing_behind_stop_the_replay_once_a_batch_fails(sessions):
    """Without a writer the next batches load their rows (test_replay_rows); writing behind, the
    database may hold less than the batches before the failed one, so nothing can go on."""
    units = replay_units_of_work(ComplianceSettings(), DEFAULT_POLICY, WriteBehind(sessions))
    async with sessions() as session, session.begin():
        assert units(session).writer is not None
    with pytest.raises(RuntimeError):
        async with sessions() as session, session.begin():
            units(session)
            raise RuntimeError("the batch failed")
    async with sessions() as session, session.begin():
        with pytest.raises(WriteBehindFailed):
            units(session)


def _poisoned_city(ids: str) -> list[dict]:
    """The demo city with, in its middle, a member whose name PostgreSQL cannot store (a NUL): the
    contracts let it through and every decision takes it; only its write fails."""
    events = demo_city_events(ids, year=2026)
    joined = next(e for e in events if e["type"] == "member.joined.v1")
    poison = json.loads(json.dumps(joined))
    poison["id"] = str(uuid.uuid4())
    poison["subject"] = poison["data"]["person_id"] = f"{ids}p-nul"
    poison["data"]["name"] = "王\u0000五"
    middle = len(events) // 2
    return [*events[:middle], poison, *events[middle:]]


async def _live_projection(url: str, schema: str, events: list[dict], batch: int) -> None:
    """As the service applies them: each batch loading its rows and writing them in its transaction;
    then the day's tick and the year counted, as the service's leader does them (and a replay)."""
    engine = make_engine(url).execution_options(schema_translate_map={orm.SCHEMA: schema})
    try:
        await migrate(engine, "compliance.adapters.migrations", schema)
        sessions, settings = make_sessionmaker(engine), ComplianceSettings()
        bus = ComplianceBus(DEFAULT_POLICY, lambda: TODAY)
        consumer = BatchConsumer("compliance", sessions, orm.applied_events, bus.route(), bus, batch_unit_of_work(settings, DEFAULT_POLICY))
        for start in range(0, len(events), batch):
            await consumer.handle(records(events[start : start + batch]))
        await advance(units_of_work(sessions, settings, DEFAULT_POLICY), DEFAULT_POLICY, TODAY)
        await count_and_fold(sessions, sessions, TODAY, DEFAULT_POLICY.time_zone)
    finally:
        await engine.dispose()


@dataclass
class Both:
    live: str  # the schema the live consumer wrote
    rebuilt: str  # the schema the replay wrote
    engine: AsyncEngine  # for reading them

    async def column(self, schema: str, sql: str) -> list:
        async with self.engine.connect() as conn:
            return sorted((await conn.execute(text(sql.format(schema=f'"{schema}"')))).all())


@pytest.fixture
async def both(integration_database_url) -> AsyncIterator[Both]:
    suffix = uuid.uuid4().hex[:8]
    found = Both(f"compliance_live_{suffix}", f"compliance_rebuilt_{suffix}", make_engine(integration_database_url))
    yield found
    async with found.engine.begin() as conn:
        for schema in (found.live, found.rebuilt):
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await found.engine.dispose()


async def test_a_replay_whose_write_fails_is_replayed_again_and_ends_as_the_live_consumer(integration_database_url, both, ids):
    events, batch = _poisoned_city(ids), 10
    settings = ComplianceSettings(DATABASE_URL=integration_database_url)
    await _live_projection(integration_database_url, both.live, events, batch)
    with structlog.testing.capture_logs() as logs:
        applied = await replayed(settings, both.rebuilt, records(events), policy=DEFAULT_POLICY, today=TODAY, batch=batch)
    assert applied == len(events)
    stopped = [line for line in logs if line["event"].startswith("the replay stopped while writing behind")]
    assert len(stopped) == 1 and "invalid byte sequence" in stopped[0]["error"]
    assert await compare(settings.asyncpg_url(), both.live, both.rebuilt) == {}
    for schema in (both.live, both.rebuilt):  # the poisoned member is in neither, and everybody else in both
        people = {person for (person,) in await both.column(schema, "SELECT person_id FROM {schema}.members")}
        assert f"{ids}p-nul" not in people and len(people) > 5


async def test_a_replay_writing_behind_ends_as_the_live_consumer(integration_database_url, both, ids):
    """Redelivered events among them (the same ids again, in a later batch and in the same one)."""
    city, batch = demo_city_events(ids, year=2026), 7
    events = [*city[:10], city[3], *city[10:], city[0], city[12]]
    settings = ComplianceSettings(DATABASE_URL=integration_database_url)
    await _live_projection(integration_database_url, both.live, events, batch)
    with structlog.testing.capture_logs() as logs:
        await replayed(settings, both.rebuilt, records(events), policy=DEFAULT_POLICY, today=TODAY, batch=batch)
    assert not [line for line in logs if line["log_level"] == "warning"]
    assert await compare(settings.asyncpg_url(), both.live, both.rebuilt) == {}
    tracked = [await both.column(schema, "SELECT consumer, event_id FROM {schema}.applied_events") for schema in (both.live, both.rebuilt)]
    assert tracked[0] == tracked[1] and len(tracked[0]) == len(city)  # each event once, in both
