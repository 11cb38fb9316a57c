"""Compliance and notify run as several instances in their consumer groups: instances join and leave
mid-stream, and the projection and the inboxes come out as a single instance of each makes them from
the same events (by content). Each run has its own database and topics on the real broker; the
events are published on the topics as the registry and talks would have published them."""

import asyncio
import time
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import pytest

from compliance.adapters.rebuild import COMPARED
from devstack.bench.ceiling import produce
from devstack.city import CityLog, generate
from devstack.ports import free_port
from devstack.processes import ServiceProcess
from kernel.settings import asyncpg_dsn

LOGS = Path(__file__).resolve().parents[2] / ".run" / "test-logs"
# Every due date after today: the life-cycle tick, run by whichever instance leads at the time,
# finds nothing to do mid-run in either run, so both end in the same state.
YEAR = 2027
YEAR_EVENTS = 1500
# What is compared, each as the rows of one query: the compliance projection table by table (as a
# rebuild is compared), and notify's people and roles.
COMPARED_ROWS = {f"compliance.{table}": f"SELECT {columns} FROM compliance.{table}" for table, columns in COMPARED.items()} | {
    "notify.people": "SELECT person_id, name, email, phone FROM notify.people",
    "notify.roles": "SELECT org_id, person_id, role FROM notify.roles",
    # The coverage roll-up as a reader sums it (folded or not: the leader folds every few seconds).
    "compliance.coverage roll-up": """
        SELECT year, rule_id, org_id, talks, sum(n) FROM (
            SELECT year, rule_id, org_id, talks, n FROM compliance.coverage_rollup
            UNION ALL SELECT year, rule_id, org_id, talks, n FROM compliance.coverage_rollup_deltas) AS rolled
         GROUP BY year, rule_id, org_id, talks HAVING sum(n) <> 0""",
    # The inbox by what nobody may miss: each open obligation's alert to the one responsible for it.
    # The inbox's whole history of messages is no function of the events alone, with instances or
    # without: a decision reads the facts as they stand when its event is applied, and the topics
    # (registry, discipline, talks …) are read side by side in no fixed order, so a talk read before
    # or after the sanction it fulfils, a seat read before or after its holder joined, tells people
    # different things on the way to the same projection. Two runs of one instance each on these
    # events (2026-12-06) held 194 and 249 inbox rows, 33 and 88 of them not in the other. Batches
    # add to it: a batch tells each obligation's change from where it stood before the batch.
    "notify.inbox": """
        SELECT i.person_id, i.obligation_id FROM notify.inbox i JOIN compliance.obligations o USING (obligation_id)
         WHERE o.status = 'open' AND o.responsible_kind = 'person' AND i.person_id = o.responsible_id""",
    "untold open obligations": """
        SELECT o.obligation_id FROM compliance.obligations o
         WHERE o.status = 'open' AND o.responsible_kind = 'person'
           AND NOT EXISTS (SELECT FROM notify.inbox i WHERE i.obligation_id = o.obligation_id AND i.person_id = o.responsible_id)""",
}

def _city() -> CityLog:
    city = generate("small", year=YEAR)
    return CityLog(city.setup, city.year[:YEAR_EVENTS], city.root, city.members, city.ordinary)


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value  # arrays (a talk's talkers)


class Run:
    """Instances of compliance and notify on a database and topics of their own."""

    def __init__(self, infra, database_url: str, label: str):
        self.infra, self.database_url = infra, database_url
        self.prefix = f"scale-{label}-{uuid.uuid4().hex[:6]}."
        self.logs = LOGS / f"scale-{label}-{uuid.uuid4().hex[:6]}"
        self.env = {
            "DATABASE_URL": database_url,
            "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
            "KAFKA_TOPIC_PREFIX": self.prefix,
            "KAFKA_ASSIGNMENT": "group",  # partitions shared out among the group's members as they come and go
            "LOG_FORMAT": "json",
            "COVERAGE_ROLLUP_SECONDS": "1",  # the year counted whole, and the deltas folded, well within `settled`'s quiet
        }
        self.instances: list[ServiceProcess] = []

    def start(self, name: str) -> ServiceProcess:
        n = sum(1 for i in self.instances if i.name == name)
        instance = ServiceProcess(name, free_port(), self.env, self.logs / f"{name}-{n}.log").start()
        self.instances.append(instance)
        instance.wait_ready(timeout=120)
        return instance

    def stop(self) -> None:
        for instance in self.instances:
            instance.stop()

    async def publish(self, messages) -> None:
        await produce(self.infra.kafka_bootstrap_servers, self.prefix, messages)

    async def settled(self, expected: tuple[int, int] | None = None, quiet_s: float = 8.0, timeout: float = 240) -> tuple[int, int]:
        """Until nothing more is applied for `quiet_s` (and, when known, compliance applied as many
        events); returns how many events compliance and notify applied."""
        conn = await asyncpg.connect(asyncpg_dsn(self.database_url))
        try:
            started = time.monotonic()
            last, since = None, time.monotonic()
            while time.monotonic() - started < timeout:
                now = tuple([await conn.fetchval(f"SELECT count(*) FROM {s}.applied_events") for s in ("compliance", "notify")])
                if now != last:
                    last, since = now, time.monotonic()
                elif time.monotonic() - since >= quiet_s and now[0] > 0 and (expected is None or now[0] == expected[0]):
                    return now
                await asyncio.sleep(0.5)
        finally:
            await conn.close()
        raise TimeoutError(f"applied {last}, expected {expected}; see {self.logs}")

    async def contents(self) -> dict[str, Counter]:
        conn = await asyncpg.connect(asyncpg_dsn(self.database_url))
        try:
            return {name: Counter(tuple(_hashable(v) for v in r) for r in await conn.fetch(sql)) for name, sql in COMPARED_ROWS.items()}
        finally:
            await conn.close()

@pytest.fixture
def databases(new_database) -> tuple[str, str]:
    return new_database(), new_database()


async def test_three_compliance_and_two_notify_instances_joining_and_leaving_equal_one_of_each(infra, databases):
    city = _city()
    third = len(city.year) // 3

    single = Run(infra, databases[0], "single")
    try:
        single.start("compliance")
        single.start("notify")
        await single.publish(city.all)
        expected = await single.settled()
        alone = await single.contents()
    finally:
        single.stop()
    assert alone["compliance.obligations"] and alone["notify.inbox"], "the stream opened no obligation, or alerted nobody"
    assert not alone["untold open obligations"]
    assert (YEAR, True) in alone["compliance.coverage_years"] and alone["compliance.coverage roll-up"], "coverage was not kept counted"

    many = Run(infra, databases[1], "many")
    try:
        compliance = [many.start("compliance") for _ in range(3)]
        notify = [many.start("notify") for _ in range(2)]
        await many.publish(city.setup + city.year[:third])
        many.start("compliance")  # a fourth joins mid-stream: its group shares the partitions out again
        await many.publish(city.year[third : 2 * third])
        compliance[0].stop()  # and one of each leaves (SIGTERM: its batch done, its partitions handed on)
        notify[0].stop()
        await many.publish(city.year[2 * third :])
        settled = await many.settled(expected)
        together = await many.contents()
    finally:
        many.stop()

    differing = {table: (alone[table] - together[table], together[table] - alone[table]) for table in alone if alone[table] != together[table]}
    if differing:  # the whole of it beside the logs, for the person who looks into it
        with open(many.logs / "differences.txt", "w") as out:
            for table, (only_alone, only_together) in differing.items():
                print(table, *(f"  single only: {r}" for r in sorted(only_alone.elements(), key=str)), sep="\n", file=out)
                print(*(f"  instances only: {r}" for r in sorted(only_together.elements(), key=str)), sep="\n", file=out)
    assert not differing, {t: (list(a.elements())[:5], list(b.elements())[:5]) for t, (a, b) in differing.items()}
    assert settled[0] == expected[0]  # compliance applied every event once (notify hears of as many changes as batches told)
