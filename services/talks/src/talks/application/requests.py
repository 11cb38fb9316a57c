"""Member talk requests (SPEC §五.3, REQ) and organisational-life meetings (§五.1): each a row and
its event in one unit of work. A request is closed by the talk that fulfils its REQ obligation, as
compliance decides it (adapters.directory reads obligation.fulfilled): one judge of "met", not two."""

import uuid
from datetime import UTC, date, datetime

from talk_contracts import data as d
from talk_contracts import new_event
from talks.application.common import SOURCE, NotAllowed
from talks.application.ports import Row, UnitsOfWork
from talks.domain.access import chain, has_standing


async def request_talk(units: UnitsOfWork, *, person_id: str, leader_id: str, correlation_id: str) -> str:
    """A member asks a named leader for a talk: their secretary, a committee member, or a leader above."""
    if leader_id == person_id:  # (v2) an obligation nobody could fulfil
        raise NotAllowed("leader_id", "a member cannot ask themselves for a talk: name a leader")
    async with units() as uow:
        orgs = await uow.directory.orgs_of([person_id])
        if person_id not in orgs:
            raise NotAllowed("person_id", f"{person_id} is not a member")
        parent_of = await uow.directory.ancestry([orgs[person_id]])
        if not has_standing(await uow.directory.seats_of(leader_id), chain(orgs[person_id], parent_of)):
            raise NotAllowed("leader_id", f"{leader_id} holds no committee seat in {orgs[person_id]} or above it")
        request_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        data = d.TalkRequested(request_id=request_id, person_id=person_id, leader_id=leader_id)
        event = new_event("talk.requested.v1", data, source=SOURCE, subject=person_id, time=now, correlationid=correlation_id)
        await uow.requests.add(request_id, person_id, leader_id, now, event.id)
        await uow.outbox.stage([event])
        await uow.audit.record(f"request:{request_id}", person_id, "requested", action="write")
    return request_id


async def talk_request(units: UnitsOfWork, request_id: str) -> Row | None:
    """The request, open or closed by the talk that met it."""
    async with units() as uow:
        found = await uow.requests.get(request_id)
    return None if found is None else found | {"status": "closed" if found["closed_by"] else "open"}


async def schedule_meeting(
    units: UnitsOfWork, *, org_id: str, day: date, kind: str, scheduled_by: str | None, correlation_id: str
) -> str:
    async with units() as uow:
        if not await uow.directory.ancestry([org_id]):
            raise NotAllowed("org_id", f"no organisation {org_id}")
        meeting_id = str(uuid.uuid4())
        await uow.meetings.add(meeting_id, org_id, day, kind, scheduled_by)
        await uow.audit.record(f"meeting:{meeting_id}", scheduled_by, "scheduled", action="write")
        data = d.MeetingScheduled(meeting_id=meeting_id, org_id=org_id, date=day, kind=kind)
        await uow.outbox.stage([new_event("meeting.scheduled.v1", data, source=SOURCE, subject=org_id, correlationid=correlation_id)])
    return meeting_id
