"""Meetings to remind of (application.meetings.Meetings) over the projection's tables."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from compliance.adapters import orm
from compliance.adapters.queries import CoverageQueries
from kernel.outbox import stage
from kernel.settings import CommonSettings
from talk_contracts import CloudEvent


class SqlMeetings:
    def __init__(self, session: AsyncSession, settings: CommonSettings):
        self.session, self.settings = session, settings
        self.coverage = CoverageQueries(session, settings.time_zone)

    async def due(self, today: date, days_before: tuple[int, ...]) -> list[tuple[str, str, date, int]]:
        m = orm.meetings.c
        upcoming = select(m.meeting_id, m.org_id, m.date, m.reminded_before).where(
            m.date > today, m.date <= today + timedelta(days=max(days_before))
        )  # fmt: skip
        found = []
        for row in await self.session.execute(upcoming.order_by(m.date, m.meeting_id).with_for_update(skip_locked=True)):
            left = (row.date - today).days
            reached = [d for d in sorted(days_before) if left <= d and (row.reminded_before is None or d < row.reminded_before)]
            if reached:
                found.append((row.meeting_id, row.org_id, row.date, reached[0]))
        return found

    async def secretary_of(self, org_id: str) -> str | None:
        r = orm.roles.c
        stmt = select(r.person_id).where(r.org_id == org_id, r.role == "secretary", r.until.is_(None)).order_by(r.since.desc())
        return (await self.session.execute(stmt.limit(1))).scalar()

    async def reminded(self, meeting_id: str, days_before: int, event: CloudEvent) -> None:
        m = orm.meetings
        await self.session.execute(update(m).where(m.c.meeting_id == meeting_id).values(reminded_before=days_before))
        await stage(self.session, orm.outbox, self.settings, [event])


def meetings(sessions: async_sessionmaker, settings: CommonSettings):
    @asynccontextmanager
    async def open_one() -> AsyncIterator[SqlMeetings]:
        async with sessions() as session, session.begin():
            yield SqlMeetings(session, settings)

    return open_one
