"""Talks keeps compliance's obligations as their latest state, written once per batch: several
events of one obligation in a batch leave the last; without the batch hooks each is written at once."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from kernel.consumer import BatchConsumer
from talks.adapters import directory, orm

from .conftest import records


def changed(ids: str, ob: str, transition: str, status: str) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "urn:test", "type": f"obligation.{transition}.v1",
            "time": datetime.now(UTC).isoformat(),
            "data": {"obligation_id": ids + ob, "rule_id": "M4", "subject_id": ids + "m", "responsible_id": ids + "sec",
                     "org_id": "o", "due_date": "2026-12-06", "status": status, "trigger_event_id": "t",
                     **({"fulfilled_by": ids + "talk"} if status == "fulfilled" else {})}}  # fmt: skip


async def states(sessions, ids: str) -> dict[str, str]:
    o = orm.obligations
    async with sessions() as session:
        return dict((await session.execute(select(o.c.obligation_id, o.c.status).where(o.c.obligation_id.like(ids + "%")))).tuples().all())


async def test_a_batch_leaves_each_obligation_in_its_last_state(sessions, ids):
    consumer = BatchConsumer("talks-it", sessions, orm.applied_events, directory.ROUTES, directory.ObligationsInBulk())
    batch = [changed(ids, "ob-1", "opened", "open"), changed(ids, "ob-2", "opened", "open"), changed(ids, "ob-1", "fulfilled", "fulfilled")]
    await consumer.handle(records(batch, "compliance.obligations"))
    assert await states(sessions, ids) == {ids + "ob-1": "fulfilled", ids + "ob-2": "open"}
    await consumer.handle(records([changed(ids, "ob-2", "overdue", "overdue")], "compliance.obligations"))
    assert (await states(sessions, ids))[ids + "ob-2"] == "overdue"


async def test_without_the_hooks_each_event_is_written_at_once(sessions, ids):
    consumer = BatchConsumer("talks-it-plain", sessions, orm.applied_events, directory.ROUTES)
    await consumer.handle(records([changed(ids, "ob-1", "opened", "open"), changed(ids, "ob-1", "overdue", "overdue")], "compliance.obligations"))
    assert await states(sessions, ids) == {ids + "ob-1": "overdue"}
