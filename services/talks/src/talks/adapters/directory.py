"""Talks' own view of the registry (who belongs where, who holds which seat), kept from registry.events."""

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.consumer import Handler
from kernel.tree import ancestors
from talk_contracts import ParsedEvent
from talk_contracts import data as d
from talks.adapters import orm


async def apply(session: AsyncSession, event: ParsedEvent) -> None:
    data = event.data
    match data:
        case d.OrgRegistered() | d.OrgMoved():
            stmt = insert(orm.orgs).values(org_id=data.org_id, parent_id=data.parent_id)
            await session.execute(stmt.on_conflict_do_update(index_elements=["org_id"], set_={"parent_id": data.parent_id}))
        case d.MemberJoined():
            stmt = insert(orm.members).values(person_id=data.person_id, name=data.name, org_id=data.org_id, active=True)
            await session.execute(
                stmt.on_conflict_do_update(index_elements=["person_id"], set_={"name": data.name, "org_id": data.org_id, "active": True})
            )
        case d.MemberTransferred():
            await session.execute(update(orm.members).where(orm.members.c.person_id == data.person_id).values(org_id=data.to_org_id))
        case d.MemberLeft():
            await session.execute(update(orm.members).where(orm.members.c.person_id == data.person_id).values(active=False))
        case d.RoleEnded():
            r = orm.roles
            await session.execute(delete(r).where(r.c.org_id == data.org_id, r.c.person_id == data.person_id, r.c.role == data.role))
        case d.RoleAssigned():
            r = orm.roles
            if data.role == "secretary":
                await session.execute(delete(r).where(r.c.org_id == data.org_id, r.c.role == "secretary"))
            await session.execute(insert(r).values(org_id=data.org_id, person_id=data.person_id, role=data.role).on_conflict_do_nothing())


async def obligation_changed(session: AsyncSession, event: ParsedEvent) -> None:
    """The latest state of a must-talk obligation (a subject's events arrive in order: one key)."""
    data: d.ObligationChanged = event.data
    values = {"rule_id": data.rule_id, "subject_id": data.subject_id, "responsible_id": data.responsible_id,
              "due_date": data.due_date, "status": data.status, "fulfilled_by": data.fulfilled_by}  # fmt: skip
    stmt = insert(orm.obligations).values(obligation_id=data.obligation_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["obligation_id"], set_=values))


ROUTES: dict[str, Handler] = dict.fromkeys(
    ["org.registered.v1", "org.moved.v1", "member.joined.v1", "member.transferred.v1", "member.left.v1", "role.assigned.v1", "role.ended.v1"],
    apply,
) | dict.fromkeys(
    [f"obligation.{t}.v1" for t in ("opened", "due_soon", "overdue", "escalated", "reassigned", "fulfilled", "cancelled")],
    obligation_changed,
)


async def orgs_of(session: AsyncSession, people: list[str]) -> dict[str, str]:
    """Active members among `people`, with their organisation."""
    m = orm.members
    rows = await session.execute(select(m.c.person_id, m.c.org_id).where(m.c.person_id.in_(people), m.c.active))
    return {r.person_id: r.org_id for r in rows}


async def ancestry(session: AsyncSession, org_ids: list[str]) -> dict[str, str | None]:
    up = ancestors(orm.orgs, org_ids)
    return {r.org_id: r.parent_id for r in await session.execute(select(up.c.org_id, up.c.parent_id).distinct())}


async def secretaries(session: AsyncSession, org_ids: list[str]) -> dict[str, str]:
    r = orm.roles
    rows = await session.execute(select(r.c.org_id, r.c.person_id).where(r.c.org_id.in_(org_ids), r.c.role == "secretary"))
    return {row.org_id: row.person_id for row in rows}


async def seats_of(session: AsyncSession, person_id: str) -> dict[str, str]:
    r = orm.roles
    return {row.org_id: row.role for row in await session.execute(select(r.c.org_id, r.c.role).where(r.c.person_id == person_id))}


def chain(org_id: str, parent_of: dict[str, str | None]) -> list[str]:
    out, seen = [], set()
    while org_id is not None and org_id not in seen:
        seen.add(org_id)
        out.append(org_id)
        org_id = parent_of.get(org_id)
    return out


async def names(session: AsyncSession, people: list[str]) -> dict[str, str]:
    m = orm.members
    rows = await session.execute(select(m.c.person_id, m.c.name).where(m.c.person_id.in_(people), m.c.name.is_not(None)))
    return {r.person_id: r.name for r in rows}


async def members_of(session: AsyncSession, org_id: str) -> list[str]:
    m = orm.members
    return list((await session.execute(select(m.c.person_id).where(m.c.org_id == org_id, m.c.active))).scalars())
