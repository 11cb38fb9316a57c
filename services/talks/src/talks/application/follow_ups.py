"""Follow-up measures (整改措施) tracked to completion: due and overdue published once each, so notify
reminds their owners; completion recorded and published. Events never carry the measure's text."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from kernel.outbox import stage
from kernel.settings import CommonSettings
from talk_contracts import new_event
from talk_contracts import data as d
from talks.adapters import orm
from talks.application.common import SOURCE, NotAllowed


def _event(stage_name: str, row) -> object:
    data = d.FollowUp(talk_id=row.talk_id, follow_up_id=row.follow_up_id, owner_id=row.owner_id, due_date=row.due_date)
    return new_event(f"follow_up.{stage_name}.v1", data, source=SOURCE, subject=row.owner_id)


async def publish_due(sessions: async_sessionmaker, settings: CommonSettings, today: date, due_soon_days: int = 3) -> int:
    """Open measures due within `due_soon_days` become `follow_up.due`; past their date `follow_up.overdue`."""
    f = orm.follow_ups
    published = 0
    async with sessions() as session, session.begin():
        for stage_name, flag, condition in (
            ("due", f.c.due_published, f.c.due_date <= today + timedelta(days=due_soon_days)),
            ("overdue", f.c.overdue_published, f.c.due_date < today),
        ):
            rows = (
                await session.execute(
                    select(f).where(f.c.completed_at.is_(None), flag.is_(False), condition).with_for_update(skip_locked=True)
                )
            ).all()
            if rows:
                await stage(session, orm.outbox, settings, [_event(stage_name, r) for r in rows])
                await session.execute(update(f).where(f.c.follow_up_id.in_([r.follow_up_id for r in rows])).values({flag.name: True}))
                published += len(rows)
    return published


async def complete(sessions: async_sessionmaker, settings: CommonSettings, follow_up_id: str, by: str | None) -> dict:
    f = orm.follow_ups
    async with sessions() as session, session.begin():
        row = (await session.execute(select(f).where(f.c.follow_up_id == follow_up_id).with_for_update())).first()
        if row is None:
            raise LookupError(follow_up_id)
        talk = (await session.execute(select(orm.talks.c.talker_ids).where(orm.talks.c.talk_id == row.talk_id))).first()
        if by is None or (by != row.owner_id and by not in talk.talker_ids):
            raise NotAllowed("X-Person-Id", "only the measure's owner or the talker marks it done")
        if row.completed_at is None:
            now = datetime.now(UTC)
            await session.execute(update(f).where(f.c.follow_up_id == follow_up_id).values(completed_at=now))
            await stage(session, orm.outbox, settings, [_event("completed", row)])
    return {"follow_up_id": follow_up_id, "owner_id": row.owner_id, "due_date": row.due_date, "completed": True}
