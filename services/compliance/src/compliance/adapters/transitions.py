"""What each obligation went through (orm.obligation_transitions): appended in the batch's
transaction, read back for an explanation."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.adapters import orm
from compliance.adapters.rows.loaded import unnested
from compliance.domain.obligations import Cause, Transition

t = orm.obligation_transitions.c


async def append(conn: AsyncConnection, steps: Sequence[Transition]) -> None:
    if not steps:
        return
    # Field by field: dataclasses.asdict deep-copies each step, and cost the county's replay a tenth.
    rows = [
        {
            "obligation_id": s.obligation_id, "transition": s.transition, "status": s.status, "rule_id": s.rule_id,
            "responsible_kind": s.responsible_kind, "responsible_id": s.responsible_id,
            "responsible_org_id": s.responsible_org_id, "previous_responsible_id": s.previous_responsible_id,
            "escalated_to_id": s.escalated_to_id, "due_date": s.due_date, "fulfilled_by": s.fulfilled_by,
            "reason": s.reason, "cause_kind": s.cause.kind, "cause_event_id": s.cause.event_id,
            "cause_event_type": s.cause.event_type, "cause_source": s.cause.source, "cause_time": s.cause.time,
        }  # fmt: skip
        for s in steps
    ]
    await conn.execute(unnested(orm.obligation_transitions, rows))


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
