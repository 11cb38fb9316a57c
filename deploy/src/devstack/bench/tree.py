"""`python -m devstack bench tree [small|county|city]`: the dashboard's reads on a tree of that size.

The organisations, members and secretaries of the seeded city are written straight into compliance's
tables (the projection of the registry at the start of the year), with a COV-MEMBER talk for every
other member; then the dashboard's requests are timed through the compliance app itself, in process
(no broker: these reads touch only the database): the roots, the level below the root (every
subtree's coverage rolled up: the heaviest level), a level in the middle, a branch's members, the
whole city's coverage with a tally per organisation (`GET /v1/coverage?people=false`), a page of
obligations' counts, the monthly chart. Each request several times; p50, p99 and the slowest. Twice:
counted from the projection's rows (a year not kept counted yet; ten times each, they take a second),
then from the coverage roll-up (compliance.adapters.rollups) once the leader's job has counted the
year whole, which is timed too: a hundred times each, so that p99 is a percentile (of ten it is the
slowest: a single pause of the machine decided it)."""

import asyncio
import json
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import select

from compliance.adapters import orm
from compliance.adapters.ancestry import keep_ancestry
from compliance.adapters.rollups import count_and_fold
from compliance.config import ComplianceSettings
from compliance.entrypoints.app import create_app
from devstack.bench.live import percentiles
from devstack.bench.scratch import scratch_database
from devstack.city import SIZES, chosen_size, generate
from devstack.infra import infrastructure
from devstack.issuer import DevIssuer
from kernel import heap
from kernel.db import migrate

OUT = Path(".run/bench")
REPEAT = 10  # counted from the projection's rows
ROLLUP_REPEAT = 100  # from the roll-up
YEAR = 2026
TODAY = date(YEAR, 11, 29)


def say(message: str) -> None:
    print(f"[bench tree {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def _load(dsn: str, size: str) -> tuple[str, str, str]:
    """The city's registry into compliance's tables; returns (root, an organisation mid-tree, a branch)."""
    city = generate(size, year=YEAR)
    start = datetime(YEAR, 1, 1, 8, tzinfo=UTC)
    orgs, members, roles = [], [], []
    for message in city.setup:
        event = json.loads(message.value)
        data = event["data"]
        if event["type"] == "org.registered.v1":
            orgs.append((data["org_id"], data["parent_id"], data["name"], data["kind"]))
        elif event["type"] == "member.joined.v1":
            members.append((data["person_id"], data["org_id"], data["name"], "full", start))
        elif event["type"] == "role.assigned.v1":
            roles.append((data["org_id"], data["person_id"], "secretary", start))
    secretary_of = {org: person for org, person, _, _ in roles}
    talks = [
        (f"t{i}", "COV-MEMBER", person, secretary_of[org], org, YEAR, datetime(YEAR, 1 + i % 11, 10, tzinfo=UTC))
        for i, (person, org, *_) in enumerate(members)
        if i % 2 == 0 and secretary_of.get(org) not in (None, person)
    ]
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table("orgs", schema_name="compliance", records=orgs, columns=["org_id", "parent_id", "name", "kind"])
        await conn.copy_records_to_table(
            "members", schema_name="compliance", records=members, columns=["person_id", "org_id", "name", "status", "joined_at"]
        )
        await conn.copy_records_to_table("roles", schema_name="compliance", records=roles, columns=["org_id", "person_id", "role", "since"])
        await conn.copy_records_to_table(
            "coverage_credits", schema_name="compliance", records=talks,
            columns=["talk_id", "rule_id", "person_id", "counterpart_id", "org_id", "year", "held_at"],
        )  # fmt: skip
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    say(f"loaded {len(orgs):,} organisations, {len(members):,} members, {len(talks):,} talks")
    parent = {o[0]: o[1] for o in orgs}
    depth = lambda org: 0 if parent[org] is None else 1 + depth(parent[org])  # noqa: E731
    branch = next(o[0] for o in orgs if o[3] == "branch")
    middle = next((o[0] for o in orgs if depth(o[0]) == 2 and o[3] != "branch"), branch)
    return city.root, middle, branch


async def _analyzed(dsn: str) -> None:
    """The roll-up's statistics, as autovacuum gathers them within a minute of the year's count in
    production: the reads are timed as they run from then on, not as in that minute, planned on the
    statistics of the tables before the count, empty (the machines here run PostgreSQL with
    autovacuum off, so that minute would last the whole run)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("ANALYZE compliance.coverage_rollup, compliance.coverage_counted, compliance.coverage_years, compliance.org_ancestry")
    finally:
        await conn.close()


async def _timed(client: httpx.AsyncClient, requests: dict[str, str], repeat: int) -> dict:
    timed = {}
    for name, url in requests.items():
        (await client.get(url)).raise_for_status()  # warm
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            (await client.get(url)).raise_for_status()
            samples.append(time.perf_counter() - started)
        timed[name] = {"url": url, **percentiles(samples), "max_ms": round(max(samples) * 1000, 1)}
        say(f"{name}: p50 {timed[name]['p50_ms']} ms")
    return timed


async def _profiled(client: httpx.AsyncClient, url: str, size: str) -> None:
    """Where one whole-city coverage request spends its time (the slowest of the reads): the call
    tree to `.run/bench/profile-tree-<size>.txt`."""
    from pyinstrument import Profiler  # a development tool: only the benches need it

    profiler = Profiler(async_mode="enabled", interval=0.0005)
    with profiler:
        (await client.get(url)).raise_for_status()
    out = OUT / f"profile-tree-{size}.txt"
    out.write_text(profiler.output_text(unicode=True, color=False))
    say(f"one whole-city coverage request profiled: {out}")


async def run(size: str) -> dict:
    issuer = DevIssuer([], folder=Path(".run/bench/issuer")).start()
    with infrastructure(log=say) as infra:
        async with scratch_database(infra.database_url, "tree") as db:
            # One operator asks ~800 times within minutes: the per-person limit (kernel.rate_limit) is
            # lifted, the reads are what is timed.
            settings = ComplianceSettings(DATABASE_URL=db.url, OIDC_ISSUER=issuer.url, RATE_LIMIT_PER_SECOND=1e6, RATE_LIMIT_BURST=1_000_000)
            app = create_app(settings, today=lambda: TODAY)
            runtime = app.state.runtime
            await migrate(runtime.engine, runtime.migrations, runtime.schema)
            root, middle, branch = await _load(db.dsn, size)
            async with runtime.engine.begin() as conn:  # as the projection keeps it with the tree it writes
                await keep_ancestry(conn, (await conn.execute(select(orm.orgs.c.org_id))).scalars().all())
            heap.settle()  # as the service does once started (kernel.runtime; the app is not started here)
            requests = {
                "roots": f"/v1/tree?year={YEAR}",
                "level below the root": f"/v1/tree?parent_id={root}&year={YEAR}",
                "a level mid-tree": f"/v1/tree?parent_id={middle}&year={YEAR}",
                "a branch's members": f"/v1/coverage?org_id={branch}&year={YEAR}",
                "whole-city coverage, per organisation": f"/v1/coverage?org_id={root}&subtree=true&people=false&year={YEAR}",
                "obligation counts, whole tree": f"/v1/obligations/counts?org_id={root}&subtree=true",
                "monthly chart, whole tree": f"/v1/monthly?org_id={root}&subtree=true&year={YEAR}",
            }
            figures: dict = {"size": size, "orgs": SIZES[size][0], "members": SIZES[size][1], "repeat": REPEAT, "rollup_repeat": ROLLUP_REPEAT}
            # An operator of the whole city, as the dashboard's users sign in (verification is timed too).
            operator = {"authorization": f"Bearer {issuer.token('bench-operator', ('operator',), (root,))}"}
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120, headers=operator) as client:
                figures["requests_counted_from_rows"] = await _timed(client, requests, REPEAT)
                started = time.perf_counter()
                await count_and_fold(runtime.serializable, runtime.sessions, TODAY, settings.policy().time_zone)
                figures["count_year_whole_s"] = round(time.perf_counter() - started, 2)
                await _analyzed(db.dsn)
                say(f"the year counted whole into the roll-up in {figures['count_year_whole_s']} s")
                figures["requests"] = await _timed(client, requests, ROLLUP_REPEAT)
                await _profiled(client, requests["whole-city coverage, per organisation"], size)
            await runtime.engine.dispose()
    issuer.stop()
    return figures


def main(args: list[str]) -> int:
    size = chosen_size(args, "small", "usage: python -m devstack bench tree [{sizes}]")
    if size is None:
        return 2
    figures = asyncio.run(run(size))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"tree-{size}.json").write_text(json.dumps(figures, indent=2))
    lines = [f"dashboard reads on the {size} tree ({figures['orgs']:,} organisations, {figures['members']:,} members),"]
    lines.append(f"counted from the projection's rows ({REPEAT} requests each) | from the roll-up ({ROLLUP_REPEAT} each; the year counted whole in {figures['count_year_whole_s']} s):")
    rows = figures["requests_counted_from_rows"]
    lines += [
        f"  {name:38} p50 {rows[name]['p50_ms']:>8} ms  p99 {rows[name]['p99_ms']:>8} ms  |  p50 {f['p50_ms']:>8} ms  p99 {f['p99_ms']:>8} ms  slowest {f['max_ms']:>8} ms"
        for name, f in figures["requests"].items()
    ]
    print("\n".join(lines))
    return 0
