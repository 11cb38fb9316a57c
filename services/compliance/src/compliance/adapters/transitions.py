"""What each obligation went through (orm.obligation_transitions): appended in the batch's
transaction, read back for an explanation."""

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.adapters import orm
from compliance.domain.obligations import Cause, Transition

t = orm.obligation_transitions.c


async def append(conn: AsyncConnection, steps: Sequence[Transition]) -> None:
    if not steps:
        return
    rows = []
    for step in steps:
        row = asdict(step)
        cause = row.pop("cause")
        row.pop("recorded_at")
        rows.append(row | {f"cause_{k}": v for k, v in cause.items()})
    await conn.execute(insert(orm.obligation_transitions), rows)


async def of_obligation(conn: AsyncConnection, obligation_id: str) -> list[Transition]:
    query = select(orm.obligation_transitions).where(t.obligation_id == obligation_id).order_by(t.id)
    return [
        Transition(
            r.obligation_id, r.transition, r.status, r.rule_id, r.responsible_kind, r.responsible_id, r.responsible_org_id,
            r.previous_responsible_id, r.escalated_to_id, r.due_date, r.fulfilled_by, r.reason,
            Cause(r.cause_kind, r.cause_event_id, r.cause_event_type, r.cause_source, r.cause_time), r.recorded_at,
        )  # fmt: skip
        for r in await conn.execute(query)
    ]
