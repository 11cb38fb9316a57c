"""The read side of coverage, straight from the projection tables (obligations: dashboard_queries)."""

from datetime import date

from sqlalchemy import func, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.adapters import orm
from kernel.tree import subtree


def subtree_of(org_id: str):
    """A CTE of the organisation and every organisation below it."""
    return subtree(orm.orgs, org_id)


def in_scope(column, org_id: str | None, subtree: bool) -> list:
    """The conditions keeping `column` within an organisation or its subtree; none for the whole tree."""
    if org_id is None:
        return []
    if subtree:
        tree = subtree_of(org_id)
        return [column.in_(select(tree.c.org_id))]
    return [column == org_id]


def _columns(query, *names: str) -> list:
    return [query.selected_columns[n] for n in names]


def _credits(rule_id: str, year: int, *keys: str, only=None):
    """Talks per `keys` for a rule and year; `only(credits)` narrows them to the question's scope
    first, so that a branch does not wait for the whole city's year to be counted."""
    c = orm.coverage_credits
    cols = [c.c[k] for k in keys]
    return (
        select(*cols, func.count(func.distinct(c.c.talk_id)).label("talks"))
        .where(c.c.rule_id == rule_id, c.c.year == year, *([] if only is None else [only(c)]))
        .group_by(*cols)
        .subquery()
    )


def _next_meetings(today: date):
    m = orm.meetings
    return select(m.c.org_id, func.min(m.c.date).label("next_meeting")).where(m.c.date >= today).group_by(m.c.org_id).subquery()


def _orgs_in_scope(org_id: str | None, subtree: bool, *, below: bool):
    """Organisation ids a coverage question is about; `below`: the subordinate ones (COV-SECRETARY)."""
    o = orm.orgs
    if org_id is None:
        return select(o.c.org_id).where(o.c.parent_id.is_not(None)) if below else select(o.c.org_id)
    if not subtree:
        return select(o.c.org_id).where(o.c.parent_id == org_id) if below else select(literal(org_id))
    tree = subtree_of(org_id)
    ids = select(tree.c.org_id)
    return ids.where(tree.c.org_id != org_id) if below else ids


def _member_coverage(*, org_id: str | None, subtree: bool, person_id: str | None, year: int, today: date):
    m, inside = orm.members, orm.members.alias("inside")
    conditions = [func.coalesce(m.c.left_at, func.now()) >= date(year, 1, 1)]  # left before the year: not counted
    only = None
    if org_id is not None:
        conditions.append(m.c.org_id.in_(_orgs_in_scope(org_id, subtree, below=False)))
    if org_id is not None and not subtree:
        # One organisation's members: their talks only, not the whole city's year counted first. By
        # person: a member who moved here mid-year keeps the talks credited in their old branch.
        # (Narrowing a subtree the same way costs more than it saves once the subtree is large.)
        only = lambda c: c.c.person_id.in_(select(inside.c.person_id).where(inside.c.org_id == org_id))  # noqa: E731
    if person_id:
        conditions.append(m.c.person_id == person_id)
        only = lambda c: c.c.person_id == person_id  # noqa: E731
    talks, meetings = _credits("COV-MEMBER", year, "person_id", only=only), _next_meetings(today)
    return (
        select(m.c.person_id, m.c.name, m.c.org_id, func.coalesce(talks.c.talks, 0).label("talks"), meetings.c.next_meeting)
        .outerjoin(talks, talks.c.person_id == m.c.person_id)
        .outerjoin(meetings, meetings.c.org_id == m.c.org_id)
        .where(*conditions)
    )


async def member_coverage_rows(
    session: AsyncSession, *, org_id: str | None, subtree: bool, person_id: str | None, year: int, today: date
) -> list[dict]:
    """COV-MEMBER: members present in the year, with their talks and their organisation's next meeting."""
    found = _member_coverage(org_id=org_id, subtree=subtree, person_id=person_id, year=year, today=today)
    rows = await session.execute(found.order_by(*_columns(found, "org_id", "person_id")))
    return [dict(r._mapping) for r in rows]


def _secretary_coverage(*, org_id: str | None, subtree: bool, year: int, today: date):
    r, m = orm.roles, orm.members
    seats = _orgs_in_scope(org_id, subtree, below=True)
    talks = _credits("COV-SECRETARY", year, "person_id", "org_id", only=lambda c: c.c.org_id.in_(seats))
    meetings = _next_meetings(today)
    return (
        select(
            r.c.person_id, m.c.name, r.c.org_id, func.coalesce(talks.c.talks, 0).label("talks"), meetings.c.next_meeting
        )
        .outerjoin(m, m.c.person_id == r.c.person_id)
        .outerjoin(talks, (talks.c.person_id == r.c.person_id) & (talks.c.org_id == r.c.org_id))
        .outerjoin(meetings, meetings.c.org_id == r.c.org_id)
        .where(r.c.role == "secretary", r.c.until.is_(None), r.c.org_id.in_(seats))
    )


async def secretary_coverage_rows(
    session: AsyncSession, *, org_id: str | None, subtree: bool, year: int, today: date
) -> list[dict]:
    """COV-SECRETARY: the current secretary of every subordinate organisation, with their talks."""
    found = _secretary_coverage(org_id=org_id, subtree=subtree, year=year, today=today)
    rows = await session.execute(found.order_by(*_columns(found, "org_id")))
    return [dict(x._mapping) for x in rows]


def _committee_pairs(*, org_id: str | None, subtree: bool, year: int, today: date):
    r, c = orm.roles, orm.coverage_credits
    a, b = r.alias("a"), r.alias("b")
    meetings = _next_meetings(today)
    # Counted per pair by index (LATERAL): an aggregate over the whole year joined to the pairs is
    # fast only while the planner's statistics are fresh, and painfully slow after a bulk load.
    talks = (
        select(func.count(func.distinct(c.c.talk_id)).label("talks"))
        .where(
            c.c.rule_id == "COV-COMMITTEE", c.c.year == year, c.c.person_id == a.c.person_id,
            c.c.counterpart_id == b.c.person_id, c.c.org_id == a.c.org_id,
        )  # fmt: skip
        .lateral("talks")
    )
    current = lambda t: (t.c.until.is_(None))  # noqa: E731
    return (
        select(
            a.c.org_id,
            a.c.person_id.label("person_id"),
            b.c.person_id.label("counterpart_id"),
            talks.c.talks,
            meetings.c.next_meeting,
        )
        .join(b, (a.c.org_id == b.c.org_id) & (a.c.person_id < b.c.person_id))
        .join(talks, true())
        .outerjoin(meetings, meetings.c.org_id == a.c.org_id)
        .where(current(a), current(b), a.c.org_id.in_(_orgs_in_scope(org_id, subtree, below=False)))
        .distinct()
    )


async def committee_pair_rows(
    session: AsyncSession, *, org_id: str | None, subtree: bool, year: int, today: date
) -> list[dict]:
    """COV-COMMITTEE: every pair of current committee members of an organisation, with their talks."""
    found = _committee_pairs(org_id=org_id, subtree=subtree, year=year, today=today)
    rows = await session.execute(found.order_by(*_columns(found, "org_id", "person_id", "counterpart_id")))
    return [dict(x._mapping) for x in rows]


async def coverage_counts(session: AsyncSession, *, org_id: str | None, subtree: bool, year: int, today: date) -> dict[str, list[dict]]:
    """The same three questions counted, not listed: per rule, rows of (org_id, talks, next_meeting, n).
    A city's 200,000 members come back as a few rows per organisation: judged once per row."""
    scope = {"org_id": org_id, "subtree": subtree, "year": year, "today": today}
    found = {}
    for rule, query in (
        ("COV-MEMBER", _member_coverage(person_id=None, **scope)),
        ("COV-SECRETARY", _secretary_coverage(**scope)),
        ("COV-COMMITTEE", _committee_pairs(**scope)),
    ):
        q = query.subquery()
        grouped = select(q.c.org_id, q.c.talks, q.c.next_meeting, func.count().label("n")).group_by(q.c.org_id, q.c.talks, q.c.next_meeting)
        found[rule] = [dict(r._mapping) for r in await session.execute(grouped)]
    return found
