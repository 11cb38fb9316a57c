"""`python -m devstack bench profile [small|county|city] [EVENTS] [BATCH] [live]`: where the compliance
replay spends its time. The city's log is published to the embedded broker, read back, and its first
EVENTS events (county: 40,000 by default) applied in batches of BATCH (2,000; the live consumer sees
tens) under pyinstrument, as the replay applies them (its rows kept in memory), or with `live` as the
service does (each batch loading its rows); the call tree goes to `.run/bench/profile-<size>.txt` and
a flame-graph page to `.html`."""

import asyncio
import time
from pathlib import Path

from compliance.config import CONSUMED, ComplianceSettings
from compliance.entrypoints.replay import BATCH
from devstack.bench.ceiling import produce
from devstack.bench.main import say
from devstack.bench.projection import apply, projection_consumer
from devstack.bench.scratch import scratch_database, topic_prefix
from devstack.city import chosen_size, generate
from devstack.infra import infrastructure
from kernel.kafka import ensure_topics
from kernel.logging import configure_logging
from kernel.replay import read_log
from kernel.tracing import configure_tracing


async def profile(size: str, events: int, batch: int = BATCH, *, live: bool = False) -> Path:
    from pyinstrument import Profiler  # a development tool: only this command needs it

    configure_logging("bench", "warning", "console")
    configure_tracing("bench")  # as each service runs: spans made per event, exported only where configured
    city = generate(size)
    with infrastructure(log=say) as infra:
        async with scratch_database(infra.database_url, "profile") as db:
            prefix = topic_prefix("f")
            settings = ComplianceSettings(KAFKA_BOOTSTRAP_SERVERS=infra.kafka_bootstrap_servers, KAFKA_TOPIC_PREFIX=prefix)
            await ensure_topics(settings)
            await produce(infra.kafka_bootstrap_servers, prefix, city.all)
            records = (await read_log(settings, [prefix + t.value for t in CONSUMED], idle_seconds=2.0))[:events]
            async with projection_consumer(db.url, "bench_profile", replaying=not live) as consumer:
                profiler = Profiler(async_mode="enabled")
                profiler.start()
                started = time.perf_counter()
                rate = await apply(consumer, records, batch)
                profiler.stop()
    out = Path(".run/bench")
    out.mkdir(parents=True, exist_ok=True)
    (out / f"profile-{size}.txt").write_text(profiler.output_text(unicode=True, color=False))
    (out / f"profile-{size}.html").write_text(profiler.output_html())
    how = "as the service applies them" if live else "as the replay applies them"
    say(f"{len(records):,} events {how} in {time.perf_counter() - started:.1f} s ({rate:,.0f} events/s under the profiler); see {out}/profile-{size}.txt")
    return out


def main(argv: list[str]) -> int:
    size = chosen_size(argv, "county", "usage: python -m devstack bench profile [{sizes}] [EVENTS] [BATCH] [live]")
    if size is None:
        return 2
    live = "live" in argv[1:]
    numbers = [int(a) for a in argv[1:] if a != "live"]
    asyncio.run(profile(size, numbers[0] if numbers else 40_000, numbers[1] if len(numbers) > 1 else BATCH, live=live))
    return 0
