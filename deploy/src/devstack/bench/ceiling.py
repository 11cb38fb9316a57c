"""Producing the city's log, and the raw ceiling: what the broker and the database allow at all."""

import asyncio
import json
import time
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from devstack.city import Message


async def produce(bootstrap: str, prefix: str, messages: list[Message]) -> float:
    """Publish in order (acks=all); returns the seconds it took."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, max_batch_size=256 * 1024)
    await producer.start()
    started = time.perf_counter()
    try:
        pending = []
        for m in messages:
            pending.append(await producer.send(prefix + m.topic, m.value, key=m.key))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return time.perf_counter() - started


async def raw_ceiling(bootstrap: str, dsn: str, topics: list[str], expected: int) -> float:
    """Consume, decode, upsert one row per event in one statement per batch, commit offsets: events/s."""
    conn = await asyncpg.connect(dsn)
    await conn.execute("CREATE TABLE IF NOT EXISTS bench_raw (event_id text PRIMARY KEY, type text, key text)")
    consumer = AIOKafkaConsumer(
        *topics, bootstrap_servers=bootstrap, group_id=f"bench-raw-{uuid.uuid4().hex[:6]}", auto_offset_reset="earliest",
        enable_auto_commit=False, fetch_max_wait_ms=50, max_poll_records=5000,
    )  # fmt: skip
    await consumer.start()
    seen, started = 0, None
    try:
        while seen < expected:
            batch = await consumer.getmany(timeout_ms=1000)
            records = [r for part in batch.values() for r in part]
            if not records:
                continue
            started = started or time.perf_counter()
            decoded = [json.loads(r.value) for r in records]
            await conn.execute(
                "INSERT INTO bench_raw SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) "
                "ON CONFLICT (event_id) DO UPDATE SET type = excluded.type",
                [e["id"] for e in decoded], [e["type"] for e in decoded], [(r.key or b"").decode() for r in records],
            )
            await consumer.commit()
            seen += len(records)
    finally:
        await consumer.stop()
        await conn.close()
    return seen / (time.perf_counter() - started)
