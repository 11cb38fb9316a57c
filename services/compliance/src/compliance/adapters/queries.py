"""The read side: obligations and coverage straight from the projection tables."""

from datetime import date

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.adapters import orm


def subtree_of(org_id: str):
    """A CTE of the organisation and every organisation below it."""
    o = orm.orgs
    tree = select(o.c.org_id, literal(0).label("depth")).where(o.c.org_id == org_id).cte("subtree", recursive=True)
    step = select(o.c.org_id, (tree.c.depth + 1).label("depth")).join(tree, o.c.parent_id == tree.c.org_id)
    return tree.union_all(step.where(tree.c.depth < 64))


def org_filter(column, org_id: str | None, subtree: bool):
    if org_id is None:
        return None
    if subtree:
        tree = subtree_of(org_id)
        return column.in_(select(tree.c.org_id))
    return column == org_id


async def list_obligations(
    session: AsyncSession,
    *,
    org_id: str | None,
    subtree: bool,
    status: list[str],
    subject_id: str | None,
    responsible_id: str | None,
    rule_id: str | None,
    limit: int,
    offset: int,
) -> tuple[int, list[dict]]:
    o = orm.obligations
    conditions = [c for c in (org_filter(o.c.org_id, org_id, subtree),) if c is not None]
    if status:
        conditions.append(o.c.status.in_(status))
    if subject_id:
        conditions.append(o.c.subject_id == subject_id)
    if responsible_id:
        conditions.append(o.c.responsible_id == responsible_id)
    if rule_id:
        conditions.append(o.c.rule_id == rule_id)
    total = await session.scalar(select(func.count()).select_from(o).where(*conditions))
    rows = await session.execute(
        select(o).where(*conditions).order_by(o.c.due_date, o.c.obligation_id).limit(limit).offset(offset)
    )
    return total or 0, [dict(r._mapping) for r in rows]


async def member_talk_counts(
    session: AsyncSession, *, org_id: str | None, subtree: bool, person_id: str | None, year: int
) -> list[dict]:
    """Members present in the year with the number of talks that count towards their coverage."""
    m, c = orm.members, orm.coverage_talks
    talks = (
        select(c.c.person_id, func.count().label("talks"))
        .where(c.c.year == year, c.c.counts)
        .group_by(c.c.person_id)
        .subquery()
    )
    year_start = date(year, 1, 1)
    conditions = [func.coalesce(m.c.left_at, func.now()) >= year_start]  # left before the year: not counted
    if (f := org_filter(m.c.org_id, org_id, subtree)) is not None:
        conditions.append(f)
    if person_id:
        conditions.append(m.c.person_id == person_id)
    rows = await session.execute(
        select(m.c.person_id, m.c.name, m.c.org_id, func.coalesce(talks.c.talks, 0).label("talks"))
        .outerjoin(talks, talks.c.person_id == m.c.person_id)
        .where(*conditions)
        .order_by(m.c.org_id, m.c.person_id)
    )
    return [dict(r._mapping) for r in rows]
