"""The read side of coverage, straight from the projection tables (obligations: dashboard_queries).

(v2) Who is counted for year Y, and where (SPEC §3.1): for the current year, the members of today in
their organisation of today and the seats held today; for a past year, each person in the
organisation they last belonged to during Y (31 December, or the day before they left), and the
seats held on 31 December. Dates are the deployment's calendar.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, Integer, cast, func, literal, or_, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.adapters import orm
from compliance.adapters.ancestry import branches_kept, subtree_kept
from compliance.domain.coverage import RULES
from kernel.driver import fetched


def in_scope(column, org_id: str | None, subtree: bool) -> list:
    """The conditions keeping `column` within an organisation or its subtree; none for the whole tree."""
    if org_id is None:
        return []
    if subtree:
        tree = subtree_kept(org_id)
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


def talks_counted(rule_id: str, year: int, *keys: str, only=None):
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


def _orgs_in_scope(org_id: str | None, subtree: bool, *, below: bool, tree=None):
    """Organisation ids a coverage question is about; `below`: the subordinate ones (COV-SECRETARY).
    `tree`: the subtree's CTE when one query asks more than once (it is then walked once)."""
    o = orm.orgs
    if org_id is None:
        return select(o.c.org_id).where(o.c.parent_id.is_not(None)) if below else select(o.c.org_id)
    if not subtree:
        return select(o.c.org_id).where(o.c.parent_id == org_id) if below else select(literal(org_id))
    tree = subtree_kept(org_id) if tree is None else tree
    ids = select(tree.c.org_id)
    return ids.where(tree.c.org_id != org_id) if below else ids


def members_counted(y: Year, *, where=lambda placed: [], only=None):
    """(person_id, org_id, talks): the members counted in the year, where they count, with their
    COV-MEMBER talks; `where(placed)` narrows the members, `only(credits)` the talks counted first."""
    placed = y.placed()
    talks = talks_counted("COV-MEMBER", y.year, "person_id", only=only)
    return (
        select(placed.c.person_id, placed.c.org_id, func.coalesce(talks.c.talks, 0).label("talks"))
        .outerjoin(talks, talks.c.person_id == placed.c.person_id)
        .where(*where(placed))
    )


def secretaries_counted(y: Year, seats):
    """(person_id, org_id, talks): the secretary of each organisation in `seats` (a query of ids, or
    None for every one) on the reference date, with their COV-SECRETARY talks."""
    r = orm.roles
    only = None if seats is None else (lambda c: c.c.org_id.in_(seats))
    talks = talks_counted("COV-SECRETARY", y.year, "person_id", "org_id", only=only)
    return (
        select(r.c.person_id, r.c.org_id, func.coalesce(talks.c.talks, 0).label("talks"))
        .outerjoin(talks, (talks.c.person_id == r.c.person_id) & (talks.c.org_id == r.c.org_id))
        .where(r.c.role == "secretary", *y.held_at_reference(r), *([] if seats is None else [r.c.org_id.in_(seats)]))
        .distinct()
    )


def pairs_counted(y: Year, orgs):
    """(org_id, person_id, counterpart_id, talks): every pair of committee members of each
    organisation in `orgs` (a query of ids, or None for every one) on the reference date."""
    r, c = orm.roles, orm.coverage_credits
    a, b = r.alias("a"), r.alias("b")
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
        select(a.c.org_id, a.c.person_id.label("person_id"), b.c.person_id.label("counterpart_id"), talks.c.talks)
        .join(b, (a.c.org_id == b.c.org_id) & (a.c.person_id < b.c.person_id))
        .join(talks, true())
        .where(*y.held_at_reference(a), *y.held_at_reference(b), *([] if orgs is None else [a.c.org_id.in_(orgs)]))
        .distinct()
    )


def _member_coverage(y: Year, *, org_id: str | None, subtree: bool, person_id: str | None):
    conditions = []
    only = None
    if org_id is not None:
        conditions.append(lambda placed: placed.c.org_id.in_(_orgs_in_scope(org_id, subtree, below=False)))
    if org_id is not None and not subtree:
        # One organisation's members: their talks only, not the whole city's year counted first. By
        # person: a member who moved here mid-year keeps the talks credited in their old branch.
        inside = y.placed()
        only = lambda c: c.c.person_id.in_(select(inside.c.person_id).where(inside.c.org_id == org_id))  # noqa: E731
    if person_id:
        conditions.append(lambda placed: placed.c.person_id == person_id)
        only = lambda c: c.c.person_id == person_id  # noqa: E731
    counted = members_counted(y, where=lambda placed: [c(placed) for c in conditions], only=only).subquery("counted")
    m, meetings = orm.members, _next_meetings(y.today)
    return (
        select(counted.c.person_id, m.c.name, counted.c.org_id, counted.c.talks, meetings.c.next_meeting)
        .join(m, m.c.person_id == counted.c.person_id)
        .outerjoin(meetings, meetings.c.org_id == counted.c.org_id)
    )


def _secretary_coverage(y: Year, *, org_id: str | None, subtree: bool):
    m, meetings = orm.members, _next_meetings(y.today)
    counted = secretaries_counted(y, _orgs_in_scope(org_id, subtree, below=True)).subquery("counted")
    return (
        select(counted.c.person_id, m.c.name, counted.c.org_id, counted.c.talks, meetings.c.next_meeting)
        .outerjoin(m, m.c.person_id == counted.c.person_id)
        .outerjoin(meetings, meetings.c.org_id == counted.c.org_id)
    )


def _committee_pairs(y: Year, *, org_id: str | None, subtree: bool):
    meetings = _next_meetings(y.today)
    pairs = pairs_counted(y, _orgs_in_scope(org_id, subtree, below=False)).subquery("pairs")
    return select(pairs.c.org_id, pairs.c.person_id, pairs.c.counterpart_id, pairs.c.talks, meetings.c.next_meeting).outerjoin(
        meetings, meetings.c.org_id == pairs.c.org_id
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

    async def counts(self, *, org_id: str | None, subtree: bool, year: int, today: date, covered_from: int) -> list[tuple]:
        """The same three questions counted, not listed: a row per organisation of (org_id,
        next_meeting, then for each rule in RULES' order how many it counts and how many of those
        have `covered_from` talks or more), organisations counting nobody left out. Read from the
        roll-up kept by the projection (adapters.rollups) once the year is counted there as it is
        judged today; counted from the projection's rows until then. Summed per organisation in the
        database: the whole city's answer is 10,000 rows, not the roll-up's 28,000, which took
        longer to count one by one in Python than the query took. Straight from the driver
        (kernel.driver): SQLAlchemy's rows took as long to hand over as the database to find them."""
        y = Year(year, today, self.zone)
        if await self._kept(y):
            counted = _rolled_up(y, org_id=org_id, subtree=subtree)
        else:
            counted = union_all(
                _grouped("COV-MEMBER", _member_coverage(y, org_id=org_id, subtree=subtree, person_id=None)),
                _grouped("COV-SECRETARY", _secretary_coverage(y, org_id=org_id, subtree=subtree)),
                _grouped("COV-COMMITTEE", _committee_pairs(y, org_id=org_id, subtree=subtree)),
            )
        return await fetched(await self.session.connection(), _per_org(counted, covered_from, today))

    async def branch_counts(self, *, parent_id: str | None, year: int, today: date) -> list[tuple] | None:
        """The dashboard's tree: the scope `counts(org_id=parent_id, subtree=True)` counts (the whole
        tree without a parent), as rows of (rule_id, top, own, talks, next_meeting, n), `top` being
        the child of `parent_id` (or the root) whose subtree holds the organisation counted (None:
        the parent itself), `own` whether it is that child itself. Summed in the database from the
        roll-up, so a city's top levels return a few rows per branch; None when the year is not kept
        counted (the caller counts from the rows)."""
        y = Year(year, today, self.zone)
        if not await self._kept(y):
            return None
        rolled = _rolled(year)
        down, meetings = branches_kept(parent_id), _next_meetings(today)
        rule, org = rolled.c.rule_id, rolled.c.org_id
        if parent_id is None:  # as counts() scopes the whole tree
            scope = or_(rule == "COV-MEMBER", (rule == "COV-SECRETARY") & org.in_(_orgs_in_scope(None, False, below=True)),
                        (rule == "COV-COMMITTEE") & org.in_(_orgs_in_scope(None, False, below=False)))  # fmt: skip
        else:  # a subtree: the parent and everything below it; secretaries below it only
            scope = down.c.org_id.is_not(None) | ((rule != "COV-SECRETARY") & (org == parent_id))
        own = func.coalesce(org == down.c.top, False).label("own")
        n = func.sum(rolled.c.n)
        grouped = (
            select(rule, down.c.top, own, rolled.c.talks, meetings.c.next_meeting, cast(n, Integer).label("n"))
            .select_from(rolled)
            .outerjoin(down, down.c.org_id == org)
            .outerjoin(meetings, meetings.c.org_id == org)
            .where(scope)
            .group_by(rule, down.c.top, own, rolled.c.talks, meetings.c.next_meeting)
            .having(n != 0)
        )
        return list((await self.session.execute(grouped)).tuples())

    async def _kept(self, y: Year) -> bool:
        """Whether the year is kept counted (adapters.rollups) as it is judged today."""
        kept_as = await self.session.scalar(select(orm.coverage_years.c.as_current).where(orm.coverage_years.c.year == y.year))
        return kept_as is not None and kept_as == y.current


def _grouped(rule: str, query):
    q = query.subquery()
    return select(literal(rule).label("rule_id"), q.c.org_id, q.c.talks, func.count().label("n")).group_by(q.c.org_id, q.c.talks)


def _per_org(counted, covered_from: int, today: date):
    """Rows of (rule_id, org_id, talks, n) summed per organisation: (org_id, its next meeting, then
    each rule's n in all and n with `covered_from` talks or more); an organisation whose rules all
    sum to nobody left out (the roll-up's deltas may be negative). The meetings are joined to the
    10,000 sums, not to the 28,000 rows (joined to the rows, the meeting was part of the grouping:
    60 -> 47 ms on the city, EXPLAIN ANALYZE)."""
    q = counted.subquery()
    sums = []
    for rule in RULES:
        mine = q.c.rule_id == rule
        sums += [func.coalesce(func.sum(q.c.n).filter(mine), 0), func.coalesce(func.sum(q.c.n).filter(mine & (q.c.talks >= covered_from)), 0)]
    summed = (
        select(q.c.org_id, *(cast(n, Integer).label(f"n{i}") for i, n in enumerate(sums)))
        .group_by(q.c.org_id)
        .having(or_(*(n != 0 for n in sums[::2])))
        .subquery()
    )
    meetings = _next_meetings(today)
    return select(summed.c.org_id, meetings.c.next_meeting, *list(summed.c)[1:]).outerjoin(meetings, meetings.c.org_id == summed.c.org_id)


def _rolled(year: int, rule: str | None = None):
    """(rule_id, org_id, talks, n) of a year: the roll-up's rows and the deltas not folded into it yet."""
    r, d = orm.coverage_rollup.c, orm.coverage_rollup_deltas.c
    rules = (lambda t: [t.rule_id == rule]) if rule else (lambda t: [])
    return (
        select(r.rule_id, r.org_id, r.talks, r.n).where(r.year == year, *rules(r))
        .union_all(select(d.rule_id, d.org_id, d.talks, d.n).where(d.year == year, *rules(d)))
        .subquery("rolled")
    )  # fmt: skip


def _rolled_up(y: Year, *, org_id: str | None, subtree: bool):
    """(rule_id, org_id, talks, n) from the roll-up and the deltas not folded into it
    yet, each rule in the scope the counting queries above give it (the subtree walked once)."""
    both = _rolled(y.year)
    rule, org = both.c.rule_id, both.c.org_id
    tree = subtree_kept(org_id) if org_id is not None and subtree else None

    def scope(r: str):
        if org_id is None and r == "COV-MEMBER":  # members of organisations not registered (yet) count too
            return rule == r
        return (rule == r) & org.in_(_orgs_in_scope(org_id, subtree, below=r == "COV-SECRETARY", tree=tree))

    # Not summed here: `counts` sums them per organisation (a roll-up row and its deltas may come
    # as separate rows).
    return select(rule, org, both.c.talks, both.c.n).where(or_(*map(scope, RULES)))
