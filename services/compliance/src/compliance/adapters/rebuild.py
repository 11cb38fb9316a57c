"""The SQL of a rebuild from the log (entrypoints.replay): a fresh schema, fresh statistics, and the
comparison of two projections row by row."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from compliance.adapters import orm
from kernel.db import make_engine, migrate

# What the projection is: every table but the plumbing, without columns that record when a row was
# written. Not obligation_transitions: what a batch tells depends on how events fell into batches
# (a rebuild's batches are larger than the live consumer's), so the steps recorded differ.
COMPARED = {
    "orgs": "org_id, parent_id, name, kind",
    "members": "person_id, org_id, name, status, joined_at, left_at",
    "memberships": "person_id, since, org_id, until, left_reason",
    "roles": "org_id, person_id, role, since, until",
    "obligations": "obligation_id, rule_id, subject_id, responsible_kind, responsible_id, responsible_org_id, org_id, "
    "due_date, status, trigger_event_id, triggered_at, trigger_date, trigger_ref, escalated_to_id, fulfilled_by, "
    "closed_at, reason, waived_at, waived_reason, trigger_type, trigger_source",
    "retractions": "event_id, ref, person_id, at",
    "coverage_credits": "talk_id, rule_id, person_id, counterpart_id, org_id, year, held_at",
    "talks_seen": "talk_id, held_at, mode, talker_ids, talkee_ids",
    "talk_participants": "person_id, held_at, talk_id",
    "meetings": "meeting_id, org_id, date, kind",
    "held_events": "event_id, person_id",
    "attendance_streaks": "person_id, absences",
    "coverage_counted": "year, rule_id, person_id, counterpart_id, org_id, talks",
    "coverage_years": "year, as_current",
}



async def fresh_schema(url: str, schema: str) -> AsyncEngine:
    """An engine whose compliance tables live in `schema`, emptied and migrated."""
    await drop_schema(url, schema)
    engine = make_engine(url).execution_options(schema_translate_map={orm.SCHEMA: schema})
    await migrate(engine, "compliance.adapters.migrations", schema)
    return engine


async def analyze(engine: AsyncEngine, schema: str) -> None:
    """Fresh statistics: the planner's guesses on a bulk-loaded table are far off."""
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'ANALYZE "{schema}".obligations, "{schema}".coverage_credits, "{schema}".roles, "{schema}".members'))


async def compare(url: str, a: str, b: str) -> dict[str, tuple[list, list]]:
    """Two projections' tables in schemas `a` and `b`: the rows only in a and only in b, per table that differs."""
    engine = make_engine(url)
    differences = {}
    async with engine.connect() as conn:
        for table, columns in COMPARED.items():
            rows_a = f'SELECT {columns} FROM "{a}"."{table}"'
            rows_b = f'SELECT {columns} FROM "{b}"."{table}"'
            only_a = (await conn.execute(text(f"{rows_a} EXCEPT ALL {rows_b}"))).all()
            only_b = (await conn.execute(text(f"{rows_b} EXCEPT ALL {rows_a}"))).all()
            if only_a or only_b:
                differences[table] = (only_a, only_b)
    await engine.dispose()
    return differences


async def drop_schema(url: str, schema: str) -> None:
    """A scratch schema emptied (before a rebuild) or no longer needed (a what-if's, once its report is kept)."""
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()
