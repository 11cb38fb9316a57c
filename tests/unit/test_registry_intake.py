"""The intake use case against an in-memory unit of work: what the ports promise, without a database."""

from zoneinfo import ZoneInfo

import pytest

from registry.application.intake import Refused, accept, validate
from registry.domain.invariants import Org, Snapshot


class FakeUnitOfWork:
    """The ports of registry.application.ports over dicts; `store` outlives each transaction."""

    def __init__(self, store: dict):
        self.store = store
        self.accepted = self.registry = self.outbox = self
        self._ids: set[str] = set()
        self._applied: list = []
        self._staged: list = []

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        pass  # what was not committed is gone

    async def lock_intake(self):
        self.store["locks"] += 1

    async def commit(self):
        self.store["ids"] |= self._ids
        self.store["applied"] += self._applied
        self.store["staged"] += self._staged

    async def record(self, events):
        self._ids = {e.id for e in events} - self.store["ids"]
        return set(self._ids)

    async def snapshot(self, org_ids, person_ids):
        return Snapshot(orgs={"town": Org(None)})

    async def apply(self, event):
        self._applied.append(event.id)

    async def stage(self, events):
        self._staged += [e.id for e in events]


def event(event_id: str, type_: str, data: dict) -> dict:
    return {"specversion": "1.0", "id": event_id, "source": "urn:test", "type": type_, "time": "2026-01-01T00:00:00Z", "data": data}


def branch(event_id: str, parent_id: str) -> dict:
    return event(event_id, "org.registered.v1", {"org_id": event_id, "name": "支部", "kind": "branch", "parent_id": parent_id})


SANCTION = event("s1", "discipline.action_recorded.v1", {"person_id": "p1", "case_ref": "JJ-1", "action": "sanction", "sanction": "warning"})


@pytest.fixture
def store() -> dict:
    return {"ids": set(), "applied": [], "staged": [], "locks": 0}


async def test_a_batch_is_recorded_applied_staged_and_a_second_time_a_duplicate(store):
    events, rejections = validate([branch("b1", "town"), SANCTION], "c1")
    assert rejections == []
    first = await accept(lambda: FakeUnitOfWork(store), events, ZoneInfo("Asia/Shanghai"))
    assert (first.accepted, first.duplicates) == (["b1", "s1"], [])
    b1, s1 = first.topic_ids["b1"], first.topic_ids["s1"]  # the ids they travel under: unique per source
    assert store["applied"] == [b1] and store["staged"] == [b1, s1]  # only registry events change the registry
    again = await accept(lambda: FakeUnitOfWork(store), events, ZoneInfo("Asia/Shanghai"))
    assert (again.accepted, again.duplicates) == ([], ["b1", "s1"])
    assert store["staged"] == [b1, s1] and store["locks"] == 2


async def test_a_breach_refuses_the_whole_batch(store):
    events, _ = validate([SANCTION, branch("b1", "town"), branch("b2", "nowhere")], "c1")
    with pytest.raises(Refused) as refused:
        await accept(lambda: FakeUnitOfWork(store), events, ZoneInfo("Asia/Shanghai"))
    assert [(b.index, b.rule) for b in refused.value.breaches] == [(2, "org.parent_unknown")]
    assert store == {"ids": set(), "applied": [], "staged": [], "locks": 1}
