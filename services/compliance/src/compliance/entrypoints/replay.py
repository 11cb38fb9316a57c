"""Rebuild the compliance projection from the topics, from offset zero, into fresh tables.

    python -m compliance replay [--schema compliance_rebuild] [--compare]

The rebuilt tables live in their own schema (the live ones are untouched); nothing is published
(nothing is even staged in the rebuilt outbox: the live service told everyone when it happened). With --compare, the rebuilt state is compared with the live
one and the command exits 1 when they differ.
"""

import argparse
import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from aiokafka import ConsumerRecord

from compliance.adapters import orm
from compliance.adapters.rebuild import analyze, compare, fresh_schema
from compliance.adapters.rollups import count_and_fold
from compliance.adapters.unit_of_work import replay_units_of_work, units_of_work
from compliance.adapters.write_behind import WriteBehind, WriteBehindFailed
from compliance.application.lifecycle import advance
from compliance.application.messagebus import ComplianceBus
from compliance.config import CONSUMED, ComplianceSettings
from compliance.domain.policy import Policy
from kernel import heap
from kernel.consumer import BatchConsumer
from kernel.db import make_sessionmaker
from kernel.logging import configure_logging, get_logger
from kernel.replay import chunks, read_log
from talk_contracts import Topic
from talk_contracts.calendar import local_date

log = get_logger("compliance.replay")
# Events per transaction. With its rows kept in memory a replay's batch costs little more than its
# writes: under the profiler the county's first 40,000 events went from 2,405 events/s in batches
# of 500 to 3,639 in batches of 2,000. (The live consumer's KAFKA_MAX_BATCH is a cap on what has
# arrived; this is the size of every batch.)
BATCH = 2000

Progress = Callable[[str, int, int], None]  # stage, done, of


async def rebuild(
    settings: ComplianceSettings, schema: str, idle_seconds: float, *, policy: Policy | None = None, progress: Progress | None = None, batch: int = BATCH,
) -> int:
    """`policy`: the service's own unless another is asked for (a what-if). `progress` hears of each chunk."""
    policy = policy or settings.policy()
    today = local_date(datetime.now(UTC), policy.zone)
    started = time.monotonic()
    # Compliance's own topic too: the operators' waivers are facts of the projection (application.waivers).
    topics = [settings.topic(t.value) for t in [*CONSUMED, Topic.COMPLIANCE]]
    records = await read_log(settings, topics, idle_seconds)
    log.info("log read", records=len(records), seconds=round(time.monotonic() - started, 1))
    heap.settle()  # the log read is kept to the end: out of the collector's way
    applied = await replayed(settings, schema, records, policy=policy, today=today, progress=progress, batch=batch)
    elapsed = time.monotonic() - started
    log.info("replay done", events=applied, seconds=round(elapsed, 1), per_second=round(applied / max(elapsed, 1e-9)))
    return applied


async def replayed(
    settings: ComplianceSettings, schema: str, records: Sequence[ConsumerRecord], *, policy: Policy, today: date, progress: Progress | None = None, batch: int = BATCH,
) -> int:
    """The records applied into a fresh `schema`, each batch's writes behind the next batch's
    decisions (adapters.write_behind); if that stops, all of them again from the start, each batch
    written in its own transaction, where a failing event is isolated and skipped."""
    try:
        return await _replayed(settings, schema, records, policy, today, progress, batch, write_behind=True)
    except WriteBehindFailed as exc:
        log.warning("the replay stopped while writing behind; replaying again from the start, each batch written in its own transaction", error=str(exc))
        return await _replayed(settings, schema, records, policy, today, progress, batch, write_behind=False)


async def _replayed(
    settings: ComplianceSettings, schema: str, records: Sequence[ConsumerRecord], policy: Policy, today: date, progress: Progress | None, batch: int, *, write_behind: bool,
) -> int:
    """The records applied into a fresh `schema`, then the day's stages and the year's coverage counted."""
    engine = await fresh_schema(settings.asyncpg_url(), schema)
    try:
        sessions = make_sessionmaker(engine)
        bus = ComplianceBus(policy, lambda: today, replaying=True)
        # The schema starts empty, so what the replay writes is all there is: kept in memory, never loaded.
        writer = WriteBehind(sessions) if write_behind else None
        units = replay_units_of_work(settings, policy, writer)
        consumer = BatchConsumer("compliance", sessions, orm.applied_events, bus.route(), bus, units, spans=False)
        applied = 0
        try:
            with heap.keeping() as keeping:  # the rows kept: out of the collector's way as they grow
                async for chunk in chunks(records, batch):
                    await consumer.handle(chunk)
                    applied += len(chunk)
                    keeping.applied(len(chunk))
                    if progress is not None:
                        progress("replaying", applied, len(records))
                    if applied % 20_000 < len(chunk):
                        log.info("replaying", applied=applied, of=len(records))
                if writer is not None:
                    await writer.drain()
        finally:
            if writer is not None:
                await writer.close()
        await advance(units_of_work(sessions, settings, policy), policy, today)
        if progress is not None:
            progress("counting coverage", applied, len(records))
        await count_and_fold(sessions, sessions, today, policy.time_zone)  # nothing else writes here: no race to lose
        await analyze(engine, schema)
        return applied
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m compliance replay", description=__doc__.split("\n")[1])
    parser.add_argument("--schema", default="compliance_rebuild", help="where the rebuilt tables go")
    parser.add_argument("--idle-seconds", type=float, default=3.0, help="the log is read until quiet this long")
    parser.add_argument("--batch", type=int, default=BATCH, help=f"events per transaction (default {BATCH})")
    parser.add_argument("--compare", action="store_true", help="compare with the live projection; exit 1 if they differ")
    args = parser.parse_args(argv)
    # The rebuild drops and recreates its schema: only one of compliance's own, never the live one
    # nor another service's (`--schema talks` would drop the talk records).
    if not args.schema.startswith(f"{orm.SCHEMA}_"):
        parser.error(f"--schema must name a scratch schema of compliance's own, {orm.SCHEMA}_<something> (not {args.schema!r})")
    settings = ComplianceSettings()
    configure_logging("compliance-replay", settings.log_level, settings.log_format)
    if args.batch < 1:
        parser.error(f"--batch must be 1 or more (not {args.batch})")
    asyncio.run(rebuild(settings, args.schema, args.idle_seconds, batch=args.batch))
    if not args.compare:
        return 0
    differences = asyncio.run(compare(settings.asyncpg_url(), orm.SCHEMA, args.schema))
    for table, (only_live, only_rebuilt) in differences.items():
        print(f"{table}: {len(only_live)} rows only live, {len(only_rebuilt)} rows only rebuilt")
        for where, rows in (("live", only_live), ("rebuilt", only_rebuilt)):
            for row in rows[:5]:
                print(f"  only {where}: {tuple(row)}")
    print("rebuilt projection equals the live one" if not differences else "rebuilt projection differs")
    return 1 if differences else 0
