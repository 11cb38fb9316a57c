"""Applying registry events to the registry's own tables (inside the intake transaction)."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from registry.adapters import orm
from talk_contracts import ParsedEvent
from talk_contracts import data as d


async def apply_registry_event(session: AsyncSession, event: ParsedEvent) -> None:
    at: datetime = event.envelope.time
    data = event.data
    match data:
        case d.OrgRegistered():
            stmt = insert(orm.orgs).values(org_id=data.org_id, name=data.name, kind=data.kind, parent_id=data.parent_id)
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["org_id"],
                    set_={"name": stmt.excluded.name, "kind": stmt.excluded.kind, "parent_id": stmt.excluded.parent_id},
                )
            )
        case d.OrgMoved():
            await session.execute(update(orm.orgs).where(orm.orgs.c.org_id == data.org_id).values(parent_id=data.parent_id))
        case d.OrgDissolved():
            await session.execute(update(orm.orgs).where(orm.orgs.c.org_id == data.org_id).values(dissolved_at=at))
        case d.MemberJoined():
            values = data.model_dump() | {"joined_at": at, "left_at": None, "left_reason": None}
            stmt = insert(orm.members).values(values)
            await session.execute(
                stmt.on_conflict_do_update(index_elements=["person_id"], set_={k: stmt.excluded[k] for k in values if k != "person_id"})
            )
        case d.MemberTransferred():
            m = orm.members
            await session.execute(update(m).where(m.c.person_id == data.person_id).values(org_id=data.to_org_id))
        case d.MemberLeft():
            m = orm.members
            await session.execute(update(m).where(m.c.person_id == data.person_id).values(left_at=at, left_reason=data.reason))
        case d.MemberContactChanged():
            m = orm.members
            await session.execute(update(m).where(m.c.person_id == data.person_id).values(email=data.email, phone=data.phone))
        case d.RoleEnded():
            await _end_role(session, data.org_id, data.role, at, person_id=data.person_id)
        case d.RoleAssigned():
            if data.role == "secretary":  # one secretary at a time: a new holder ends the old one's term
                await _end_role(session, data.org_id, "secretary", at)
            await _end_role(session, data.org_id, data.role, at, person_id=data.person_id)
            await session.execute(
                insert(orm.roles).values(org_id=data.org_id, person_id=data.person_id, role=data.role, since=at)
            )


async def _end_role(session: AsyncSession, org_id: str, role: str, at: datetime, person_id: str | None = None) -> None:
    r = orm.roles
    where = [r.c.org_id == org_id, r.c.role == role, r.c.until.is_(None)]
    if person_id is not None:
        where.append(r.c.person_id == person_id)
    await session.execute(update(r).where(*where).values(until=at))
