"""The in-app inbox: one row per alert, unique by its idempotency key."""

from collections.abc import Sequence
from dataclasses import asdict, fields
from datetime import datetime
from functools import cache

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.bulk import arrays, unnested
from notify.adapters import orm
from notify.adapters.repositories import record
from notify.application.records import InboxEntry
from notify.domain.alerts import Alert

i = orm.inbox


def _of(person_id: str, *, unread_only: bool = False, excluding: str | None = None) -> list[ColumnElement[bool]]:
    where = [i.c.person_id == person_id]
    if unread_only:
        where.append(i.c.read_at.is_(None))
    if excluding is not None:
        where.append(i.c.transition != excluding)
    return where


@cache
def _added():
    """The alerts inserted, those already there (by idempotency key) skipped: the ids inserted."""
    stmt = unnested(i, tuple(f.name for f in fields(Alert)))
    return stmt.on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(i.c.alert_id)


class SqlInbox:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add_many(self, alerts: Sequence[Alert]) -> set[str]:
        if not alerts:
            return set()
        return set((await self.session.execute(_added(), arrays(i, [asdict(a) for a in alerts]))).scalars())

    async def count(self, person_id: str, *, unread_only: bool = False, excluding: str | None = None) -> int:
        return await self.session.scalar(select(func.count()).select_from(i).where(*_of(person_id, unread_only=unread_only, excluding=excluding)))

    async def titles_since(self, person_id: str, since: datetime, *, excluding: str) -> list[str]:
        stmt = select(i.c.title).where(*_of(person_id, excluding=excluding), i.c.created_at >= since).order_by(i.c.created_at)
        return list((await self.session.execute(stmt)).scalars())

    async def page(self, person_id: str, *, unread_only: bool, limit: int, offset: int) -> list[InboxEntry]:
        stmt = select(i).where(*_of(person_id, unread_only=unread_only)).order_by(i.c.created_at.desc(), i.c.alert_id)
        return [record(InboxEntry, row) for row in await self.session.execute(stmt.limit(limit).offset(offset))]

    async def mark_read(self, person_id: str, alert_id: str) -> InboxEntry | None:
        stmt = update(i).where(i.c.person_id == person_id, i.c.alert_id == alert_id).values(read_at=func.coalesce(i.c.read_at, func.now()))
        row = (await self.session.execute(stmt.returning(*i.c))).first()
        return None if row is None else record(InboxEntry, row)
