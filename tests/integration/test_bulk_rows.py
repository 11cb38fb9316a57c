"""Many rows in one statement over arrays (kernel.bulk.unnested, its rows as parameters by
kernel.bulk.arrays) on the real PostgreSQL: each row lands as given, array columns included (empty
arrays, NULL elements, text that an array literal would have to quote), and an upsert over them
updates from `excluded` as a multi-row insert does."""

import uuid

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, Table, Text, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from kernel.bulk import arrays, inserted, unnested, upserted
from kernel.db import make_engine


@pytest.fixture
async def table(integration_database_url):
    schema = f"bulk_{uuid.uuid4().hex[:8]}"
    things = Table(
        "things", MetaData(schema=schema),
        Column("id", Text, primary_key=True), Column("n", Integer), Column("paths", ARRAY(Text), nullable=False),
        Column("day", Date), Column("tags", ARRAY(Text), nullable=False),
    )  # fmt: skip
    engine = make_engine(integration_database_url)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(things.metadata.create_all)
    yield engine, things
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()


COLUMNS = ("id", "n", "paths", "day", "tags")
ROWS = [
    {"id": "a", "n": 1, "paths": ["o1", "o1/o2"], "day": None, "tags": []},
    {"id": "b", "n": None, "paths": [], "day": None, "tags": ['we"ird,{x}', "back\\slash", None]},
    {"id": "c", "n": 3, "paths": ["o9"], "day": None, "tags": ["t"]},
]


async def test_each_row_lands_as_given_array_columns_included(table):
    engine, things = table
    async with engine.begin() as conn:
        await conn.execute(unnested(things, COLUMNS), arrays(things, ROWS))
        got = [dict(r._mapping) for r in await conn.execute(select(things).order_by(things.c.id))]
    assert got == ROWS


async def test_only_empty_arrays_and_an_upsert_from_excluded(table):
    engine, things = table
    empty = [{**r, "paths": [], "tags": []} for r in ROWS]
    async with engine.begin() as conn:
        await conn.execute(unnested(things, COLUMNS), arrays(things, empty))
        stmt = unnested(things, COLUMNS)
        upsert = stmt.on_conflict_do_update(index_elements=["id"], set_={"n": stmt.excluded.n, "paths": stmt.excluded.paths})
        await conn.execute(upsert, arrays(things, [{**ROWS[1], "n": 7}, {**ROWS[2], "paths": ["o9", "o9/o10"]}]))
        got = {r.id: (r.n, r.paths, r.tags) for r in await conn.execute(select(things))}
        assert await conn.scalar(select(func.count()).select_from(things)) == 3
    assert got == {"a": (1, [], []), "b": (7, [], []), "c": (3, ["o9", "o9/o10"], [])}


def test_rows_of_different_columns_or_a_missing_array_are_refused():
    things = Table("t", MetaData(), Column("id", Text, primary_key=True), Column("paths", ARRAY(Text)))
    with pytest.raises(ValueError, match="do not all have the columns"):
        arrays(things, [{"id": "a", "paths": []}, {"id": "b", "paths": [], "x": 1}])
    with pytest.raises(ValueError, match="give an empty array"):
        arrays(things, [{"id": "a", "paths": None}])


async def test_one_statement_for_every_batch_its_rows_apart(table):
    """Built once: the same statement object for the same table and columns, whatever the rows,
    and two batches of different sizes through it each land whole."""
    engine, things = table
    assert unnested(things, COLUMNS) is unnested(things, COLUMNS)
    async with engine.begin() as conn:
        await conn.execute(unnested(things, COLUMNS), arrays(things, ROWS[:1]))
        await conn.execute(unnested(things, COLUMNS), arrays(things, ROWS[1:]))
        got = [dict(r._mapping) for r in await conn.execute(select(things).order_by(things.c.id))]
    assert got == ROWS


async def test_inserted_then_upserted_by_key_every_other_column_taken(table):
    engine, things = table
    changed = [{**ROWS[0], "n": 10, "paths": [], "tags": ["t2"]}, {**ROWS[2], "day": None, "n": None}]
    async with engine.begin() as conn:
        await conn.execute(*inserted(things, ROWS))
        await conn.execute(*upserted(things, changed, "id"))
        got = [dict(r._mapping) for r in await conn.execute(select(things).order_by(things.c.id))]
    assert got == [changed[0], ROWS[1], changed[1]]
