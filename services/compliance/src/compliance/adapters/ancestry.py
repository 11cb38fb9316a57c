"""Each organisation's ancestors, kept in the transaction that changes the tree (orm.org_ancestry).

What goes stale when organisations are registered or moved is their subtrees: an organisation whose
nearest row does not name its parent (new, moved, or registered before its parent and now under
it) has its whole subtree walked up again. The walk up stops at an organisation not registered
yet: when it comes, it is new, and its subtree, those waiting under it included, is walked again.

Two batches that change the tree at once would each walk without seeing the other's organisations,
so the walks take turns (a transaction-scoped advisory lock; changes to the tree are rare)."""

from collections.abc import Collection

from sqlalchemy import exists, func, literal, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.adapters import orm
from compliance.adapters.rows.loaded import among
from kernel.driver import translated_schema
from kernel.tree import MAX_DEPTH

_LOCK = "compliance:org_ancestry"


async def keep_ancestry(conn: AsyncConnection, changed: Collection[str]) -> None:
    """After `changed` organisations were written: their stale subtrees' rows written again."""
    if not changed:
        return
    # One turn per schema: a rebuild or a what-if writing its own tables does not wait for the live ones.
    key = f"{_LOCK}:{translated_schema(conn, orm.SCHEMA)}"
    await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    stale = list((await conn.execute(_stale_subtrees(sorted(changed)))).scalars())
    if stale:
        a = orm.org_ancestry
        await conn.execute(a.delete().where(among(a.c.org_id, stale)))
        await conn.execute(_walked_up(stale))


def _stale_subtrees(changed: list[str]):
    """The organisations among `changed` whose nearest row does not name their parent, and all below them."""
    o, a = orm.orgs, orm.org_ancestry
    nearest_is_parent = exists().where(
        a.c.org_id == o.c.org_id, a.c.child_id == o.c.org_id, a.c.ancestor_id == func.coalesce(o.c.parent_id, orm.ABOVE_THE_ROOTS)
    )
    stale = select(o.c.org_id).where(among(o.c.org_id, changed), ~nearest_is_parent).cte("stale", recursive=True)
    below = orm.orgs.alias("below")
    # UNION, not UNION ALL: an organisation met twice (a cycle in bad data) is not walked again.
    stale = stale.union(select(below.c.org_id).join(stale, below.c.parent_id == stale.c.org_id))
    return select(stale.c.org_id)


def _walked_up(org_ids: list[str]):
    """INSERT of every (ancestor, organisation, child on the way) for `org_ids`, walking up the parents."""
    o, p = orm.orgs, orm.orgs.alias("p")
    up = select(o.c.org_id, o.c.parent_id.label("ancestor_id"), o.c.org_id.label("child_id"), literal(1).label("depth"))
    up = up.where(among(o.c.org_id, org_ids)).cte("up", recursive=True)
    step = select(up.c.org_id, p.c.parent_id, p.c.org_id, up.c.depth + 1).join(p, p.c.org_id == up.c.ancestor_id).where(up.c.depth < MAX_DEPTH)
    up = up.union_all(step)
    rows = select(func.coalesce(up.c.ancestor_id, orm.ABOVE_THE_ROOTS), up.c.org_id, up.c.child_id)
    return insert(orm.org_ancestry).from_select(["ancestor_id", "org_id", "child_id"], rows).on_conflict_do_nothing()


def branches_kept(parent_id: str | None):
    """kernel.tree.branches from the kept rows: every organisation below `parent_id` (below
    nothing: every one reached from a root) with the child of `parent_id` (a root) holding it."""
    a = orm.org_ancestry.c
    above = orm.ABOVE_THE_ROOTS if parent_id is None else parent_id
    return select(a.org_id, a.child_id.label("top")).where(a.ancestor_id == above).subquery("branches")


def subtree_kept(org_id: str):
    """kernel.tree.subtree from the kept rows: the organisation and every organisation below it (`org_id`)."""
    a = orm.org_ancestry.c
    return select(literal(org_id).label("org_id")).union_all(select(a.org_id).where(a.ancestor_id == org_id)).subquery("subtree")
