"""The compliance projection of tests/compliance_world.py, on PostgreSQL: the real consumer
(kernel.consumer.BatchConsumer with the bulk-loading unit of work) writing to a schema of its own.
Reads are taken after each change, so the same synchronous assertions serve both."""

import json
import uuid
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from compliance.adapters import orm
from compliance.adapters.rows.obligations import COLUMNS, from_row
from compliance.adapters.unit_of_work import BatchUnitOfWork, batch_unit_of_work, replay_units_of_work, units_of_work
from compliance.adapters.write_behind import WriteBehind
from compliance.application.explain import Explanation, TalkJudged, explain, explain_coverage
from compliance.application.lifecycle import advance
from compliance.application.waivers import waive
from compliance.config import ComplianceSettings
from compliance.domain.history import Stretch
from compliance.domain.obligations import Obligation
from compliance.domain.policy import DEFAULT_POLICY, Policy
from kernel.consumer import BatchConsumer
from kernel.db import SERVER_SETTINGS, make_sessionmaker, migrate
from tests.compliance_world import MemoryWorld

from .conftest import records


class PgWorld(MemoryWorld):
    """`replaying`: as `python -m compliance replay` applies the log: its bus, its consumer's rows
    kept in memory from batch to batch, and its writes behind the next batch's decisions."""

    def __init__(self, url: str, now: datetime, policy: Policy = DEFAULT_POLICY, *, replaying: bool = False):
        super().__init__(now, policy, replaying=replaying)
        self.replaying = replaying
        self.url, self.schema = url, f"world_{uuid.uuid4().hex[:10]}"
        self.engine = None
        self._obligations: list[Obligation] = []
        self._outbox: list = []
        self._credits: list = []

    async def _start(self) -> None:
        if self.engine is not None:
            return
        # The services' session settings (planner, JIT), so the rules run on the plans they get in production.
        engine = create_async_engine(self.url, poolclass=NullPool, connect_args={"server_settings": SERVER_SETTINGS})
        self.engine = engine.execution_options(schema_translate_map={orm.SCHEMA: self.schema})
        await migrate(self.engine, "compliance.adapters.migrations", self.schema)
        self.sessions = make_sessionmaker(self.engine)
        settings = ComplianceSettings()
        self.settings = settings
        self.writer = WriteBehind(self.sessions) if self.replaying else None
        units = replay_units_of_work(settings, self.policy, self.writer) if self.replaying else batch_unit_of_work(settings, self.policy)
        self.consumer = BatchConsumer("rules", self.sessions, orm.applied_events, self.bus.route(), self.bus, units)

    async def close(self) -> None:
        if self.engine is not None:
            if self.writer is not None:
                await self.writer.close()
            async with self.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            await self.engine.dispose()

    async def apply(self, events, batch: int = 10_000) -> None:
        await self._start()
        events = list(events)
        for start in range(0, len(events), batch):
            await self.consumer.handle(records(events[start : start + batch]))
        if self.writer is not None:
            await self.writer.drain()
        await self._read()

    async def tick(self, day) -> None:
        await self._start()
        self.today = day
        await advance(units_of_work(self.sessions, self.settings, self.policy), self.policy, day)
        await self._read()

    async def waive(self, obligation_id: str, reason: str, at: datetime) -> Obligation:
        try:
            return await waive(units_of_work(self.sessions, self.settings, self.policy), self.policy, obligation_id, reason, at, self.today)
        finally:
            await self._read()

    async def explain(self, obligation_id: str) -> Explanation | None:
        """Through the rows the service reads (loaded on demand), in a transaction that writes nothing."""
        async with self.sessions() as session:
            return await explain(BatchUnitOfWork(session, self.settings, self.policy), obligation_id, self.policy)

    async def explain_coverage(self, person_id: str, year: int) -> list[TalkJudged] | None:
        async with self.sessions() as session:
            return await explain_coverage(BatchUnitOfWork(session, self.settings, self.policy), person_id, year, self.policy)

    async def _read(self) -> None:
        async with self.sessions() as session:
            self._obligations = [from_row(r) for r in await session.execute(select(*COLUMNS))]
            self._outbox = (await session.execute(select(orm.outbox).order_by(orm.outbox.c.id))).all()
            self._credits = (await session.execute(select(orm.coverage_credits))).all()
            self._stretches = (await session.execute(select(orm.memberships).order_by(orm.memberships.c.since))).all()

    def obligations(self, subject: str | None = None) -> list[Obligation]:
        found = sorted(self._obligations, key=lambda o: (o.subject_id, o.trigger_date, o.obligation_id))
        return [o for o in found if subject is None or o.subject_id == subject]

    def _events(self):
        return [json.loads(r.payload) for r in self._outbox if not r.topic.endswith(".dlq")]

    def published(self, subject: str | None = None) -> list[str]:
        return [e["type"] for e in self._events() if subject is None or e.get("subject") == subject]

    def published_data(self, type_name: str) -> list[dict]:
        return [e["data"] for e in self._events() if e["type"] == type_name]

    def dead_letters(self) -> list[tuple[str, str]]:
        return [(r.key, r.headers["dlq-reason"]) for r in self._outbox if r.topic.endswith(".dlq")]

    def all_credits(self) -> list[tuple]:
        return sorted((c.talk_id, c.rule_id, c.person_id, c.counterpart_id, c.org_id, c.year) for c in self._credits)

    def memberships(self) -> dict[str, tuple]:
        found: dict[str, list[Stretch]] = {}
        for r in self._stretches:
            found.setdefault(r.person_id, []).append(Stretch(r.org_id, r.since, r.until, r.left_reason))
        return {p: tuple(s) for p, s in found.items()}


async def pg_worlds(url: str):
    """The `world_at` of a rule test module, on PostgreSQL: hands out worlds, drops their schemas after."""
    made: list[PgWorld] = []

    def make(now, *args, **kwargs):
        made.append(PgWorld(url, now, *args, **kwargs))
        return made[-1]

    yield make
    for world in made:
        await world.close()
