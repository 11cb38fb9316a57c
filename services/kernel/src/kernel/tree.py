"""The organisation tree in SQL: every service keeps an `orgs` table with `org_id` and `parent_id`.
Depth is bounded so that a cycle in bad data cannot make a query run away."""

from collections.abc import Iterable

from sqlalchemy import CTE, BindParameter, Table, any_, literal, select

MAX_DEPTH = 64


def ancestors(orgs: Table, org_ids: Iterable[str] | BindParameter, *columns: str) -> CTE:
    """The organisations and all their ancestors: `org_id`, `parent_id` and any further `columns`.
    `org_ids` an array parameter for a statement built once, its ids given when it is run."""
    o = orgs.c
    cols = [o.org_id, o.parent_id, *(o[c] for c in columns)]
    chosen = o.org_id == any_(org_ids) if isinstance(org_ids, BindParameter) else o.org_id.in_(list(org_ids))
    up = select(*cols, literal(0).label("depth")).where(chosen).cte("ancestors", recursive=True)
    step = select(*cols, (up.c.depth + 1).label("depth")).join(up, o.org_id == up.c.parent_id).where(up.c.depth < MAX_DEPTH)
    return up.union_all(step)


def subtree(orgs: Table, org_id: str) -> CTE:
    """The organisation and every organisation below it: `org_id`."""
    o = orgs.c
    down = select(o.org_id, literal(0).label("depth")).where(o.org_id == org_id).cte("subtree", recursive=True)
    step = select(o.org_id, (down.c.depth + 1).label("depth")).join(down, o.parent_id == down.c.org_id).where(down.c.depth < MAX_DEPTH)
    return down.union_all(step)


def branches(orgs: Table, parent_id: str | None) -> CTE:
    """Every organisation below `parent_id` (below nothing: every one reached from a root), with the
    child of `parent_id` (a root) whose subtree holds it: `org_id`, `top`."""
    o = orgs.c
    level = o.parent_id == parent_id if parent_id else o.parent_id.is_(None)
    down = select(o.org_id, o.org_id.label("top"), literal(0).label("depth")).where(level).cte("down", recursive=True)
    step = select(o.org_id, down.c.top, down.c.depth + 1).join(down, o.parent_id == down.c.org_id).where(down.c.depth < MAX_DEPTH)
    return down.union_all(step)
