"""The compliance projection applied from records in memory, batched or one by one
(compliance.entrypoints.replay.compare tells whether two such projections are equal)."""

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date

from aiokafka import ConsumerRecord
from sqlalchemy import text

from compliance.adapters import orm
from compliance.adapters.unit_of_work import batch_unit_of_work, replay_units_of_work
from compliance.application.messagebus import ComplianceBus
from compliance.config import ComplianceSettings
from compliance.domain.policy import Policy
from kernel import heap
from kernel.consumer import BatchConsumer
from kernel.db import make_engine, make_sessionmaker, migrate

TODAY = date(2026, 12, 31)  # the generated year, seen from its end


@asynccontextmanager
async def projection_consumer(
    url: str, schema: str, name: str = "bench", policy: Policy | None = None, *, replaying: bool = False,
) -> AsyncIterator[BatchConsumer]:
    """The compliance consumer writing to fresh tables in `schema` (no producer: nothing dead-lettered),
    under the service's policy unless another is given (a what-if). `replaying`: as `python -m
    compliance replay` applies the log, its rows kept in memory from batch to batch; otherwise as the
    live service does, each batch loading its own."""
    # A pooled engine, as every service runs: the one-by-one peer must not pay a connection per event.
    engine = make_engine(url).execution_options(schema_translate_map={orm.SCHEMA: schema})
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await migrate(engine, "compliance.adapters.migrations", schema)
        settings = ComplianceSettings()
        policy = policy or settings.policy()
        bus = ComplianceBus(policy, lambda: TODAY, replaying=replaying)
        heap.settle()  # as the service does once started (kernel.runtime)
        units = (replay_units_of_work if replaying else batch_unit_of_work)(settings, policy)
        yield BatchConsumer(name, make_sessionmaker(engine), orm.applied_events, bus.route(), bus, units, spans=not replaying)
    finally:
        await engine.dispose()


async def apply(consumer: BatchConsumer, records: Sequence[ConsumerRecord], batch: int) -> float:
    """Apply the records in batches of `batch`: events/s."""
    started = time.perf_counter()
    for start in range(0, len(records), batch):
        await consumer.handle(records[start : start + batch])
    return len(records) / (time.perf_counter() - started)


async def replay(url: str, schema: str, records: Sequence[ConsumerRecord], batch: int, policy: Policy | None = None) -> float:
    async with projection_consumer(url, schema, policy=policy, replaying=True) as consumer:
        return await apply(consumer, records, batch)
