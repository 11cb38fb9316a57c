"""What each obligation went through (orm.obligation_transitions): appended in the batch's
transaction, read back for an explanation."""

from collections.abc import Sequence
from dataclasses import fields
from operator import attrgetter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.adapters import orm
from compliance.adapters.rows.loaded import copied
from compliance.domain.obligations import Cause, Transition

t = orm.obligation_transitions.c
_STEP = [f.name for f in fields(Transition) if f.name not in ("cause", "recorded_at")]  # recorded_at: the server's clock
_CAUSE = [f.name for f in fields(Cause)]
_COLUMNS = _STEP + [f"cause_{name}" for name in _CAUSE]
_step_values, _cause_values = attrgetter(*_STEP), attrgetter(*_CAUSE)  # each a tuple in one call


async def append(conn: AsyncConnection, steps: Sequence[Transition]) -> None:
    if not steps:
        return
    # Field by field: dataclasses.asdict deep-copies each step (3.8 of 33 s under pyinstrument on the
    # county's first 40,000 events); the fields of 75,000 steps took 125 ms a getattr at a time in a
    # generator, 45 ms through attrgetter. Copied: the table only grows (its id and recorded_at are
    # the table's defaults), and a replay appends most of a row per event.
    records = [_step_values(s) + _cause_values(s.cause) for s in steps]
    await copied(conn, orm.obligation_transitions, _COLUMNS, records)


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
