"""Read side of the registry: organisations, their members, people and their roles."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.tree import ancestors
from kernel.tree import subtree as org_subtree
from registry.adapters import orm
from registry.domain.invariants import Member, Org, Snapshot


async def get_org(session: AsyncSession, org_id: str) -> dict | None:
    o, r, m = orm.orgs, orm.roles, orm.members
    org = (await session.execute(select(o).where(o.c.org_id == org_id))).first()
    if org is None:
        return None
    children = (await session.execute(select(o.c.org_id, o.c.name, o.c.kind).where(o.c.parent_id == org_id).order_by(o.c.org_id))).all()
    committee = (
        await session.execute(
            select(r.c.person_id, r.c.role, r.c.since, m.c.name)
            .outerjoin(m, m.c.person_id == r.c.person_id)
            .where(r.c.org_id == org_id, r.c.until.is_(None))
            .order_by(r.c.role.desc(), r.c.person_id)
        )
    ).all()
    parent = None
    if org.parent_id:
        row = (await session.execute(select(o.c.org_id, o.c.name, o.c.kind).where(o.c.org_id == org.parent_id))).first()
        parent = dict(row._mapping) if row else {"org_id": org.parent_id, "name": None, "kind": None}
    return {
        **dict(org._mapping),
        "parent": parent,
        "children": [dict(c._mapping) for c in children],
        "committee": [dict(c._mapping) for c in committee],
    }


async def org_members(session: AsyncSession, org_id: str, subtree: bool, limit: int, offset: int) -> tuple[int, list[dict]]:
    m = orm.members
    if subtree:
        tree = org_subtree(orm.orgs, org_id)
        where = [m.c.org_id.in_(select(tree.c.org_id))]
    else:
        where = [m.c.org_id == org_id]
    where.append(m.c.left_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(m).where(*where))
    rows = await session.execute(
        select(m.c.person_id, m.c.name, m.c.org_id, m.c.status).where(*where).order_by(m.c.person_id).limit(limit).offset(offset)
    )
    return total or 0, [dict(r._mapping) for r in rows]


async def get_person(session: AsyncSession, person_id: str) -> dict | None:
    m, r = orm.members, orm.roles
    person = (await session.execute(select(m).where(m.c.person_id == person_id))).first()
    if person is None:
        return None
    roles = await session.execute(
        select(r.c.org_id, r.c.role, r.c.since, r.c.until).where(r.c.person_id == person_id).order_by(r.c.since)
    )
    return {**dict(person._mapping), "roles": [dict(x._mapping) for x in roles]}


async def holders_on(session: AsyncSession, org_id: str, on: datetime) -> list[dict]:
    """Who held which role of the organisation at that moment (role history)."""
    r, m = orm.roles, orm.members
    rows = await session.execute(
        select(r.c.role, r.c.person_id, m.c.name, r.c.since, r.c.until)
        .outerjoin(m, m.c.person_id == r.c.person_id)
        .where(r.c.org_id == org_id, r.c.since <= on, (r.c.until.is_(None)) | (r.c.until > on))
        .order_by(r.c.role.desc(), r.c.person_id)
    )
    return [dict(x._mapping) for x in rows]


async def snapshot(session: AsyncSession, org_ids: set[str], person_ids: set[str]) -> "Snapshot":
    """The registry state a batch touches (see domain.invariants), with the touched organisations'
    ancestors (for cycles) and active member counts (for dissolution)."""
    m = orm.members
    state = Snapshot()
    if org_ids:
        up = ancestors(orm.orgs, org_ids, "dissolved_at")
        for row in await session.execute(select(up.c.org_id, up.c.parent_id, up.c.dissolved_at).distinct()):
            state.orgs[row.org_id] = Org(row.parent_id, row.dissolved_at is not None)
        counts = await session.execute(
            select(m.c.org_id, func.count()).where(m.c.org_id.in_(org_ids), m.c.left_at.is_(None)).group_by(m.c.org_id)
        )
        state.member_counts = {org: n for org, n in counts.all()}
    if person_ids:
        for row in await session.execute(select(m.c.person_id, m.c.org_id, m.c.left_at).where(m.c.person_id.in_(person_ids))):
            state.members[row.person_id] = Member(row.org_id, row.left_at is None)
    return state
