"""Talk requests and meetings in SQL (ports `TalkRequests`, `Meetings`)."""

from datetime import date, datetime

from sqlalchemy import insert, select

from talks.adapters import orm
from talks.adapters.repository import SqlRepository

r = orm.talk_requests


class SqlTalkRequests(SqlRepository):
    async def add(self, request_id: str, person_id: str, leader_id: str, requested_at: datetime, event_id: str) -> None:
        values = {"request_id": request_id, "person_id": person_id, "leader_id": leader_id, "requested_at": requested_at, "event_id": event_id}
        await self._execute(insert(r).values(**values))

    async def get(self, request_id: str) -> dict | None:
        return await self._first(select(r).where(r.c.request_id == request_id))


class SqlMeetings(SqlRepository):
    async def add(self, meeting_id: str, org_id: str, day: date, kind: str, scheduled_by: str | None) -> None:
        await self._execute(insert(orm.meetings).values(meeting_id=meeting_id, org_id=org_id, date=day, kind=kind, scheduled_by=scheduled_by))
