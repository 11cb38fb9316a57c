"""Many rows written in one statement whose SQL does not depend on how many there are.

`insert(t).values([row, row, …])` renders a parameter per value, so SQLAlchemy compiles a new
statement for each batch size and PostgreSQL parses one: at 1,500 sanctions a second that compile
was a fifth to a third of the registry's, notify's and talks' CPU. Over arrays (`unnest`), the
statement is the same for every batch: compiled once, prepared once, one parameter per column."""

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, insert


def unnested(table: Table, rows: list[dict]):
    """INSERT of the rows (dicts with the same keys) as one statement over arrays; chain
    `on_conflict_…` and `returning` as on any PostgreSQL insert. For scalar columns only: an array
    of arrays does not unnest into rows of arrays."""
    columns = list(rows[0])
    if any(len(r) != len(columns) for r in rows):  # a key missing raises below; one more would be dropped
        raise ValueError(f"rows for {table.name} do not all have the columns {columns}")
    arrays = [bindparam(None, [r[c] for r in rows], type_=ARRAY(table.c[c].type)) for c in columns]
    source = func.unnest(*arrays).table_valued(*columns).render_derived(name="v")
    return insert(table).from_select(columns, select(*(source.c[c] for c in columns)))
