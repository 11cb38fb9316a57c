"""`make bench [SIZE=small|county|city]`: the pipeline measured against the machine's ceiling.

Figures so far (issue 6 lists the rest): the raw ceiling (aiokafka consume + decode + a batched
upsert of one row per event + offsets committed), and the compliance projection replayed from
offset zero — events/s and its ratio to the ceiling — with a check that the batched projection
equals the same events applied one by one. Prints a table and writes .run/bench/<size>.json.
"""

import asyncio
from datetime import date
import json
import os
import resource
import sys
import time
import uuid
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from compliance.adapters import orm
from compliance.application.handlers import ComplianceHandlers
from compliance.config import ComplianceSettings
from compliance.entrypoints.app import CONSUMED
from compliance.entrypoints.replay import COMPARED
from devstack.city import generate
from devstack.infra import infrastructure
from kernel.consumer import BatchConsumer
from kernel.db import make_sessionmaker, migrate
from kernel.kafka import ensure_topics
from kernel.logging import configure_logging
from kernel.replay import read_log

BATCH = 500


async def produce(bootstrap: str, prefix: str, messages) -> float:
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
    """Consume, decode, upsert one row per event in one statement per batch, commit offsets."""
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


async def projection(url: str, schema: str, records, batch: int) -> float:
    engine = create_async_engine(url, poolclass=NullPool).execution_options(schema_translate_map={orm.SCHEMA: schema})
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await migrate(engine, "compliance.adapters.migrations", schema)
        settings = ComplianceSettings()
        today = date(2026, 12, 31)  # the generated year, seen from its end
        handlers = ComplianceHandlers(settings, settings.policy(), lambda: today)
        consumer = BatchConsumer("bench", make_sessionmaker(engine), orm.applied_events, handlers.route(), handlers)
        started = time.perf_counter()
        for start in range(0, len(records), batch):
            await consumer.handle(records[start : start + batch])
        return len(records) / (time.perf_counter() - started)
    finally:
        await engine.dispose()


async def differences(dsn: str, a: str, b: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        out = {}
        for table, columns in COMPARED.items():
            n = await conn.fetchval(
                f'SELECT count(*) FROM ((SELECT {columns} FROM "{a}"."{table}" EXCEPT ALL SELECT {columns} FROM "{b}"."{table}") '
                f'UNION ALL (SELECT {columns} FROM "{b}"."{table}" EXCEPT ALL SELECT {columns} FROM "{a}"."{table}")) x'
            )
            if n:
                out[table] = n
        return out
    finally:
        await conn.close()


async def run(size: str) -> dict:
    configure_logging("bench", "warning", "console")
    messages = generate(size)
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    with infrastructure(log=lambda m: print(m, file=sys.stderr)) as infra:
        dsn = infra.database_url.replace("+asyncpg", "")
        admin = await asyncpg.connect(dsn)
        db = f"bench_{uuid.uuid4().hex[:8]}"
        await admin.execute(f'CREATE DATABASE "{db}"')
        await admin.close()
        base = infra.database_url.rpartition("/")[0]
        url, dsn = f"{base}/{db}", f"{dsn.rpartition('/')[0]}/{db}"
        try:
            settings = ComplianceSettings(KAFKA_BOOTSTRAP_SERVERS=infra.kafka_bootstrap_servers, KAFKA_TOPIC_PREFIX=prefix)
            await ensure_topics(settings)
            topics = [prefix + t.value for t in CONSUMED]
            produce_s = await produce(infra.kafka_bootstrap_servers, prefix, messages)
            raw = await raw_ceiling(infra.kafka_bootstrap_servers, dsn, topics, len(messages))
            records = await read_log(settings, topics, idle_seconds=3.0)
            replay = await projection(url, "bench_batched", records, BATCH)
            check_records = records if size == "small" else records[:20_000]
            await projection(url, "bench_batched_check", check_records, BATCH)
            one_by_one = await projection(url, "bench_one_by_one", check_records, 1)
            diff = await differences(dsn, "bench_batched_check", "bench_one_by_one")
        finally:
            admin = await asyncpg.connect(infra.database_url.replace("+asyncpg", ""))
            await admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            await admin.close()
    return {
        "size": size,
        "events": len(messages),
        "infrastructure": infra.description,
        "machine": f"{os.cpu_count()} cores",
        "produce_events_per_s": round(len(messages) / produce_s),
        "raw_ceiling_events_per_s": round(raw),
        "compliance_replay_events_per_s": round(replay),
        "replay_to_ceiling": round(replay / raw, 3),
        "compliance_one_by_one_events_per_s": round(one_by_one),
        "batched_equals_one_by_one": not diff,
        "differences": diff,
        "peak_rss_mb_bench_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str]) -> int:
    size = argv[0] if argv else "small"
    if size not in ("small", "county", "city"):
        print("usage: python -m devstack bench [small|county|city]")
        return 2
    figures = asyncio.run(run(size))
    out = Path(".run/bench")
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{size}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if not figures["batched_equals_one_by_one"]:
        print("the batched projection differs from the one applied event by event")
        return 1
    return 0
