"""The organisation tree's walks in SQL (kernel.tree) on the real PostgreSQL: each organisation below
a parent mapped to the child whose subtree holds it, from the roots or from any organisation; a leaf
has none below it; the walk stops at a cycle in bad data instead of running away."""

import uuid

import pytest
from sqlalchemy import Column, MetaData, Table, Text, func, insert, select, text

from kernel.db import make_engine
from kernel.tree import MAX_DEPTH, branches, subtree

# r1 ─┬─ a ─┬─ a1 ── a11
#     │     └─ a2
#     └─ b
# r2 ─── c
TREE = {"r1": None, "a": "r1", "a1": "a", "a11": "a1", "a2": "a", "b": "r1", "r2": None, "c": "r2"}


@pytest.fixture
async def orgs(integration_database_url):
    schema = f"tree_{uuid.uuid4().hex[:8]}"
    table = Table("orgs", MetaData(schema=schema), Column("org_id", Text, primary_key=True), Column("parent_id", Text, index=True))
    engine = make_engine(integration_database_url)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(table.metadata.create_all)
        await conn.execute(insert(table), [{"org_id": o, "parent_id": p} for o, p in TREE.items()])
    yield engine, table
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()


async def _branches(engine, table, parent_id):
    down = branches(table, parent_id)
    async with engine.connect() as conn:
        return {r.org_id: r.top for r in await conn.execute(select(down.c.org_id, down.c.top))}


@pytest.mark.parametrize(
    ("parent_id", "expected"),
    [
        (None, {o: ("r2" if o in ("r2", "c") else "r1") for o in TREE}),
        ("r1", {"a": "a", "a1": "a", "a11": "a", "a2": "a", "b": "b"}),
        ("a", {"a1": "a1", "a11": "a1", "a2": "a2"}),
        ("a11", {}),
        ("nowhere", {}),
    ],
)
async def test_each_organisation_below_maps_to_the_child_holding_it(orgs, parent_id, expected):
    assert await _branches(*orgs, parent_id) == expected


async def test_a_cycle_in_bad_data_ends_the_walk(orgs):
    engine, table = orgs
    async with engine.begin() as conn:  # a1 made its own grandchild's child: a1 → a11 → a1 …
        await conn.execute(table.update().where(table.c.org_id == "a1").values(parent_id="a11"))
        await conn.execute(table.update().where(table.c.org_id == "a11").values(parent_id="a1"))
        await conn.execute(insert(table).values(org_id="x", parent_id="a11"))
    found = await _branches(engine, table, "a11")
    assert set(found) == {"a1", "x", "a11"} and set(found.values()) <= {"a1", "x"}
    down = subtree(table, "a1")
    async with engine.connect() as conn:
        deepest = await conn.scalar(select(func.max(down.c.depth)))
    assert deepest == MAX_DEPTH  # walked to the bound, not forever
