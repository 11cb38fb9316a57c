"""Read side of the registry: organisations, their members, people and their roles (the
`RegistryReads` port), each read in a session of its own."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.tree import ancestors
from kernel.tree import subtree as org_subtree
from registry.adapters import orm


class SqlRegistryReads:
    def __init__(self, sessions: async_sessionmaker):
        self._sessions = sessions

    async def org(self, org_id: str) -> dict | None:
        async with self._sessions() as session:
            return await _org(session, org_id)

    async def chain(self, org_id: str) -> list[str]:
        up = ancestors(orm.orgs, [org_id])
        async with self._sessions() as session:
            return list((await session.execute(select(up.c.org_id).order_by(up.c.depth))).scalars())

    async def members(self, org_id: str, subtree: bool, limit: int, offset: int) -> tuple[int, list[dict]]:
        m = orm.members
        if subtree:
            tree = org_subtree(orm.orgs, org_id)
            where = [m.c.org_id.in_(select(tree.c.org_id))]
        else:
            where = [m.c.org_id == org_id]
        where.append(m.c.left_at.is_(None))
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(m).where(*where))
            rows = await session.execute(
                select(m.c.person_id, m.c.name, m.c.org_id, m.c.status).where(*where).order_by(m.c.person_id).limit(limit).offset(offset)
            )
            return total or 0, [dict(r._mapping) for r in rows]

    async def person(self, person_id: str) -> dict | None:
        m, r = orm.members, orm.roles
        async with self._sessions() as session:
            person = (await session.execute(select(m).where(m.c.person_id == person_id))).first()
            if person is None:
                return None
            roles = await session.execute(
                select(r.c.org_id, r.c.role, r.c.since, r.c.until).where(r.c.person_id == person_id).order_by(r.c.since)
            )
            return {**dict(person._mapping), "roles": [dict(x._mapping) for x in roles]}

    async def holders_on(self, org_id: str, on: datetime) -> list[dict] | None:
        """Who held which role of the organisation at that moment (role history)."""
        r, m = orm.roles, orm.members
        async with self._sessions() as session:
            if await _org(session, org_id) is None:
                return None
            rows = await session.execute(
                select(r.c.role, r.c.person_id, m.c.name, r.c.since, r.c.until)
                .outerjoin(m, m.c.person_id == r.c.person_id)
                .where(r.c.org_id == org_id, r.c.since <= on, (r.c.until.is_(None)) | (r.c.until > on))
                .order_by(r.c.role.desc(), r.c.person_id)
            )
            return [dict(x._mapping) for x in rows]


async def _org(session: AsyncSession, org_id: str) -> dict | None:
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
