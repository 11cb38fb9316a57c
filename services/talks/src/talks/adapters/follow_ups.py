"""Follow-up measures in SQL (port `FollowUps`). Each reminder stage has its own flag column
(`due_published`, `overdue_published`), set in the transaction that stages the reminder's event."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import insert, select, update

from talks.adapters import orm
from talks.adapters.repository import SqlRepository

f = orm.follow_ups


class SqlFollowUps(SqlRepository):
    async def add(self, talk_id: str, measures: Sequence[dict]) -> None:
        await self._execute(insert(f), [{"talk_id": talk_id, **m} for m in measures])

    async def of_talk(self, talk_id: str) -> list[dict]:
        return await self._all(
            select(f.c.follow_up_id, f.c.owner_id, f.c.due_date, f.c.completed_at, f.c.text_encrypted).where(f.c.talk_id == talk_id)
        )

    async def get(self, follow_up_id: str, *, lock: bool = False) -> dict | None:
        query = select(f).where(f.c.follow_up_id == follow_up_id)
        return await self._first(query.with_for_update() if lock else query)

    async def complete(self, follow_up_id: str, at: datetime) -> None:
        await self._execute(update(f).where(f.c.follow_up_id == follow_up_id).values(completed_at=at))

    async def unreminded(self, stage: str, due_by: date) -> list[dict]:
        reminded = f.c[f"{stage}_published"]
        return await self._all(
            select(f).where(f.c.completed_at.is_(None), reminded.is_(False), f.c.due_date <= due_by).with_for_update(skip_locked=True)
        )

    async def mark_reminded(self, stage: str, follow_up_ids: Sequence[str]) -> None:
        await self._execute(update(f).where(f.c.follow_up_id.in_(follow_up_ids)).values({f"{stage}_published": True}))

    async def listing(self, owner_id: str | None, open_only: bool) -> list[dict]:
        where = [f.c.owner_id == owner_id] if owner_id else []
        if open_only:
            where.append(f.c.completed_at.is_(None))
        return await self._all(
            select(f.c.follow_up_id, f.c.talk_id, f.c.owner_id, f.c.due_date, f.c.completed_at).where(*where).order_by(f.c.due_date)
        )

    async def owned_by(self, person_id: str, start: date, end: date) -> list[dict]:
        return await self._all(
            select(f.c.follow_up_id, f.c.talk_id, f.c.due_date, f.c.completed_at)
            .where(f.c.owner_id == person_id, f.c.due_date >= start, f.c.due_date < end)
            .order_by(f.c.due_date)
        )

    async def all_texts(self) -> list[tuple[str, bytes]]:
        return await self._pairs(select(f.c.follow_up_id, f.c.text_encrypted).with_for_update())

    async def set_text(self, follow_up_id: str, text_encrypted: bytes) -> None:
        await self._execute(update(f).where(f.c.follow_up_id == follow_up_id).values(text_encrypted=text_encrypted))
