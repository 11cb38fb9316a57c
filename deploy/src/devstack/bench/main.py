"""One benchmark run: the figures of the package docstring, in order, on one broker and one database."""

import asyncio
import json
import os
import platform
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import asyncpg

from compliance.adapters.rebuild import compare as compare_projections
from compliance.config import CONSUMED, ComplianceSettings
from compliance.domain.policy import with_overrides
from compliance.entrypoints.replay import BATCH  # events per transaction, as the replay applies them
from compliance.entrypoints.what_if import compare, outcomes
from devstack.bench.ceiling import produce, raw_ceiling
from devstack.bench.live import LiveSystem, live_system, peak_rss_mb
from devstack.bench.peer import per_message
from devstack.bench.projection import TODAY, apply, projection_consumer, replay
from devstack.bench.report import keep_in_readme, table
from devstack.bench.scratch import scratch_database, topic_prefix
from devstack.city import SIZES, CityLog, chosen_size, generate
from devstack.infra import Infrastructure, infrastructure
from kernel.kafka import ensure_topics
from kernel.logging import configure_logging
from kernel.replay import read_log
from kernel.tracing import configure_tracing

# Year events applied one by one too, after the registry (one transaction each is slow: the reason for batches).
CHECKED = {"small": 2_000, "county": 2_000, "city": 2_000}
PEER_EVENTS = {"small": 1_000, "county": 1_500, "city": 1_500}
LATENCY = {"small": (500, 5), "county": (500, 60), "city": (500, 60)}  # events/s, seconds
QUERIES = {"small": 20, "county": 100, "city": 100}
# The offered rates stepped up for the knee (events/s), and how long each step lasts.
KNEE = {"small": ([250, 500], 5), "county": ([250, 500, 1000, 1500, 2000, 3000], 30), "city": ([250, 500, 1000, 1500, 2000, 3000], 30)}
REST_SECONDS = {"small": 10, "county": 60, "city": 60}  # CPU with nothing happening
BACKLOG_LIMIT = 120  # seconds; queries are timed after it even if a backlog remains (the figure says so)
# Compliance instances side by side (group assignment), and the sanctions each count applies.
INSTANCES = ((1, 2, 3), {"small": 3_000, "county": 20_000, "city": 20_000})
WHAT_IF = {"due_days": {"M4": 5}}  # the what-if timed on the replayed log
LIVE_EVENTS = {"small": 10_000, "county": 50_000, "city": 50_000}  # of the year, through the running services


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def run(size: str) -> dict:
    configure_logging("bench", "warning", "console")
    configure_tracing("bench")  # as each service runs: spans made per event, exported only where configured
    run_started = time.monotonic()
    say(f"generating the {size} city …")
    city = generate(size)
    f: dict = {"size": size, "events": len(city.all), "orgs": SIZES[size][0], "members": len(city.members), "batch": BATCH}
    with infrastructure(log=say) as infra:
        bootstrap = infra.kafka_bootstrap_servers
        async with scratch_database(infra.database_url, "replay") as db:
            prefix = topic_prefix("r")
            settings = ComplianceSettings(KAFKA_BOOTSTRAP_SERVERS=bootstrap, KAFKA_TOPIC_PREFIX=prefix)
            await ensure_topics(settings)
            topics = [prefix + t.value for t in CONSUMED]
            say(f"publishing {len(city.all):,} events …")
            f["produce_events_per_s"] = round(len(city.all) / await produce(bootstrap, prefix, city.all))
            say("1. the raw ceiling …")
            f["raw_ceiling_events_per_s"] = round(await raw_ceiling(bootstrap, db.dsn, topics, len(city.all)))
            records = await read_log(settings, topics, idle_seconds=3.0)
            f["log_read_rss_mb"] = peak_rss_mb()  # the city generated and its log read: what the replay starts beside
            say(f"3. compliance replay of {len(records):,} events in batches of {BATCH} …")
            f["compliance_replay_events_per_s"] = round(await replay(db.url, "bench_batched", records, BATCH))
            f |= await replay_memory(db.dsn, "bench_batched", infra.broker_pid)
            say(f"   what-if {json.dumps(WHAT_IF)}: the same log under it, the year compared …")
            f |= await what_if_figures(db.url, records)
            setup, year = split_setup(records, city)
            checked = year[: CHECKED[size]]
            say(f"   the registry, then the year's first {len(checked):,} events batched (as the service, and as the replay) and one by one …")
            async with (
                projection_consumer(db.url, "bench_check") as batched,
                projection_consumer(db.url, "bench_kept", replaying=True) as kept,
                projection_consumer(db.url, "bench_one_by_one") as single,
            ):
                for projection in (batched, kept, single):
                    await apply(projection, setup, BATCH)
                await apply(batched, checked, BATCH)
                await apply(kept, checked, BATCH)
                f["compliance_one_by_one_events_per_s"] = round(await apply(single, checked, 1))
            diff = {}
            for schema in ("bench_check", "bench_kept"):
                found = await compare_projections(db.url, schema, "bench_one_by_one")
                diff |= {f"{schema}.{t}": len(a) + len(b) for t, (a, b) in found.items()}
            f |= {"checked_events": len(checked), "batched_equals_one_by_one": not diff, "differences": diff}
            say(f"2. the textbook peer on {PEER_EVENTS[size]:,} events of the year …")
            f |= await textbook_peer(bootstrap, db.url, setup, city, PEER_EVENTS[size])
        # Two systems, each on the state its figures are about:
        # - the year's: at rest, the year's first events applied live, the dashboard's reads on them;
        # - the sanctions': accept → inbox, the knee and the instances, on the registry alone.
        # In one system the sanctions (some 130,000 on the county, 13 a member) slowed every later
        # decision about their members, each an open obligation it reads; and sanctions after the
        # year's talks, dated ahead of them, opened obligations those talks met at once: no alert to time.
        async with _live(infra, city, "the year's") as system:
            say(f"   the services at rest for {REST_SECONDS[size]} s …")
            f["at_rest_cpu_percent"] = await system.cpu_at_rest(REST_SECONDS[size])
            live = city.year[: LIVE_EVENTS[size]]
            say(f"3. compliance live: the year's first {len(live):,} events …")
            f["live_events"] = len(live)
            f["compliance_live_events_per_s"] = round(await system.live_throughput(live, timeout=3600))
            say("   waiting for the services to finish their backlog …")
            f["backlog_seconds"] = round(await system.wait_quiet(["compliance", "notify", "talks"], timeout=BACKLOG_LIMIT))
            f["backlog_limit"] = BACKLOG_LIMIT
            say("5. query latency …")
            f["queries"] = await system.query_latency(city.root, 2026, QUERIES[size])
            f["footprint"] = await system.footprint()
            rss = system.peak_rss_mb()
        async with _live(infra, city, "the sanctions'") as system:
            rate, seconds = LATENCY[size]
            say(f"4. accept → inbox, {rate} sanctions/s for {seconds} s …")
            f |= {"latency_rate": rate, "latency_seconds": seconds}
            f["accept_to_inbox"] = await system.accept_to_inbox(city.ordinary, rate, seconds)
            await system.wait_quiet(["compliance", "notify"], timeout=BACKLOG_LIMIT)
            rates, step = KNEE[size]
            say(f"   the knee: {', '.join(map(str, rates))} sanctions/s, {step} s each, until one does not keep up …")
            f["knee"] = await system.knee(city.ordinary, rates, step)
            f["peak_rss_mb"] = {name: max(mb, rss[name]) for name, mb in system.peak_rss_mb().items()}
            counts, events = INSTANCES
            say(f"6. compliance as {', '.join(map(str, counts))} instances, {events[size]:,} sanctions each …")
            f["instances"] = await system.instances_throughput(city.ordinary, counts, events[size], settle_s=15)
    f["replay_to_ceiling"] = round(f["compliance_replay_events_per_s"] / f["raw_ceiling_events_per_s"], 3)
    f["replay_to_peer"] = round(f["compliance_replay_events_per_s"] / f["peer_events_per_s"], 1)
    f |= {
        "infrastructure": infra.description,
        "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}",
        "date": date.today().isoformat(),
        "run_seconds": round(time.monotonic() - run_started),
    }
    return f


@asynccontextmanager
async def _live(infra: Infrastructure, city: CityLog, which: str) -> AsyncIterator[LiveSystem]:
    """The four services on a scratch database and topics of their own, the registry loaded."""
    async with scratch_database(infra.database_url, "live") as db:
        say(f"starting the four services ({which} system) …")
        logs = Path(".run/bench/logs") / time.strftime("%Y%m%d-%H%M%S")
        async with live_system(infra, db, topic_prefix("l"), logs) as system:
            await produce(infra.kafka_bootstrap_servers, system.prefix, city.setup)
            await system.wait_applied("compliance", len(city.setup), timeout=600)
            await system.wait_quiet(["notify", "talks"])
            yield system


async def what_if_figures(url: str, records) -> dict:
    """A what-if as `python -m compliance what-if` runs it (a replay under the changed policy, then the
    year's outcomes of both counted and compared), beside the replay just measured (bench_batched)."""
    policy = ComplianceSettings().policy()
    changed = with_overrides(policy, WHAT_IF)
    started = time.monotonic()
    await replay(url, "bench_whatif", records, BATCH, policy=changed)
    live = await outcomes(url, "bench_batched", policy, TODAY.year, TODAY)
    theirs = await outcomes(url, "bench_whatif", changed, TODAY.year, TODAY)
    rows = compare(live, theirs)
    city = {r["measure"]: [r["live"], r["what_if"]] for r in rows if r["org_id"] is None and r["rule_id"] == "M4"}
    return {"what_if_policy": WHAT_IF, "what_if_seconds": round(time.monotonic() - started, 1), "what_if_rows": len(rows), "what_if_M4": city}


async def replay_memory(dsn: str, schema: str, broker_pid: int | None) -> dict:
    """What a replay holds: this process's peak (the log read, then the projection kept in memory),
    the embedded broker's (the whole log, in memory), the rebuilt tables with their indexes."""
    conn = await asyncpg.connect(dsn)
    try:
        tables = await conn.fetchval(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = $1 AND c.relkind = 'r'", schema,
        )  # fmt: skip
    finally:
        await conn.close()
    broker = peak_rss_mb(broker_pid) if broker_pid is not None else None
    return {"replay_rss_mb": peak_rss_mb(), "broker_rss_mb": broker, "replay_tables_mb": round((tables or 0) / 2**20)}


def split_setup(records, city: CityLog) -> tuple[list, list]:
    """The log's records of the registry as the year starts, and the rest, each in log order."""
    setup_ids = {json.loads(m.value)["id"] for m in city.setup}
    setup, rest = [], []
    for r in records:
        (setup if json.loads(r.value)["id"] in setup_ids else rest).append(r)
    return setup, rest


async def textbook_peer(bootstrap: str, url: str, setup, city: CityLog, n: int) -> dict:
    """The registry applied in batches first (as both would have it), then a slice of the year consumed
    one message at a time from topics of its own."""
    year = city.year[:n]
    prefix = topic_prefix("p")
    await ensure_topics(ComplianceSettings(KAFKA_BOOTSTRAP_SERVERS=bootstrap, KAFKA_TOPIC_PREFIX=prefix))
    await produce(bootstrap, prefix, year)
    async with projection_consumer(url, "bench_peer", "bench-peer") as projection:
        await apply(projection, setup, BATCH)
        rate = await per_message(bootstrap, [prefix + t.value for t in CONSUMED], projection.consumer, len(year))
    return {"peer_events": len(year), "peer_events_per_s": round(rate)}


def main(argv: list[str]) -> int:
    size = chosen_size(argv, "small", "usage: python -m devstack bench [{sizes}]")
    if size is None:
        return 2
    figures = asyncio.run(run(size))
    out = Path(".run/bench")
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{size}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    text = table(figures)
    (out / f"{size}.md").write_text(text)
    print(text)
    if size != "small" and keep_in_readme(Path("README.md"), text, size):
        print(f"README.md's benchmark table of the {size} updated")
    if not figures["batched_equals_one_by_one"]:
        print("the batched projection differs from the one applied event by event")
        return 1
    return 0
