"""Member talk requests (SPEC §五.3, REQ) and organisational-life meetings (§五.1): each a row and
its event in one transaction."""

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import and_, insert, or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.outbox import stage
from kernel.settings import CommonSettings
from talk_contracts import new_event
from talk_contracts import data as d
from talks.adapters import directory, orm
from talks.application.common import SOURCE, NotAllowed
from talks.domain.access import has_standing


async def request_talk(
    sessions: async_sessionmaker, settings: CommonSettings, *, person_id: str, leader_id: str, correlation_id: str
) -> str:
    """A member asks a named leader for a talk: their secretary, a committee member, or a leader above."""
    async with sessions() as session, session.begin():
        orgs = await directory.orgs_of(session, [person_id])
        if person_id not in orgs:
            raise NotAllowed("person_id", f"{person_id} is not a member")
        parent_of = await directory.ancestry(session, [orgs[person_id]])
        if not has_standing(await directory.seats_of(session, leader_id), directory.chain(orgs[person_id], parent_of)):
            raise NotAllowed("leader_id", f"{leader_id} holds no committee seat in {orgs[person_id]} or above it")
        request_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        await session.execute(insert(orm.talk_requests).values(request_id=request_id, person_id=person_id, leader_id=leader_id, requested_at=now))
        data = d.TalkRequested(request_id=request_id, person_id=person_id, leader_id=leader_id)
        await stage(session, orm.outbox, settings, [new_event("talk.requested.v1", data, source=SOURCE, subject=person_id, time=now, correlationid=correlation_id)])
    return request_id


async def close_requests(session: AsyncSession, talk_id: str, talker_ids: list[str], talkee_ids: list[str], at: datetime) -> None:
    """A recorded talk between a member and the leader they asked closes the request (either way round)."""
    r = orm.talk_requests
    between = or_(
        and_(r.c.person_id.in_(talkee_ids), r.c.leader_id.in_(talker_ids)),
        and_(r.c.person_id.in_(talker_ids), r.c.leader_id.in_(talkee_ids)),
    )
    await session.execute(update(r).where(r.c.closed_by.is_(None), between).values(closed_by=talk_id, closed_at=at))


async def schedule_meeting(
    sessions: async_sessionmaker, settings: CommonSettings, *, org_id: str, day: date, kind: str, scheduled_by: str | None, correlation_id: str
) -> str:
    async with sessions() as session, session.begin():
        if not await directory.ancestry(session, [org_id]):
            raise NotAllowed("org_id", f"no organisation {org_id}")
        meeting_id = str(uuid.uuid4())
        await session.execute(insert(orm.meetings).values(meeting_id=meeting_id, org_id=org_id, date=day, kind=kind, scheduled_by=scheduled_by))
        data = d.MeetingScheduled(meeting_id=meeting_id, org_id=org_id, date=day, kind=kind)
        await stage(session, orm.outbox, settings, [new_event("meeting.scheduled.v1", data, source=SOURCE, subject=org_id, correlationid=correlation_id)])
    return meeting_id
