"""The read side of the operators' dashboard: the tree a level at a time, obligations by status and
by secretary, and the year month by month."""

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.adapters import orm
from compliance.adapters.queries import in_scope
from kernel.tree import ancestors, branches
from talk_contracts import OPEN_STATUSES as OPEN_STATES


@dataclass
class ObligationFilter:
    """What the obligation tables may be narrowed by; the same for the list, the counts and the export."""

    org_id: str | None = None
    subtree: bool = False
    status: list[str] = field(default_factory=list)
    subject_id: str | None = None
    responsible_id: str | None = None
    rule_id: str | None = None
    min_age_days: int | None = None  # opened at least this many days ago
    responsible_kind: str | None = None
    obligation_id: str | None = None

    def conditions(self) -> list:
        o = orm.obligations
        found = in_scope(o.c.org_id, self.org_id, self.subtree)
        if self.obligation_id:
            found.append(o.c.obligation_id == self.obligation_id)
        if self.responsible_kind:
            found.append(o.c.responsible_kind == self.responsible_kind)
        if self.status:
            found.append(o.c.status.in_(self.status))
        if self.subject_id:
            found.append(o.c.subject_id == self.subject_id)
        if self.responsible_id:
            found.append(o.c.responsible_id == self.responsible_id)
        if self.rule_id:
            found.append(o.c.rule_id == self.rule_id)
        if self.min_age_days:
            found.append(o.c.triggered_at <= datetime.now(UTC) - timedelta(days=self.min_age_days))
        return found


async def children(session: AsyncSession, parent_id: str | None) -> list[dict]:
    """One level of the tree: the organisations under `parent_id` (the roots when None)."""
    o, kid = orm.orgs, orm.orgs.alias("kid")
    below = select(func.count()).where(kid.c.parent_id == o.c.org_id).scalar_subquery()
    level = o.c.parent_id == parent_id if parent_id else o.c.parent_id.is_(None)
    rows = await session.execute(select(o.c.org_id, o.c.name, o.c.kind, below.label("children")).where(level).order_by(o.c.org_id))
    return [dict(r._mapping) for r in rows]


async def subtree_tops(session: AsyncSession, parent_id: str | None) -> dict[str, str]:
    """Every organisation below `parent_id`, mapped to the child of `parent_id` whose subtree holds it."""
    down = branches(orm.orgs, parent_id)
    return {r.org_id: r.top for r in await session.execute(select(down.c.org_id, down.c.top))}


async def org_path(session: AsyncSession, org_id: str) -> list[dict]:
    """The organisation and its ancestors, from the root down (the page's breadcrumbs)."""
    up = ancestors(orm.orgs, [org_id], "name", "kind")
    rows = await session.execute(select(up.c.org_id, up.c.name, up.c.kind, up.c.depth).order_by(up.c.depth.desc()))
    return [{"org_id": r.org_id, "name": r.name, "kind": r.kind} for r in rows]


async def seats_of(session: AsyncSession, person_id: str) -> dict:
    """A person's name, organisation, and the committee seats they hold now (the workspace's header)."""
    r, o, m = orm.roles, orm.orgs, orm.members
    held = await session.execute(
        select(r.c.org_id, r.c.role, o.c.name.label("org_name"))
        .outerjoin(o, o.c.org_id == r.c.org_id)
        .where(r.c.person_id == person_id, r.c.until.is_(None))
        .order_by(r.c.org_id)
    )
    member = (await session.execute(select(m.c.name, m.c.org_id).where(m.c.person_id == person_id))).first()
    return {
        "person_id": person_id,
        "name": member.name if member else None,
        "org_id": member.org_id if member else None,
        "seats": [dict(x._mapping) for x in held],
    }


async def list_obligations(
    session: AsyncSession, where: ObligationFilter, *, limit: int, offset: int, recent_first: bool = False
) -> tuple[int, list[dict]]:
    """A page of obligations with the names a person reads, and how many match in all; by due date,
    or the most recently changed first."""
    o, subject, responsible, org = orm.obligations, orm.members.alias("subject"), orm.members.alias("responsible"), orm.orgs
    conditions = where.conditions()
    total = await session.scalar(select(func.count()).select_from(o).where(*conditions))
    rows = await session.execute(
        select(o, subject.c.name.label("subject_name"), responsible.c.name.label("responsible_name"), org.c.name.label("org_name"))
        .outerjoin(subject, subject.c.person_id == o.c.subject_id)
        .outerjoin(responsible, responsible.c.person_id == o.c.responsible_id)
        .outerjoin(org, org.c.org_id == o.c.org_id)
        .where(*conditions)
        .order_by(*((o.c.updated_at.desc(),) if recent_first else (o.c.due_date,)), o.c.obligation_id)
        .limit(limit)
        .offset(offset)
    )
    return total or 0, [dict(r._mapping) for r in rows]


async def status_counts(session: AsyncSession, where: ObligationFilter) -> dict[str, int]:
    """How many obligations are in each status (the other filters applied, the status filter not)."""
    o = orm.obligations
    rows = await session.execute(select(o.c.status, func.count()).where(*replace(where, status=[]).conditions()).group_by(o.c.status))
    return dict(rows.tuples().all())


async def workload(session: AsyncSession, where: ObligationFilter, *, limit: int, offset: int) -> tuple[int, list[dict]]:
    """Open obligations per responsible secretary, the busiest first."""
    o, m = orm.obligations, orm.members
    open_only = replace(where, status=sorted(OPEN_STATES))
    count = lambda status: func.count().filter(o.c.status == status)  # noqa: E731
    per = (
        select(
            o.c.responsible_id,
            func.count().label("open_total"),
            count("open").label("open"),
            count("due_soon").label("due_soon"),
            count("overdue").label("overdue"),
            count("escalated").label("escalated"),
            func.min(o.c.due_date).label("earliest_due"),
        )
        .where(*open_only.conditions(), o.c.responsible_id.is_not(None))
        .group_by(o.c.responsible_id)
        .subquery()
    )
    total = await session.scalar(select(func.count()).select_from(per))
    rows = await session.execute(
        select(per, m.c.name.label("responsible_name"), m.c.org_id.label("responsible_org_id"))
        .outerjoin(m, m.c.person_id == per.c.responsible_id)
        .order_by(per.c.open_total.desc(), per.c.responsible_id)
        .limit(limit)
        .offset(offset)
    )
    return total or 0, [dict(r._mapping) for r in rows]


async def monthly(session: AsyncSession, *, org_id: str | None, subtree: bool, year: int, covered_at: int, zone: str) -> list[dict]:
    """Month by month (months of the deployment's calendar): obligations opened, obligations
    fulfilled, and members covered by the end of the month (their `covered_at`-th COV-MEMBER talk of
    the year held by then)."""
    o, t, c, m = orm.obligations, orm.talks_seen, orm.coverage_credits, orm.members
    scope = in_scope(o.c.org_id, org_id, subtree)
    local = lambda col: func.timezone(zone, col)  # noqa: E731
    month = lambda col: extract("month", col).label("month")  # noqa: E731
    opened_in, held_in = month(o.c.trigger_date), month(local(t.c.held_at))
    opened = await session.execute(
        select(opened_in, func.count()).where(*scope, extract("year", o.c.trigger_date) == year).group_by(opened_in)
    )
    fulfilled = await session.execute(
        select(held_in, func.count())
        .join(t, t.c.talk_id == o.c.fulfilled_by)
        .where(*scope, o.c.status.in_(["fulfilled", "fulfilled_late"]), extract("year", local(t.c.held_at)) == year)
        .group_by(held_in)
    )
    member_scope = in_scope(c.c.org_id, org_id, subtree)
    talks = (  # a talk with two talkers credits its talkee twice: count talks, not credits
        select(c.c.person_id, c.c.talk_id, c.c.held_at)
        .where(c.c.rule_id == "COV-MEMBER", c.c.year == year, *member_scope)
        .distinct()
        .subquery()
    )
    order = func.row_number().over(partition_by=talks.c.person_id, order_by=(talks.c.held_at, talks.c.talk_id))
    nth = select(talks.c.person_id, talks.c.held_at, order.label("n")).subquery()
    covered_in = month(local(nth.c.held_at))
    covered = await session.execute(select(covered_in, func.count()).where(nth.c.n == covered_at).group_by(covered_in))
    present = [func.coalesce(m.c.left_at, func.now()) >= date(year, 1, 1)]
    members = await session.scalar(
        select(func.count()).select_from(m).where(*present, *in_scope(m.c.org_id, org_id, subtree))
    )
    per = {name: {int(k): v for k, v in rows.tuples().all()} for name, rows in (("opened", opened), ("fulfilled", fulfilled), ("covered", covered))}
    result, running = [], 0
    for month_no in range(1, 13):
        running += per["covered"].get(month_no, 0)
        result.append(
            {
                "month": f"{year}-{month_no:02d}",
                "opened": per["opened"].get(month_no, 0),
                "fulfilled": per["fulfilled"].get(month_no, 0),
                "members": members or 0,
                "covered": running,
                "coverage_pct": round(100 * running / members, 1) if members else 0.0,
            }
        )
    return result
