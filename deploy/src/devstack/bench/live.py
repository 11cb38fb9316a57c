"""The four services running on a scratch database, as in production: the compliance projection live,
accept → inbox latency at a steady rate, query latency, and each service's peak RSS."""

import asyncio
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

from compliance.domain.obligations import obligation_id
from devstack.bench.ceiling import produce
from devstack.bench.scratch import Database
from devstack.city import Message
from devstack.demo import DEV_CREDENTIALS, DEV_TOKEN
from devstack.infra import Infrastructure
from devstack.issuer import DevIssuer
from devstack.ports import free_port
from devstack.processes import SERVICES, ServiceProcess, service_processes
from kernel.replay import read_log
from kernel.settings import CommonSettings
from talk_contracts import Topic
from talks.adapters.crypto import new_key


def peak_rss_mb(pid: int | str = "self") -> int:
    """A process's peak resident memory (VmHWM), MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return round(next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024)


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    cuts = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else samples * 99
    return {"p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1), "p99_ms": round(cuts[98] * 1000, 1)}


@dataclass
class LiveSystem:
    services: dict[str, ServiceProcess]
    db: Database
    bootstrap: str
    prefix: str
    issuer: DevIssuer

    def url(self, service: str) -> str:
        return self.services[service].url

    _conn: asyncpg.Connection | None = None

    async def _db(self) -> asyncpg.Connection:
        self._conn = self._conn or await asyncpg.connect(self.db.dsn)
        return self._conn

    async def applied(self, service: str) -> int:
        return await (await self._db()).fetchval(f'SELECT count(*) FROM "{service}".applied_events')

    async def wait_applied(self, service: str, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while (now := await self.applied(service)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{service} applied {now} of {count} events in {timeout:.0f}s; see {self.services[service].log_path}")
            await asyncio.sleep(0.5)

    async def wait_quiet(self, services: list[str], quiet: float = 2.0, timeout: float = 300) -> float:
        """Until none of the services applied anything for `quiet` seconds; returns the seconds waited."""
        started = time.monotonic()
        last, since = None, started
        while time.monotonic() - since < quiet and time.monotonic() - started < timeout:
            counts = [await self.applied(s) for s in services]
            if counts != last:
                last, since = counts, time.monotonic()
            await asyncio.sleep(0.2)
        return since - started

    async def live_throughput(self, messages: list[Message], timeout: float) -> float:
        """Publish the messages and time the compliance service applying them: events/s."""
        before = await self.applied("compliance")
        started = time.perf_counter()
        await produce(self.bootstrap, self.prefix, messages)
        await self.wait_applied("compliance", before + len(messages), timeout)
        return len(messages) / (time.perf_counter() - started)

    async def accept_to_inbox(self, people: list[str], rate: int, seconds: float, seed: int = 5) -> dict:
        """Sanctions POSTed to the registry at `rate` events/s (a batch every 100 ms); for each, the time
        from the registry accepting it to the secretary's alert row in notify's inbox."""
        rng = random.Random(seed)
        tick, per_tick = 0.1, max(1, round(rate * 0.1))
        accepted: dict[str, tuple[str, float]] = {}  # event id -> (subject, accepted at, epoch seconds)
        refused = 0

        async def post(client: httpx.AsyncClient, batch: list[dict]) -> None:
            nonlocal refused
            response = await client.post(
                f"{self.url('registry')}/v1/events",
                content=json.dumps(batch),
                headers={"content-type": "application/cloudevents-batch+json", "authorization": f"Bearer {DEV_TOKEN}"},
            )
            at = time.time()
            if response.status_code != 202:
                refused += len(batch)
                return
            topic_ids = response.json()["topic_ids"]  # the ids compliance sees (unique per source)
            for event in batch:
                accepted[topic_ids[event["id"]]] = (event["data"]["person_id"], at)

        async with httpx.AsyncClient(timeout=30) as client:
            started, posts = time.monotonic(), []
            for k in range(round(seconds / tick)):
                await asyncio.sleep(max(0.0, started + k * tick - time.monotonic()))
                batch = [_sanction(rng.choice(people)) for _ in range(per_tick)]
                posts.append(asyncio.create_task(post(client, batch)))
            await asyncio.gather(*posts)
        # The alert is for the obligation the sanction opened (M4, or C5 for a committee member: one id).
        wanted = {obligation_id(("M4", "C5"), subject, event_id): event_id for event_id, (subject, _) in accepted.items()}
        alerted = await self._alerts_for(wanted, expected=len(accepted), timeout=60)
        accepted_at = {e: accepted[e][1] for e in alerted}
        latency = {e: alerted[e] - accepted_at[e] for e in alerted}
        stages = await self._stages(accepted_at, wanted, alerted)
        first, last = _ends([latency[e] for e in sorted(alerted, key=accepted_at.__getitem__)])
        # Consumers quiet for a while fetch at the long wait (kernel.fetch_pace): the step's first
        # second pays it; the rest is the chain under the offered rate.
        begun = min(accepted_at.values(), default=0.0)
        later = [latency[e] for e in alerted if accepted_at[e] - begun >= 1.0]
        return {
            "rate": rate, "seconds": seconds, "sent": len(accepted) + refused, "refused": refused, "alerted": len(alerted),
            **percentiles(list(latency.values())), "stages": stages, "growth_ms": round((last - first) * 1000, 1),
            "p99_after_first_second_ms": percentiles(later)["p99_ms"],
        }  # fmt: skip

    async def knee(self, people: list[str], rates: list[int], seconds: float) -> dict:
        """The offered rate stepped up: the highest that keeps up — p99 accept → inbox ≤ 500 ms, and the
        last fifth of the step's events no slower than the first fifth by more than 250 ms (a queue
        that grows) — and which stage was slowest at the first rate that did not."""
        steps = []
        for rate in rates:
            step = await self.accept_to_inbox(people, rate, seconds, seed=rate)
            steps.append(step)
            await self.wait_quiet(["compliance", "notify"], timeout=120)
            if not _keeps_up(step):
                break
        kept = [s["rate"] for s in steps if _keeps_up(s)]
        failed = next((s for s in steps if not _keeps_up(s)), None)
        slowest = max(failed["stages"], key=lambda k: failed["stages"][k]["p99_ms"] or 0) if failed else None
        return {"knee_events_per_s": max(kept) if kept else 0, "first_saturated_stage": slowest,
                "steps": [{k: s[k] for k in ("rate", "alerted", "p50_ms", "p99_ms", "growth_ms", "p99_after_first_second_ms")} for s in steps]}  # fmt: skip

    async def _stages(self, accepted_at: dict[str, float], wanted: dict[str, str], alerted: dict[str, float]) -> dict:
        """Each sanction's time in each stage, from stamps the system keeps anyway: the registry's
        relay sends it (its record's timestamp on the topic), compliance's relay sends the obligation
        it opened (that record's timestamp), notify commits the inbox row (its created_at)."""
        settings = CommonSettings(KAFKA_BOOTSTRAP_SERVERS=self.bootstrap, KAFKA_TOPIC_PREFIX=self.prefix)
        sent: dict[str, float] = {}
        for record in await read_log(settings, [settings.topic("discipline.events")], idle_seconds=1.0):
            event_id = json.loads(record.value)["id"]
            if event_id in accepted_at:
                sent[event_id] = record.timestamp / 1000
        projected: dict[str, float] = {}
        for record in await read_log(settings, [settings.topic("compliance.obligations")], idle_seconds=1.0):
            event = json.loads(record.value)
            ob = event["data"].get("obligation_id")
            if event["type"] == "obligation.opened.v1" and ob in wanted:
                projected.setdefault(wanted[ob], record.timestamp / 1000)
        both = [e for e in alerted if e in sent and e in projected]
        return {
            "accept → registry relay sent": percentiles([sent[e] - accepted_at[e] for e in both]),
            "→ compliance committed and relayed": percentiles([projected[e] - sent[e] for e in both]),
            "→ notify's inbox row": percentiles([alerted[e] - projected[e] for e in both]),
        }

    async def _alerts_for(self, wanted: dict[str, str], expected: int, timeout: float) -> dict[str, float]:
        """event id -> when the first alert of its obligation was written (epoch seconds)."""
        conn = await self._db()
        deadline = time.monotonic() + timeout
        while True:
            rows = await conn.fetch(
                "SELECT obligation_id, min(created_at) AS at FROM notify.inbox "
                "WHERE transition = 'opened' AND obligation_id = ANY($1::text[]) GROUP BY obligation_id",
                list(wanted),
            )
            if len(rows) >= expected or time.monotonic() > deadline:
                return {wanted[r["obligation_id"]]: r["at"].timestamp() for r in rows}
            await asyncio.sleep(0.5)

    async def footprint(self) -> dict:
        """What the run left, per event: bytes on the topics (every record of the run's topics, value
        and key) and in the database (all four services' schemas, indexes included), for deploy/SIZING.md."""
        settings = CommonSettings(KAFKA_BOOTSTRAP_SERVERS=self.bootstrap, KAFKA_TOPIC_PREFIX=self.prefix)
        records = await read_log(settings, [settings.topic(t.value) for t in Topic], idle_seconds=3.0)
        conn = await self._db()
        database = await conn.fetchval("SELECT pg_database_size(current_database())")
        by_schema = {
            s: await conn.fetchval(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')", s)
            for s in SERVICES
        }  # fmt: skip
        applied = await self.applied("compliance")
        topic_bytes = sum(len(r.value or b"") + len(r.key or b"") for r in records)
        return {
            "records": len(records), "topic_bytes_per_record": round(topic_bytes / max(1, len(records))),
            "compliance_events": applied, "database_bytes": database,
            "schema_bytes_per_compliance_event": {s: round(b / max(1, applied)) for s, b in by_schema.items()},
        }  # fmt: skip

    async def query_latency(self, root: str, year: int, requests: int) -> dict:
        """Whole-tree coverage, pages of the whole tree's obligations, and the dashboard's first level
        below the root (every subtree's coverage rolled up), one request at a time."""
        compliance = self.url("compliance")
        coverage_url = f"{compliance}/v1/coverage?org_id={root}&subtree=true&year={year}&people=false"
        level_url = f"{compliance}/v1/tree?parent_id={root}&year={year}"
        pages_url = f"{compliance}/v1/obligations?org_id={root}&subtree=true&limit=100&offset={{}}"
        # An operator of the whole tree, signed in as the dashboard's users are (the token verified,
        # the organisation checked, on every request: part of what is timed).
        operator = {"authorization": f"Bearer {self.issuer.token('bench-operator', ('operator',), (root,))}"}
        async with httpx.AsyncClient(timeout=60, headers=operator) as client:
            first = await client.get(pages_url.format(0))
            first.raise_for_status()
            pages = max(1, min(int(first.headers["x-total-count"]) // 100, 1000))
            (await client.get(coverage_url)).raise_for_status()  # warm
            coverage, obligations, level = [], [], []
            for k in range(requests):
                started = time.perf_counter()
                (await client.get(level_url)).raise_for_status()
                level.append(time.perf_counter() - started)
                started = time.perf_counter()
                (await client.get(coverage_url)).raise_for_status()
                coverage.append(time.perf_counter() - started)
                started = time.perf_counter()
                (await client.get(pages_url.format(100 * (k * 7919 % pages)))).raise_for_status()
                obligations.append(time.perf_counter() - started)
        return {
            "coverage_whole_tree": percentiles(coverage),
            "obligations_page": percentiles(obligations),
            "dashboard_tree_level": percentiles(level),
            "requests": requests,
        }

    async def instances_throughput(self, people: list[str], counts: tuple[int, ...], events: int, settle_s: float) -> list[dict]:
        """Compliance as 1, 2, 3 … instances in its consumer group: for each count, `events` sanctions
        published at once and the time until all are applied (events/s), with the CPU each process
        used meanwhile (where the time goes: the instances, PostgreSQL, the broker, the other services)."""
        base = self.services["compliance"]
        extra: list[ServiceProcess] = []
        steps = []
        rng = random.Random(7)
        try:
            for count in counts:
                while 1 + len(extra) < count:
                    instance = ServiceProcess("compliance", free_port(), base.env, base.log_path.with_name(f"compliance-{len(extra) + 1}.log"))
                    extra.append(instance.start())
                    instance.wait_ready(timeout=120)
                await asyncio.sleep(settle_s)  # the group shares the partitions out again (a join takes seconds)
                messages = [_sanction_message(rng.choice(people)) for _ in range(events)]
                processes = {"compliance": [base, *extra], **{n: [s] for n, s in self.services.items() if n != "compliance"}}
                before, started, races = _ticks(processes), time.monotonic(), await _races(processes["compliance"])
                rate = await self.live_throughput(messages, timeout=1200)
                after, elapsed = _ticks(processes), time.monotonic() - started
                hz = os.sysconf("SC_CLK_TCK")
                cpu = {name: round(100 * (after[name] - before[name]) / hz / elapsed) for name in after}
                lost = await _races(processes["compliance"]) - races
                steps.append({"instances": count, "events_per_s": round(rate), "cpu_percent": cpu, "batches_run_again": lost})
        finally:
            for instance in extra:
                instance.stop()
        return steps

    async def cpu_at_rest(self, seconds: float) -> dict[str, float]:
        """Each service's CPU over `seconds` with nothing to do, in % of one core (and their sum)."""

        def cpu_ticks() -> dict[str, int]:
            ticks = {}
            for name, service in self.services.items():
                fields = Path(f"/proc/{service.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks[name] = int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of stat)
            return ticks

        before, started = cpu_ticks(), time.monotonic()
        await asyncio.sleep(seconds)
        after, elapsed = cpu_ticks(), time.monotonic() - started
        hz = os.sysconf("SC_CLK_TCK")
        out = {name: round(100 * (after[name] - before[name]) / hz / elapsed, 1) for name in self.services}
        return out | {"all": round(sum(out.values()), 1), "seconds": round(elapsed)}

    def peak_rss_mb(self) -> dict[str, int]:
        return {name: peak_rss_mb(service.process.pid) for name, service in self.services.items()}


def _ticks(processes: dict[str, list[ServiceProcess]]) -> dict[str, int]:
    """CPU ticks (user + system) used so far, per name, summed over its processes; the embedded
    PostgreSQL and broker are found by name among all processes."""
    out = {name: sum(_process_ticks(p.process.pid) for p in group) for name, group in processes.items()}
    for label, marker in (("postgres", "postgres"), ("broker", "tansu")):
        out[label] = 0
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if marker in (entry / "comm").read_text():
                        out[label] += _process_ticks(int(entry.name))
                except OSError:
                    continue
    return out


def _process_ticks(pid: int) -> int:
    """utime + stime, and cutime + cstime: a PostgreSQL backend that ended meanwhile is counted in its
    postmaster's children's time (fields 14 to 17 of stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(f) for f in fields[11:15])


async def _races(instances: list[ServiceProcess]) -> int:
    """Batches the instances ran again after losing a race (consumer_batch_races_total)."""
    total = 0
    async with httpx.AsyncClient(timeout=10) as http:
        for instance in instances:
            text = (await http.get(f"{instance.url}/metrics")).text
            total += sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines() if line.startswith("consumer_batch_races_total{"))
    return total


def _sanction_message(person_id: str) -> Message:
    """A sanction as the registry publishes it, straight onto its topic."""
    event = _sanction(person_id)
    return Message("discipline.events", person_id.encode(), json.dumps(event).encode(), event["type"])


def _keeps_up(step: dict) -> bool:
    return step["alerted"] == step["sent"] - step["refused"] and (step["p99_ms"] or 1e9) <= 500 and step["growth_ms"] <= 250


def _ends(latencies: list[float]) -> tuple[float, float]:
    """The median latency of the first and of the last fifth (in the order the events were accepted)."""
    if len(latencies) < 5:
        return (0.0, 0.0)
    fifth = len(latencies) // 5
    return statistics.median(latencies[:fifth]), statistics.median(latencies[-fifth:])


def _sanction(person_id: str) -> dict:
    return {
        "specversion": "1.0", "id": f"bench-{uuid.uuid4()}", "source": "urn:bench:discipline",
        "type": "discipline.action_recorded.v1", "time": datetime.now(UTC).isoformat(),
        "data": {"person_id": person_id, "case_ref": f"bench-{uuid.uuid4().hex[:8]}", "action": "criticism"},
    }  # fmt: skip


@asynccontextmanager
async def live_system(infra: Infrastructure, db: Database, prefix: str, logs: Path) -> AsyncIterator[LiveSystem]:
    issuer = DevIssuer([], folder=logs / "issuer").start()
    env = issuer.env() | {
        "DATABASE_URL": db.url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": prefix,
        "LOG_FORMAT": "json",
        "REGISTRY_CREDENTIALS": json.dumps(DEV_CREDENTIALS),
        "TALKS_CONTENT_KEYS": new_key(),
        # The bench's one operator asks hundreds of times a minute: the per-person limit
        # (kernel.rate_limit) is lifted, as in `bench tree`; the reads are what is timed. With it,
        # a county run whose reads answered in ~10 ms drained the burst and met a 429.
        "RATE_LIMIT_PER_SECOND": "1000000",
        "RATE_LIMIT_BURST": "1000000",
    }
    services = service_processes(env, logs, {name: free_port() for name in SERVICES})
    try:
        for service in services.values():
            service.start()
        for service in services.values():
            service.wait_ready(timeout=120)
        system = LiveSystem(services, db, infra.kafka_bootstrap_servers, prefix, issuer)
        try:
            yield system
        finally:
            if system._conn is not None:
                await system._conn.close()
    finally:
        for service in services.values():
            service.stop()
        issuer.stop()
