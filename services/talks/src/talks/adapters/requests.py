"""Talk requests and meetings in SQL (ports `TalkRequests`, `Meetings`)."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, insert, or_, select, update

from talks.adapters import orm
from talks.adapters.repository import SqlRepository

r = orm.talk_requests


class SqlTalkRequests(SqlRepository):
    async def add(self, request_id: str, person_id: str, leader_id: str, requested_at: datetime) -> None:
        await self._execute(insert(r).values(request_id=request_id, person_id=person_id, leader_id=leader_id, requested_at=requested_at))

    async def close_between(self, talk_id: str, talker_ids: Sequence[str], talkee_ids: Sequence[str], at: datetime) -> None:
        between = or_(
            and_(r.c.person_id.in_(talkee_ids), r.c.leader_id.in_(talker_ids)),
            and_(r.c.person_id.in_(talker_ids), r.c.leader_id.in_(talkee_ids)),
        )
        await self._execute(update(r).where(r.c.closed_by.is_(None), between).values(closed_by=talk_id, closed_at=at))

    async def get(self, request_id: str) -> dict | None:
        return await self._first(select(r).where(r.c.request_id == request_id))


class SqlMeetings(SqlRepository):
    async def add(self, meeting_id: str, org_id: str, day: date, kind: str, scheduled_by: str | None) -> None:
        await self._execute(insert(orm.meetings).values(meeting_id=meeting_id, org_id=org_id, date=day, kind=kind, scheduled_by=scheduled_by))
