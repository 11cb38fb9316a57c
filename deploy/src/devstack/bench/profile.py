"""`python -m devstack bench profile [small|county|city] [EVENTS] [BATCH] [live] [plain]`: where the
compliance replay spends its time. The city's log is published to the embedded broker, read back, and
its first EVENTS events (county: 40,000 by default) applied in batches of BATCH (2,000; the live
consumer sees tens) under pyinstrument, as the replay applies them (its rows kept in memory, its writes
behind the next batch's decisions), or with `live` as the service does (each batch loading its
rows); the call tree goes to `.run/bench/profile-<size>.txt` and a flame-graph page to `.html`.
With `plain`, no profiler (it inflates the Python parts): the rate, the process's CPU time against
the wall's, and the rows written per event in each table, for comparing two commits run after each
other."""

import asyncio
import time
from pathlib import Path

import asyncpg

from compliance.config import CONSUMED, ComplianceSettings
from compliance.entrypoints.replay import BATCH
from devstack.bench.ceiling import produce
from devstack.bench.main import say
from devstack.bench.projection import apply, projection_consumer
from devstack.bench.scratch import scratch_database, topic_prefix
from devstack.city import SIZES, chosen_size, generate
from devstack.infra import infrastructure
from kernel.kafka import ensure_topics
from kernel.logging import configure_logging
from kernel.replay import read_log
from kernel.tracing import configure_tracing


async def profile(size: str, events: int, batch: int = BATCH, *, live: bool = False, plain: bool = False) -> Path:
    configure_logging("bench", "warning", "console")
    configure_tracing("bench")  # as each service runs: spans made per event, exported only where configured
    say(f"generating the {size} city's year …")
    city = generate(size)
    with infrastructure(log=say) as infra:
        async with scratch_database(infra.database_url, "profile") as db:
            prefix = topic_prefix("f")
            settings = ComplianceSettings(KAFKA_BOOTSTRAP_SERVERS=infra.kafka_bootstrap_servers, KAFKA_TOPIC_PREFIX=prefix)
            await ensure_topics(settings)
            say(f"publishing {len(city.all):,} events …")
            await produce(infra.kafka_bootstrap_servers, prefix, city.all)
            say("reading them back …")
            records = (await read_log(settings, [prefix + t.value for t in CONSUMED], idle_seconds=2.0))[:events]
            say(f"applying {len(records):,} events {_how(live)}, batches of {batch:,} …")
            async with projection_consumer(db.url, "bench_profile", replaying=not live) as projection:
                if plain:
                    cpu, started = time.process_time(), time.perf_counter()
                    rate = await apply(projection, records, batch, _progress)
                    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
                    say(f"{len(records):,} events {_how(live)}, batches of {batch:,}: {rate:,.0f} events/s; CPU {cpu:.1f} s of {wall:.1f} s wall")
                    for table, n in await _rows_written(db.dsn, "bench_profile"):
                        say(f"  {table}: {n:,} rows, {n / len(records):.2f} per event")
                    return Path(".run/bench")
                from pyinstrument import Profiler  # a development tool: only this command needs it

                profiler = Profiler(async_mode="enabled")
                profiler.start()
                started = time.perf_counter()
                rate = await apply(projection, records, batch, _progress)
                profiler.stop()
    out = Path(".run/bench")
    out.mkdir(parents=True, exist_ok=True)
    (out / f"profile-{size}.txt").write_text(profiler.output_text(unicode=True, color=False))
    (out / f"profile-{size}.html").write_text(profiler.output_html())
    say(f"{len(records):,} events {_how(live)} in {time.perf_counter() - started:.1f} s ({rate:,.0f} events/s under the profiler); see {out}/profile-{size}.txt")
    return out


def _progress(applied: int, of: int) -> None:
    say(f"  {applied:,} of {of:,} applied")


def _how(live: bool) -> str:
    return "as the service applies them" if live else "as the replay applies them"


async def _rows_written(dsn: str, schema: str) -> list[tuple[str, int]]:
    conn = await asyncpg.connect(dsn)
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'alembic_version' ORDER BY 1", schema)
        counts = [(t["tablename"], await conn.fetchval(f'SELECT count(*) FROM "{schema}"."{t["tablename"]}"')) for t in tables]
    finally:
        await conn.close()
    return [(table, n) for table, n in counts if n]


USAGE = "usage: python -m devstack bench profile [{sizes}] [EVENTS] [BATCH] [live] [plain]"


def main(argv: list[str]) -> int:
    size = chosen_size(argv, "county", USAGE)
    if size is None:
        return 2
    words = argv[1:]
    numbers = [w for w in words if w not in ("live", "plain")]
    if not all(n.isdigit() and int(n) > 0 for n in numbers) or len(numbers) > 2:
        print(USAGE.format(sizes="|".join(SIZES)))
        return 2
    events = int(numbers[0]) if numbers else 40_000
    batch = int(numbers[1]) if len(numbers) > 1 else BATCH
    asyncio.run(profile(size, events, batch, live="live" in words, plain="plain" in words))
    return 0
