"""Follow-up measures (整改措施) tracked to completion: due and overdue published once each, so notify
reminds their owners; completion recorded and published. Events never carry the measure's text."""

from datetime import UTC, date, datetime

from talk_contracts import CloudEvent, new_event
from talk_contracts import data as d
from talks.application.common import SOURCE, NotAllowed
from talks.application.ports import Row, UnitsOfWork
from talks.domain.follow_ups import DUE_SOON_DAYS, reminder_cutoffs


def _event(stage: str, measure: Row) -> CloudEvent:
    data = d.FollowUp(talk_id=measure["talk_id"], follow_up_id=measure["follow_up_id"], owner_id=measure["owner_id"], due_date=measure["due_date"])
    return new_event(f"follow_up.{stage}.v1", data, source=SOURCE, subject=measure["owner_id"])


async def publish_due(units: UnitsOfWork, today: date, due_soon_days: int = DUE_SOON_DAYS) -> int:
    """Open measures due within `due_soon_days` become `follow_up.due`; past their date `follow_up.overdue`."""
    published = 0
    async with units() as uow:
        for stage, due_by in reminder_cutoffs(today, due_soon_days).items():
            measures = await uow.follow_ups.unreminded(stage, due_by)
            if measures:
                await uow.outbox.stage([_event(stage, m) for m in measures])
                await uow.follow_ups.mark_reminded(stage, [m["follow_up_id"] for m in measures])
                published += len(measures)
    return published


async def complete(units: UnitsOfWork, follow_up_id: str, by: str | None) -> Row:
    async with units() as uow:
        measure = await uow.follow_ups.get(follow_up_id, lock=True)
        if measure is None:
            raise LookupError(follow_up_id)
        talker_ids = await uow.talks.talker_ids(measure["talk_id"])
        if by is None or (by != measure["owner_id"] and by not in talker_ids):
            raise NotAllowed("X-Person-Id", "only the measure's owner or the talker marks it done")
        if measure["completed_at"] is None:
            await uow.follow_ups.complete(follow_up_id, datetime.now(UTC))
            await uow.outbox.stage([_event("completed", measure)])
            await uow.audit.record(f"follow-up:{follow_up_id}", by, "completed", action="write")
    return {"follow_up_id": follow_up_id, "owner_id": measure["owner_id"], "due_date": measure["due_date"], "completed": True}


async def list_follow_ups(units: UnitsOfWork, owner_id: str | None, open_only: bool) -> list[Row]:
    """The measures (without their text), by due date."""
    async with units() as uow:
        return await uow.follow_ups.listing(owner_id, open_only)
