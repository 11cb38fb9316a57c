"""Statements on the driver under SQLAlchemy (kernel.driver), on the real PostgreSQL: rows written
with COPY (compliance.adapters.rows.loaded.copied) and rows read past SQLAlchemy's `Result`
(`fetched`), in the transaction, in the schema the engine translates to, and failing as
SQLAlchemy's own statements fail, so that a consumer and an HTTP handler tell the database being
away from a bad row."""

import contextlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, literal, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError

from compliance.adapters import orm
from compliance.adapters.rows.loaded import copied
from kernel.db import is_infrastructure_error, make_engine, sqlstate
from kernel.driver import fetched

COLUMNS = ["talk_id", "held_at", "mode", "talker_ids", "talkee_ids"]
TALK = ("t1", datetime(2026, 3, 2, 8, tzinfo=UTC), "one_to_one", ["p-sec"], ["p-m1"])


async def test_rows_land_in_the_translated_schema_with_the_transaction(compliance_scratch):
    async with compliance_scratch.connect() as conn:
        await conn.execute(select(1))  # the transaction begun, as a batch's first statement begins it
        await copied(conn, orm.talks_seen, COLUMNS, [TALK])
        await conn.rollback()
    async with compliance_scratch.begin() as conn:
        assert await conn.scalar(select(func.count()).select_from(orm.talks_seen)) == 0  # rolled back with it
        await conn.execute(select(1))
        await copied(conn, orm.talks_seen, COLUMNS, [TALK])
    async with compliance_scratch.connect() as conn:
        assert (await conn.execute(select(orm.talks_seen.c.talk_id, orm.talks_seen.c.talkee_ids))).all() == [("t1", ["p-m1"])]


async def test_refused_before_the_transaction_is_begun(compliance_scratch):
    async with compliance_scratch.connect() as conn:
        with pytest.raises(RuntimeError, match="outside a transaction"):
            await copied(conn, orm.talks_seen, COLUMNS, [TALK])


async def test_a_bad_row_fails_as_a_statement_does_with_its_sqlstate(compliance_scratch):
    async with compliance_scratch.begin() as conn:
        await conn.execute(select(1))
        await copied(conn, orm.talks_seen, COLUMNS, [TALK])
    async with compliance_scratch.connect() as conn:
        await conn.execute(select(1))
        with pytest.raises(DBAPIError) as raised:
            await copied(conn, orm.talks_seen, COLUMNS, [TALK])
        await conn.rollback()
    assert sqlstate(raised.value) == "23505"  # unique_violation: the work at hand, not the database away
    assert not is_infrastructure_error(raised.value)


async def test_the_connection_lost_is_the_database_away(compliance_scratch, integration_database_url):
    conn = await compliance_scratch.connect()
    try:
        pid = await conn.scalar(text("SELECT pg_backend_pid()"))  # and the transaction begun
        other = make_engine(integration_database_url)
        async with other.connect() as killer:
            await killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await other.dispose()
        with pytest.raises(DBAPIError) as raised:
            await copied(conn, orm.obligation_paths, ["key", "obligation_id"], [("o1", "ob-1")])
    finally:
        with contextlib.suppress(DBAPIError):  # gone: closing it cannot roll anything back
            await conn.close()
    assert is_infrastructure_error(raised.value)


async def test_rows_fetched_are_the_statements_rows_in_the_transaction(compliance_scratch):
    t = orm.talks_seen.c
    second = ("t2", datetime(2026, 3, 3, 8, tzinfo=UTC), "one_to_one", ["p-sec"], ["p-m2"])
    async with compliance_scratch.connect() as conn:
        await conn.execute(select(1))
        await copied(conn, orm.talks_seen, COLUMNS, [TALK, second])  # not committed: seen only in this transaction
        stmt = select(t.talk_id, t.talkee_ids, literal(7).label("n")).where(t.talk_id.in_(["t1", "t2", "t9"]), t.mode == "one_to_one").order_by(t.talk_id)
        rows = await fetched(conn, stmt)
        assert [tuple(r) for r in rows] == [tuple(r) for r in await conn.execute(stmt)] == [("t1", ["p-m1"], 7), ("t2", ["p-m2"], 7)]
        assert rows[0]["talk_id"] == "t1"
        await conn.rollback()


async def test_fetched_refuses_what_it_cannot_run_as_sqlalchemy_would(compliance_scratch):
    async with compliance_scratch.connect() as conn:
        with pytest.raises(RuntimeError, match="outside a transaction"):
            await fetched(conn, select(orm.talks_seen.c.talk_id))
        await conn.execute(select(1))
        with pytest.raises(TypeError, match="conversion"):  # a JSON parameter would reach asyncpg unserialized
            await fetched(conn, select(literal({"a": 1}, JSONB)))
        with pytest.raises(DBAPIError) as raised:
            await fetched(conn, select(func.cast(literal("x"), JSONB)))  # a database error, raised as SQLAlchemy raises it
        await conn.rollback()
    assert sqlstate(raised.value) == "22P02" and not is_infrastructure_error(raised.value)


def test_the_history_copied_has_the_columns_its_table_has():
    from compliance.adapters.transitions import _COLUMNS

    assert set(_COLUMNS) == {c.name for c in orm.obligation_transitions.c} - {"id", "recorded_at"}  # those two: the table's defaults
