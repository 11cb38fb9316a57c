"""Coverage kept by the projection: who is counted for each rule and year with their talks
(`coverage_counted`), and those rows counted per organisation (`coverage_rollup` plus the deltas
not folded into it yet), so that the top of a city's tree reads a few rows per organisation instead
of counting every member and every talk of the year.

- A batch recounts, in its own transaction, the people and organisations its changes touched
  (`keep_counted`): their rows in `coverage_counted` are replaced by what the projection now says,
  and the difference is appended to the deltas. Counts are appended, never updated in place, so no
  organisation's counter row is contended by every instance's batches (two batches recounting the
  same person's or organisation's rows can still lose a race to each other and run again).
- The leader counts a year whole (`count_year`) the first time, and again when the year turns past
  (its members are counted where they last were then, not where they are today); until then a
  reader counts from the projection as before (adapters.queries). Every few seconds it folds the
  deltas into the roll-up (`fold`).
"""

import time
from collections import Counter
from datetime import date
from functools import lru_cache

from sqlalchemy import ARRAY, Text, bindparam, delete, func, insert, literal, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from compliance.adapters import orm
from compliance.adapters.queries import Year, members_counted, pairs_counted, secretaries_counted
from compliance.adapters.rows.loaded import any_of
from compliance.domain.coverage import COMMITTEE, MEMBER, RULES, SECRETARY
from kernel.bulk import inserted
from kernel.logging import get_logger

log = get_logger(__name__)

c, r, d, kept = orm.coverage_counted.c, orm.coverage_rollup.c, orm.coverage_rollup_deltas.c, orm.coverage_years.c
Key = tuple[str, str, str, str]  # rule, person, counterpart, organisation


def _counted(y: Year, *, people: bool, orgs: bool, whole: bool = False) -> list:
    """The queries of what is counted now, as (rule, person, counterpart, org, talks): for the
    people (COV-MEMBER) and organisations (the other two) given as the array parameters `people`
    and `orgs` when run, where asked; or for everyone (`whole`)."""
    queries = []
    if whole or people:
        members = members_counted(y, where=lambda p: [] if whole else [any_of(p.c.person_id, "people")],
                                  only=None if whole else (lambda cr: any_of(cr.c.person_id, "people"))).subquery()  # fmt: skip
        queries.append(select(literal(MEMBER), members.c.person_id, literal(""), members.c.org_id, members.c.talks))
    if whole or orgs:
        seats = None if whole else _ids()
        secretaries = secretaries_counted(y, seats).subquery()
        pairs = pairs_counted(y, seats).subquery()
        queries.append(select(literal(SECRETARY), secretaries.c.person_id, literal(""), secretaries.c.org_id, secretaries.c.talks))
        queries.append(select(literal(COMMITTEE), pairs.c.person_id, pairs.c.counterpart_id, pairs.c.org_id, pairs.c.talks))
    return queries


@lru_cache(maxsize=16)  # built once a day for each year kept (kernel.bulk says why): Year holds the day
def _recounted(y: Year, people: bool, orgs: bool):
    """`_counted` for a batch's people and organisations, as one statement: a live batch makes some
    forty round trips, each costing more than its rows."""
    return union_all(*_counted(y, people=people, orgs=orgs))


# The rows `_recounted` replaces, as stored: the members' by person, the seats' and pairs' by
# organisation. Two selects, each down an index (the key; `coverage_counted_org`): as one with an
# OR, every row of the year was compared with the batch's hundreds of ids (25 ms a batch, county).
_row = select(c.rule_id, c.person_id, c.counterpart_id, c.org_id, c.talks).where(c.year == bindparam("year"))
_STORED = union_all(
    _row.where(c.rule_id == MEMBER, any_of(c.person_id, "people")),
    _row.where(c.rule_id.in_([rule for rule in RULES if rule != MEMBER]), any_of(c.org_id, "orgs")),
)


def _ids():
    """The organisations of the array parameter `orgs` as a query of ids (what the coverage
    queries take for a scope)."""
    return select(func.unnest(bindparam("orgs", type_=ARRAY(Text))).label("org_id"))


_YEARS_KEPT = select(kept.year).order_by(kept.year)


async def counted_years(conn: AsyncConnection) -> list[int]:
    return list((await conn.execute(_YEARS_KEPT)).scalars())


async def keep_counted(conn: AsyncConnection, *, people: set[str], orgs: set[str], since_year: int | None, today: date, zone: str) -> None:
    """The rows of these people and organisations counted again in every year kept that the changes
    reach, the difference written and appended to the deltas. A past year is reached by what changed
    from `since_year` on (every one, when None); this year and later ones by any change, as they
    count today's members in today's seats, whenever these joined or took them."""
    if not (people or orgs):
        return
    people_ids, org_ids = sorted(people), sorted(orgs)
    for year in await counted_years(conn):
        if since_year is not None and year < since_year and year < today.year:
            continue
        counted = _recounted(Year(year, today, zone), bool(people_ids), bool(org_ids))
        ids = {"people": people_ids, "orgs": org_ids}
        now: dict[Key, int] = {(rule, p, cp, o): talks for rule, p, cp, o, talks in (await conn.execute(counted, ids)).all()}
        was: dict[Key, int] = {(rule, p, cp, o): talks for rule, p, cp, o, talks in (await conn.execute(_STORED, {"year": year, **ids})).all()}
        gone = [k for k, talks in was.items() if now.get(k) != talks]
        new = [k for k, talks in now.items() if was.get(k) != talks]
        if not (gone or new):
            continue
        if gone:
            one = (c.rule_id == bindparam("r")) & (c.person_id == bindparam("p")) & (c.counterpart_id == bindparam("cp")) & (c.org_id == bindparam("o"))
            await conn.execute(delete(orm.coverage_counted).where(c.year == year, one), [dict(zip(("r", "p", "cp", "o"), k, strict=True)) for k in gone])
        if new:
            rows = [{"year": year, "rule_id": k[0], "person_id": k[1], "counterpart_id": k[2], "org_id": k[3], "talks": now[k]} for k in new]
            await conn.execute(*inserted(orm.coverage_counted, rows))
        change: Counter = Counter()
        for k in gone:
            change[(k[0], k[3], was[k])] -= 1
        for k in new:
            change[(k[0], k[3], now[k])] += 1
        deltas = [{"year": year, "rule_id": rule, "org_id": o, "talks": t, "n": n} for (rule, o, t), n in sorted(change.items()) if n]
        if deltas:
            await conn.execute(*inserted(orm.coverage_rollup_deltas, deltas))


async def count_year(conn: AsyncConnection, year: int, today: date, zone: str) -> None:
    """Year `year` counted whole, by the definition it has today; its roll-up made from that."""
    y = Year(year, today, zone)
    for table, year_column in ((orm.coverage_counted, c.year), (orm.coverage_rollup, r.year), (orm.coverage_rollup_deltas, d.year)):
        await conn.execute(delete(table).where(year_column == year))
    columns = ["year", "rule_id", "person_id", "counterpart_id", "org_id", "talks"]
    for query in _counted(y, people=False, orgs=False, whole=True):
        q = query.subquery()
        await conn.execute(insert(orm.coverage_counted).from_select(columns, select(literal(year), *q.c)))
    per_org = select(c.year, c.rule_id, c.org_id, c.talks, func.count()).where(c.year == year).group_by(c.year, c.rule_id, c.org_id, c.talks)
    await conn.execute(insert(orm.coverage_rollup).from_select(["year", "rule_id", "org_id", "talks", "n"], per_org))
    stmt = pg_insert(orm.coverage_years).values(year=year, as_current=y.current, counted_at=func.now())
    await conn.execute(stmt.on_conflict_do_update(index_elements=["year"], set_={"as_current": stmt.excluded.as_current, "counted_at": func.now()}))


async def years_to_count(conn: AsyncConnection, today: date) -> list[int]:
    """Last year, this year and any later year with talks, where not counted yet or counted by the
    definition they had before the year turned. Older years are counted from the projection."""
    latest = await conn.scalar(select(func.max(orm.coverage_credits.c.year)))
    wanted = range(today.year - 1, min(max(today.year, latest or today.year), today.year + 1) + 1)
    counted_as = dict((await conn.execute(select(kept.year, kept.as_current))).all())
    return [year for year in wanted if counted_as.get(year) != (year >= today.year)]


async def fold(conn: AsyncConnection) -> int:
    """The deltas appended so far added into the roll-up; returns how many were folded."""
    moved = delete(orm.coverage_rollup_deltas).returning(d.year, d.rule_id, d.org_id, d.talks, d.n).cte("moved")
    summed = select(moved.c.year, moved.c.rule_id, moved.c.org_id, moved.c.talks, func.sum(moved.c.n)).group_by(
        moved.c.year, moved.c.rule_id, moved.c.org_id, moved.c.talks
    )
    stmt = pg_insert(orm.coverage_rollup).from_select(["year", "rule_id", "org_id", "talks", "n"], summed)
    stmt = stmt.on_conflict_do_update(index_elements=["year", "rule_id", "org_id", "talks"], set_={"n": orm.coverage_rollup.c.n + stmt.excluded.n})
    folded = (await conn.execute(stmt.returning(r.year))).all()
    if folded:
        await conn.execute(delete(orm.coverage_rollup).where(r.n == 0))
    return len(folded)


async def count_and_fold(serializable: async_sessionmaker, sessions: async_sessionmaker, today: date, zone: str) -> None:
    """The leader's periodic work: years not counted whole (or counted before their year turned)
    counted, each in a serializable transaction of its own beside the instances' batches; then the
    deltas folded (in any order: they are sums)."""
    async with sessions() as session:
        years = await years_to_count(await session.connection(), today)
    for year in years:
        started = time.monotonic()
        async with serializable() as session, session.begin():
            await count_year(await session.connection(), year, today, zone)
        log.info("coverage counted whole", year=year, seconds=round(time.monotonic() - started, 2))
    async with sessions() as session, session.begin():
        await fold(await session.connection())
