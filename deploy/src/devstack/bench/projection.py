"""The compliance projection applied from records in memory, batched or one by one
(compliance.entrypoints.replay.compare tells whether two such projections are equal)."""

import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from datetime import date

from aiokafka import ConsumerRecord
from sqlalchemy import text

from compliance.adapters import orm
from compliance.adapters.unit_of_work import batch_unit_of_work, replay_units_of_work
from compliance.adapters.write_behind import WriteBehind
from compliance.application.messagebus import ComplianceBus
from compliance.config import ComplianceSettings
from compliance.domain.policy import Policy
from kernel import heap
from kernel.consumer import BatchConsumer
from kernel.db import make_engine, make_sessionmaker, migrate

TODAY = date(2026, 12, 31)  # the generated year, seen from its end
PROGRESS_EVERY_S = 30.0


@dataclass
class Projection:
    consumer: BatchConsumer
    writer: WriteBehind | None  # a replay's: what its batches wrote behind is waited for


@asynccontextmanager
async def projection_consumer(
    url: str, schema: str, name: str = "bench", policy: Policy | None = None, *, replaying: bool = False,
) -> AsyncIterator[Projection]:
    """The compliance consumer writing to fresh tables in `schema` (no producer: nothing dead-lettered),
    under the service's policy unless another is given (a what-if). `replaying`: as `python -m
    compliance replay` applies the log, its rows kept in memory from batch to batch and its writes
    behind the next batch's decisions; otherwise as the live service does, each batch loading its own."""
    # A pooled engine, as every service runs: the one-by-one peer must not pay a connection per event.
    engine = make_engine(url).execution_options(schema_translate_map={orm.SCHEMA: schema})
    writer = None
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await migrate(engine, "compliance.adapters.migrations", schema)
        settings = ComplianceSettings()
        policy = policy or settings.policy()
        bus = ComplianceBus(policy, lambda: TODAY, replaying=replaying)
        heap.settle()  # as the service does once started (kernel.runtime)
        sessions = make_sessionmaker(engine)
        writer = WriteBehind(sessions) if replaying else None
        units = replay_units_of_work(settings, policy, writer) if replaying else batch_unit_of_work(settings, policy)
        yield Projection(BatchConsumer(name, sessions, orm.applied_events, bus.route(), bus, units, spans=not replaying), writer)
    finally:  # what `apply` did not wait for (it failed) is abandoned
        if writer is not None:
            await writer.close()
        await engine.dispose()


async def apply(
    projection: Projection, records: Sequence[ConsumerRecord], batch: int, progress: Callable[[int, int], None] | None = None
) -> float:
    """Apply the records in batches of `batch`, until written: events/s. `progress` hears (applied,
    of all) every half minute: a city's year takes a quarter of an hour."""
    # A replaying projection keeps its rows from batch to batch: its heap kept settled, as `compliance replay` does.
    with heap.keeping() if projection.writer is not None else nullcontext() as keeping:
        started = last = time.perf_counter()
        for start in range(0, len(records), batch):
            chunk = records[start : start + batch]
            await projection.consumer.handle(chunk)
            if keeping is not None:
                keeping.applied(len(chunk))
            if progress is not None and time.perf_counter() - last >= PROGRESS_EVERY_S:
                last = time.perf_counter()
                progress(min(start + batch, len(records)), len(records))
        if projection.writer is not None:
            await projection.writer.drain()
        seconds = time.perf_counter() - started  # not the last settling, after
    return len(records) / seconds


async def replay(url: str, schema: str, records: Sequence[ConsumerRecord], batch: int, policy: Policy | None = None) -> float:
    async with projection_consumer(url, schema, policy=policy, replaying=True) as projection:
        return await apply(projection, records, batch)
