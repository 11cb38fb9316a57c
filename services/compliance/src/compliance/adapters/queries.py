"""The read side of coverage, straight from the projection tables (obligations: dashboard_queries).

(v2) Who is counted for year Y, and where (SPEC §3.1): for the current year, the members of today in
their organisation of today and the seats held today; for a past year, each person in the
organisation they last belonged to during Y (31 December, or the day before they left), and the
seats held on 31 December. Dates are the deployment's calendar.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, cast, func, literal, select, true
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


@dataclass(frozen=True)
class Year:
    """A coverage year and the day it is judged on."""

    year: int
    today: date
    zone: str

    @property
    def current(self) -> bool:
        return self.year >= self.today.year

    def local_date(self, column):
        return cast(func.timezone(self.zone, column), Date)

    def held_at_reference(self, table) -> list:
        """Conditions on a table with `since`/`until`: held on the reference date."""
        if self.current:
            return [table.c.until.is_(None)]
        end = date(self.year, 12, 31)
        return [self.local_date(table.c.since) <= end, (table.c.until.is_(None)) | (self.local_date(table.c.until) > end)]

    def placed(self):
        """(person_id, org_id): every person counted in Y, in the organisation they count in."""
        m = orm.memberships
        if self.current:
            return select(orm.members.c.person_id, orm.members.c.org_id).where(orm.members.c.left_at.is_(None)).subquery("placed")
        start, end = date(self.year, 1, 1), date(self.year, 12, 31)
        during = [self.local_date(m.c.since) <= end, (m.c.until.is_(None)) | (self.local_date(m.c.until) > start)]
        last = select(m.c.person_id, m.c.org_id).where(*during).order_by(m.c.person_id, m.c.since.desc())
        return last.distinct(m.c.person_id).subquery("placed")


def _credits(rule_id: str, year: int, *keys: str, only=None):
    """Talks per `keys` for a rule and year; `only(credits)` narrows them to the question's scope
    first, so that a branch does not wait for the whole city's year to be counted."""
    c = orm.coverage_credits
    cols = [c.c[k] for k in keys]
    # MATERIALIZED: counted once, then joined. As a subquery, a planner whose statistics are stale
    # (after a bulk load, before autovacuum's ANALYZE) counts it again for every member: 1 s for 600.
    return (
        select(*cols, func.count(func.distinct(c.c.talk_id)).label("talks"))
        .where(c.c.rule_id == rule_id, c.c.year == year, *([] if only is None else [only(c)]))
        .group_by(*cols)
        .cte(f"credits_{rule_id.lower().replace('-', '_')}")
        .prefix_with("MATERIALIZED")
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


def _member_coverage(y: Year, *, org_id: str | None, subtree: bool, person_id: str | None):
    m, placed = orm.members, y.placed()
    conditions = []
    only = None
    if org_id is not None:
        conditions.append(placed.c.org_id.in_(_orgs_in_scope(org_id, subtree, below=False)))
    if org_id is not None and not subtree:
        # One organisation's members: their talks only, not the whole city's year counted first. By
        # person: a member who moved here mid-year keeps the talks credited in their old branch.
        inside = y.placed()
        only = lambda c: c.c.person_id.in_(select(inside.c.person_id).where(inside.c.org_id == org_id))  # noqa: E731
    if person_id:
        conditions.append(placed.c.person_id == person_id)
        only = lambda c: c.c.person_id == person_id  # noqa: E731
    talks, meetings = _credits("COV-MEMBER", y.year, "person_id", only=only), _next_meetings(y.today)
    return (
        select(placed.c.person_id, m.c.name, placed.c.org_id, func.coalesce(talks.c.talks, 0).label("talks"), meetings.c.next_meeting)
        .join(m, m.c.person_id == placed.c.person_id)
        .outerjoin(talks, talks.c.person_id == placed.c.person_id)
        .outerjoin(meetings, meetings.c.org_id == placed.c.org_id)
        .where(*conditions)
    )


def _secretary_coverage(y: Year, *, org_id: str | None, subtree: bool):
    r, m = orm.roles, orm.members
    seats = _orgs_in_scope(org_id, subtree, below=True)
    talks = _credits("COV-SECRETARY", y.year, "person_id", "org_id", only=lambda c: c.c.org_id.in_(seats))
    meetings = _next_meetings(y.today)
    return (
        select(r.c.person_id, m.c.name, r.c.org_id, func.coalesce(talks.c.talks, 0).label("talks"), meetings.c.next_meeting)
        .outerjoin(m, m.c.person_id == r.c.person_id)
        .outerjoin(talks, (talks.c.person_id == r.c.person_id) & (talks.c.org_id == r.c.org_id))
        .outerjoin(meetings, meetings.c.org_id == r.c.org_id)
        .where(r.c.role == "secretary", *y.held_at_reference(r), r.c.org_id.in_(seats))
        .distinct()
    )


def _committee_pairs(y: Year, *, org_id: str | None, subtree: bool):
    r, c = orm.roles, orm.coverage_credits
    a, b = r.alias("a"), r.alias("b")
    meetings = _next_meetings(y.today)
    # Counted per pair by index (LATERAL): an aggregate over the whole year joined to the pairs is
    # fast only while the planner's statistics are fresh, and painfully slow after a bulk load.
    talks = (
        select(func.count(func.distinct(c.c.talk_id)).label("talks"))
        .where(
            c.c.rule_id == "COV-COMMITTEE", c.c.year == y.year, c.c.person_id == a.c.person_id,
            c.c.counterpart_id == b.c.person_id, c.c.org_id == a.c.org_id,
        )  # fmt: skip
        .lateral("talks")
    )
    return (
        select(a.c.org_id, a.c.person_id.label("person_id"), b.c.person_id.label("counterpart_id"), talks.c.talks, meetings.c.next_meeting)
        .join(b, (a.c.org_id == b.c.org_id) & (a.c.person_id < b.c.person_id))
        .join(talks, true())
        .outerjoin(meetings, meetings.c.org_id == a.c.org_id)
        .where(*y.held_at_reference(a), *y.held_at_reference(b), a.c.org_id.in_(_orgs_in_scope(org_id, subtree, below=False)))
        .distinct()
    )


@dataclass
class CoverageQueries:
    """The coverage questions of one session (application.coverage_report.CoverageReader)."""

    session: AsyncSession
    zone: str

    async def member_rows(self, *, org_id: str | None, subtree: bool, person_id: str | None, year: int, today: date) -> list[dict]:
        """COV-MEMBER: the members counted in the year, with their talks and their organisation's next meeting."""
        found = _member_coverage(Year(year, today, self.zone), org_id=org_id, subtree=subtree, person_id=person_id)
        rows = await self.session.execute(found.order_by(*_columns(found, "org_id", "person_id")))
        return [dict(r._mapping) for r in rows]

    async def secretary_rows(self, *, org_id: str | None, subtree: bool, year: int, today: date) -> list[dict]:
        """COV-SECRETARY: the secretary of every subordinate organisation on the reference date, with their talks."""
        found = _secretary_coverage(Year(year, today, self.zone), org_id=org_id, subtree=subtree)
        rows = await self.session.execute(found.order_by(*_columns(found, "org_id", "person_id")))
        return [dict(x._mapping) for x in rows]

    async def pair_rows(self, *, org_id: str | None, subtree: bool, year: int, today: date) -> list[dict]:
        """COV-COMMITTEE: every pair of committee members of an organisation on the reference date, with their talks."""
        found = _committee_pairs(Year(year, today, self.zone), org_id=org_id, subtree=subtree)
        rows = await self.session.execute(found.order_by(*_columns(found, "org_id", "person_id", "counterpart_id")))
        return [dict(x._mapping) for x in rows]

    async def counts(self, *, org_id: str | None, subtree: bool, year: int, today: date) -> dict[str, list[dict]]:
        """The same three questions counted, not listed: per rule, rows of (org_id, talks, next_meeting, n).
        A city's 200,000 members come back as a few rows per organisation: judged once per row."""
        y = Year(year, today, self.zone)
        found = {}
        for rule, query in (
            ("COV-MEMBER", _member_coverage(y, org_id=org_id, subtree=subtree, person_id=None)),
            ("COV-SECRETARY", _secretary_coverage(y, org_id=org_id, subtree=subtree)),
            ("COV-COMMITTEE", _committee_pairs(y, org_id=org_id, subtree=subtree)),
        ):
            q = query.subquery()
            grouped = select(q.c.org_id, q.c.talks, q.c.next_meeting, func.count().label("n")).group_by(q.c.org_id, q.c.talks, q.c.next_meeting)
            found[rule] = [dict(r._mapping) for r in await self.session.execute(grouped)]
        return found
