"""Replay: the projection rebuilt from the topics from offset zero equals the live one."""

import asyncio
import os
import subprocess
import sys

import asyncpg

from devstack.demo import demo_city_events, sanction_event
from kernel.settings import asyncpg_dsn
from tests.conftest import eventually

from .conftest import post_events


async def _quiet(system) -> None:
    """No event in flight: the outboxes are empty and the consumers' counters have stopped moving."""
    dsn = asyncpg_dsn(system.database_url)

    async def state():
        conn = await asyncpg.connect(dsn)
        try:
            pending = 0
            for schema in ("registry", "talks", "compliance", "notify"):
                pending += await conn.fetchval(f"SELECT count(*) FROM {schema}.outbox")
        finally:
            await conn.close()
        async with system.client() as http:
            metrics = (await http.get(f"{system.url('compliance')}/metrics")).text
        applied = sum(float(line.split()[-1]) for line in metrics.splitlines() if line.startswith(("events_applied_total{", "events_duplicate_total{", "events_dead_lettered_total{")))
        return pending, applied

    last = None

    async def settled():
        nonlocal last
        now = await state()
        done = now[0] == 0 and now == last
        last = now
        return done

    await eventually(settled, timeout=60, interval=2.0)


async def test_the_rebuilt_projection_equals_the_live_one(system, ids):
    async with system.client() as http:
        await post_events(http, system, demo_city_events(ids))
        await post_events(http, system, [sanction_event(ids + "p-b1-m1"), sanction_event(ids + "p-b2-cm", case_ref="c2")])
    await _quiet(system)
    env = {
        **os.environ,
        "DATABASE_URL": system.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": system.infra.kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": system.topic_prefix,
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "compliance", "replay", "--schema", "compliance_rebuild", "--compare"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "rebuilt projection equals the live one" in result.stdout

    conn = await asyncpg.connect(asyncpg_dsn(system.database_url))
    try:
        rebuilt = await conn.fetchval("SELECT count(*) FROM compliance_rebuild.obligations WHERE subject_id LIKE $1", ids + "%")
        staged = await conn.fetchval("SELECT count(*) FROM compliance_rebuild.outbox")
    finally:
        await conn.close()
    assert rebuilt == 2  # the replay saw this test's events, not only earlier ones
    assert staged == 0  # a rebuild tells nobody: the live service told them when it happened
