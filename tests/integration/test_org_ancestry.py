"""Each organisation's ancestors, kept with the tree (compliance.adapters.ancestry), on the real
PostgreSQL: after any sequence of registrations (a child before its parent too), moves and renames,
written in batches, the kept rows are what walking up the parents gives, and the tree's levels and
subtrees read from them are what kernel.tree's walks down give; two batches changing the tree at
once take turns, so neither misses the other's organisations; the migration fills the rows of a
tree that was there before it."""

import asyncio
import random
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from compliance.adapters import orm
from compliance.adapters.ancestry import branches_kept, keep_ancestry, subtree_kept
from kernel.db import make_engine, migrate
from kernel.tree import branches, subtree


def _expected(parents: dict[str, str | None]) -> set[tuple[str, str, str]]:
    """(ancestor, org, child on the way) walking up each organisation's registered parents."""
    rows = set()
    for org in parents:
        child, above = org, parents[org]
        while True:
            rows.add((above if above is not None else orm.ABOVE_THE_ROOTS, org, child))
            if above is None or above not in parents:
                break
            child, above = above, parents[above]
    return rows


async def _write(conn, parents: dict[str, str | None], changed: list[str], names: dict[str, str] | None = None) -> None:
    """As the projection writes a batch's organisations (adapters.rows.tree): upserted, then kept."""
    stmt = insert(orm.orgs)
    rows = [{"org_id": o, "parent_id": parents[o], "name": (names or {}).get(o, f"name of {o}"), "kind": "branch"} for o in changed]
    await conn.execute(stmt.on_conflict_do_update(index_elements=["org_id"], set_={"parent_id": stmt.excluded.parent_id, "name": stmt.excluded.name}), rows)
    await keep_ancestry(conn, set(changed))


async def _kept(conn) -> set[tuple[str, str, str]]:
    a = orm.org_ancestry.c
    return {tuple(r) for r in await conn.execute(select(a.ancestor_id, a.org_id, a.child_id))}


def _descendants(parents: dict[str, str | None], org: str) -> set[str]:
    found, frontier = set(), {org}
    while frontier:
        frontier = {o for o, p in parents.items() if p in frontier} - found
        found |= frontier
    return found


@pytest.mark.parametrize("seed", range(6))
async def test_kept_rows_are_the_walk_up_after_registrations_moves_and_renames_in_batches(compliance_scratch, seed):
    rng = random.Random(seed)
    final: dict[str, str | None] = {"o0": None}  # a tree of 40 under one root, and a second root
    for i in range(1, 40):
        final[f"o{i}"] = f"o{rng.randrange(i)}"
    final["r2"] = None
    order = list(final)
    rng.shuffle(order)  # children often registered before their parents
    parents: dict[str, str | None] = {}
    async with compliance_scratch.connect() as conn:
        while order:
            size = rng.randint(1, 8)
            batch, order = order[:size], order[size:]
            for org in batch:
                parents[org] = final[org]
            changed = list(batch)
            if rng.random() < 0.5 and len(parents) > 3:  # a move, never under its own subtree
                mover = rng.choice([o for o in parents if o not in ("o0", "r2")])
                targets = [o for o in parents if o != mover and o not in _descendants(parents, mover)]
                parents[mover] = rng.choice(targets)
                changed.append(mover)
            names = {}
            if rng.random() < 0.3:  # a rename: nothing above or below it changes
                renamed = rng.choice(list(parents))
                names[renamed] = f"renamed {renamed} {len(order)}"
                changed.append(renamed)
            await _write(conn, parents, changed, names)
            await conn.commit()
            assert await _kept(conn) == _expected(parents)
            await conn.rollback()  # the read's transaction
        for parent_id in [None, *parents]:  # each tree level and subtree as kernel.tree walks them
            kept, walked = branches_kept(parent_id), branches(orm.orgs, parent_id)
            assert set(await conn.execute(select(kept.c.org_id, kept.c.top))) == set(await conn.execute(select(walked.c.org_id, walked.c.top)))
            if parent_id is not None:
                kept_sub, walked_sub = subtree_kept(parent_id), subtree(orm.orgs, parent_id)
                assert set((await conn.execute(select(kept_sub.c.org_id))).scalars()) == set((await conn.execute(select(walked_sub.c.org_id))).scalars())


async def test_two_batches_changing_the_tree_at_once_take_turns(compliance_scratch):
    """A parent registered in one transaction, its child in another at the same moment: the second
    waits for the first, then sees the parent and walks up through it."""
    async with compliance_scratch.connect() as first, compliance_scratch.connect() as second:
        await _write(first, {"root": None}, ["root"])
        await first.commit()
        await _write(first, {"root": None, "p": "root"}, ["p"])  # holds the turn until it commits
        child = asyncio.create_task(_write(second, {"root": None, "p": "root", "c": "p"}, ["c"]))
        await asyncio.sleep(0.5)
        assert not child.done(), "the second batch walked the tree while the first held it"
        await first.commit()
        await child
        await second.commit()
        assert await _kept(second) == _expected({"root": None, "p": "root", "c": "p"})


async def test_the_migration_fills_the_rows_of_the_tree_already_there(integration_database_url):
    schema = f"ancestry_{uuid.uuid4().hex[:8]}"
    engine = make_engine(integration_database_url).execution_options(schema_translate_map={orm.SCHEMA: schema})
    parents = {"a": None, "b": "a", "c": "b", "d": "a", "x": "missing"}
    try:
        await migrate(engine, "compliance.adapters.migrations", schema, revision="0006")
        async with engine.begin() as conn:
            await conn.execute(insert(orm.orgs), [{"org_id": o, "parent_id": p, "name": o, "kind": "branch"} for o, p in parents.items()])
        await migrate(engine, "compliance.adapters.migrations", schema)
        async with engine.connect() as conn:
            assert await _kept(conn) == _expected(parents)
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await engine.dispose()
