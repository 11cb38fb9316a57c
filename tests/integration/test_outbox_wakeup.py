"""The relay wakes on the staging transaction's NOTIFY (kernel.wakeup), not on a timer: with its
fallback poll set to a minute, a committed event still reaches the broker within moments; a relay at
rest runs no query at all."""

import asyncio
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import MetaData, func, select, text

from kernel.db import make_sessionmaker
from kernel.kafka import ensure_topics, make_producer
from kernel.ordering import SEQUENCE
from kernel.outbox import OutboxRelay, stage
from kernel.replay import read_log
from kernel.settings import CommonSettings, asyncpg_dsn
from kernel.tables import outbox_table
from kernel.wakeup import Wakeup, channel_of
from talk_contracts import CloudEvent


def _joined(person_id: str) -> CloudEvent:
    data = {"person_id": person_id, "name": "甲", "org_id": "o", "status": "full"}
    return CloudEvent(id=str(uuid.uuid4()), source="urn:test", type="member.joined.v1", time=datetime.now(UTC), subject=person_id, data=data)


async def test_a_committed_event_is_relayed_at_once_and_an_idle_relay_asks_nothing(engine, integration_database_url, infra):
    schema = f"wake_{uuid.uuid4().hex[:6]}"
    outbox = outbox_table(MetaData(schema=schema))
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(outbox.metadata.create_all)
    prefix = f"wake{uuid.uuid4().hex[:6]}."
    settings = CommonSettings(KAFKA_BOOTSTRAP_SERVERS=infra.kafka_bootstrap_servers, KAFKA_TOPIC_PREFIX=prefix, OUTBOX_POLL_INTERVAL_S=60)
    await ensure_topics(settings)
    sessions = make_sessionmaker(engine)
    producer = make_producer(settings)
    await producer.start()
    wakeup = Wakeup(asyncpg_dsn(integration_database_url), channel_of(outbox))
    await wakeup.start()
    relay = OutboxRelay(sessions, outbox, producer, settings, wakeup)
    relay.start()
    try:
        # Started: its first looks (at start, and once more when its LISTEN connects) are over, and
        # the server's statistics (flushed at most once a second) have caught up with them.
        before = await _settled(engine, schema)
        await asyncio.sleep(3.0)
        # At rest: no polling (a relay polling every 50 ms reads the table ~60 times in 3 s; one
        # straggling statistics flush is allowed for).
        assert await _relay_queries(engine, schema) - before <= 1

        async with sessions() as session, session.begin():
            await stage(session, outbox, settings, [_joined("p-rolled-back")])
            await session.rollback()  # never committed: never announced, never relayed
        started = time.monotonic()
        async with sessions() as session, session.begin():
            await stage(session, outbox, settings, [_joined("p-1")])
        while await _pending(sessions, outbox):
            assert time.monotonic() - started < 5, "the relay did not wake on the commit"
            await asyncio.sleep(0.05)
    finally:
        await relay.stop()
        await wakeup.stop()
        await producer.stop()
    published = await read_log(settings, [settings.topic("registry.events")], idle_seconds=1.0)
    assert [r.key for r in published] == [b"p-1"]
    # its place in the staging order, for consumers merging records of one millisecond (kernel.ordering)
    assert dict(published[0].headers)[SEQUENCE].isdigit()


async def _settled(engine, schema: str) -> int:
    last, started = None, time.monotonic()
    stable_since = started
    while time.monotonic() - stable_since < 1.5 and time.monotonic() - started < 10:  # a poller never settles
        now = await _relay_queries(engine, schema)
        if now != last:
            last, stable_since = now, time.monotonic()
        await asyncio.sleep(0.25)
    return last


async def _pending(sessions, outbox) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(outbox))


async def _relay_queries(engine, schema: str) -> int:
    """How often the outbox table was read (sequential and index scans since the server started)."""
    async with engine.connect() as conn:
        row = (await conn.execute(text(
            "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE schemaname = :s AND relname = 'outbox'"
        ), {"s": schema})).scalar()  # fmt: skip
    return row or 0
