"""Properties of the compliance projection over generated event streams, on the real database.

- applying a stream twice, or with duplicates, gives the same state;
- a replay (the same stream into fresh tables, in other batch sizes) gives the same state;
- the obligations of different people do not depend on how their events interleave.
"""

import asyncio
import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.pool import NullPool
from sqlalchemy.ext.asyncio import create_async_engine

from compliance.adapters import orm
from compliance.application.handlers import ComplianceHandlers
from compliance.config import ComplianceSettings
from compliance.entrypoints.replay import COMPARED
from devstack.demo import demo_city_events
from kernel.consumer import BatchConsumer
from kernel.db import make_sessionmaker, migrate

from .conftest import records

START = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
TODAY = START.date() + timedelta(days=20)
MEMBERS = ["p-b1-m1", "p-b1-m2", "p-b1-m3", "p-b1-cm", "p-b2-m1", "p-b2-cm", "p-b1-sec"]

_ids = itertools.count()


def _event(type_name: str, data: dict, at: datetime) -> dict:
    return {"specversion": "1.0", "id": f"ev-{next(_ids)}-{uuid.uuid4().hex[:6]}", "source": "urn:prop",
            "type": type_name, "time": at.isoformat(), "data": data}  # fmt: skip


def situation(person: str, kind: int, at: datetime) -> dict:
    """One event about one person: a trigger of some rule, a talk with their secretary, a transfer."""
    secretary = "p-b1-sec" if person.startswith("p-b1") and person != "p-b1-sec" else "p-b2-sec"
    return [
        lambda: _event("discipline.action_recorded.v1", {"person_id": person, "case_ref": f"c-{person}", "action": "criticism"}, at),
        lambda: _event("welfare.hardship_reported.v1", {"person_id": person, "kind": "life"}, at),
        lambda: _event("honours.commendation_awarded.v1", {"person_id": person, "title": "t"}, at),
        lambda: _event("conduct.observation_recorded.v1", {"person_id": person, "kind": "low_spirit"}, at),
        lambda: _event("conduct.attendance_recorded.v1", {"person_id": person, "org_id": "branch-1", "meeting_date": at.date().isoformat(), "present": False}, at),
        lambda: _event("discipline.action_retracted.v1", {"case_ref": f"c-{person}"}, at),
        lambda: _event("talk.recorded.v1", {"talk_id": f"t-{uuid.uuid4().hex[:8]}", "held_at": at.isoformat(), "mode": "one_to_one",
                       "kind": "regular", "talker_ids": [secretary], "talkee_ids": [person]}, at),
    ][kind]()  # fmt: skip


streams = st.lists(st.tuples(st.sampled_from(MEMBERS), st.integers(0, 6)), min_size=1, max_size=25)


def build(choices: list[tuple[str, int]]) -> list[dict]:
    return [situation(person, kind, START + timedelta(hours=i + 1)) for i, (person, kind) in enumerate(choices)]


class Projection:
    """The compliance projection in a schema of its own, emptied before each example."""

    def __init__(self, url: str, schema: str):
        self.url, self.schema = url, schema

    async def __aenter__(self):
        self.engine = create_async_engine(self.url, poolclass=NullPool).execution_options(
            schema_translate_map={orm.SCHEMA: self.schema}
        )
        async with self.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        await migrate(self.engine, "compliance.adapters.migrations", self.schema)
        config = ComplianceSettings()
        handlers = ComplianceHandlers(config, config.policy(), lambda: TODAY)
        self.consumer = BatchConsumer("prop", make_sessionmaker(self.engine), orm.applied_events, handlers.route(), handlers)
        return self

    async def __aexit__(self, *exc):
        await self.engine.dispose()

    async def apply(self, events: list[dict], batch: int) -> None:
        for start in range(0, len(events), batch):
            await self.consumer.handle(records(events[start : start + batch]))

    async def state(self, subjects: set[str] | None = None) -> dict[str, list[tuple]]:
        out = {}
        async with self.engine.connect() as conn:
            for table, columns in COMPARED.items():
                rows = (await conn.execute(text(f'SELECT {columns} FROM "{self.schema}"."{table}" ORDER BY {columns}'))).all()
                out[table] = [tuple(r) for r in rows]
        if subjects is not None:
            index = COMPARED["obligations"].split(", ").index("subject_id")
            out = {"obligations": [r for r in out["obligations"] if r[index] in subjects]}
        return out


SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CITY = demo_city_events()


@pytest.fixture(scope="module")
def url(integration_database_url):
    return integration_database_url


@SETTINGS
@given(choices=streams, batch=st.integers(1, 10), duplicates=st.lists(st.integers(0, 24), max_size=5))
def test_applying_a_stream_twice_or_with_duplicates_changes_nothing(url, choices, batch, duplicates):
    async def run():
        events = CITY + build(choices)
        async with Projection(url, "prop_a") as p:
            await p.apply(events, batch)
            once = await p.state()
            extra = [events[len(CITY) + i % len(choices)] for i in duplicates]
            await p.apply(events + extra, batch + 1)
            assert await p.state() == once

    asyncio.run(run())


@SETTINGS
@given(choices=streams, batch_a=st.integers(1, 10), batch_b=st.integers(1, 30))
def test_a_replay_into_fresh_tables_gives_the_same_state(url, choices, batch_a, batch_b):
    async def run():
        events = CITY + build(choices)
        async with Projection(url, "prop_a") as a, Projection(url, "prop_b") as b:
            await a.apply(events, batch_a)
            await b.apply(events, batch_b)
            assert await a.state() == await b.state()

    asyncio.run(run())


@SETTINGS
@given(first=streams, second=streams, interleaving=st.randoms(use_true_random=False))
def test_obligations_of_different_people_do_not_depend_on_the_order_of_their_events(url, first, second, interleaving):
    one = [(p, k) for p, k in first if p in ("p-b1-m1", "p-b1-m2")]
    two = [(p, k) for p, k in second if p in ("p-b2-m1", "p-b2-cm")]

    async def run():
        ours, theirs = build(one), build(two)
        for e in theirs:  # another person's events, at their own times
            e["time"] = (datetime.fromisoformat(e["time"]) + timedelta(minutes=30)).isoformat()
        shuffled = ours + theirs
        interleaving.shuffle(shuffled)
        # Each person's own events keep their order (Kafka keeps it per key); only the two people interleave.
        a_iter, b_iter = iter(ours), iter(theirs)
        mixed = [next(a_iter) if e in ours else next(b_iter) for e in shuffled]
        async with Projection(url, "prop_a") as a, Projection(url, "prop_b") as b:
            await a.apply(CITY + ours + theirs, 5)
            await b.apply(CITY + mixed, 5)
            for person_set in ({"p-b1-m1", "p-b1-m2"}, {"p-b2-m1", "p-b2-cm"}):
                assert await a.state(person_set) == await b.state(person_set)

    asyncio.run(run())
