"""Many rows written in one statement whose SQL does not depend on how many there are.

`insert(t).values([row, row, …])` renders a parameter per value, so SQLAlchemy compiles a new
statement for each batch size and PostgreSQL parses one: at 1,500 sanctions a second that compile
was a fifth to a third of the registry's, notify's and talks' CPU. Over arrays (`unnest`), the
statement is the same for every batch: compiled once, prepared once, one parameter per column."""

from sqlalchemy import Integer, Table, bindparam, func, select, types
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.sql.elements import Grouping


def unnested(table: Table, rows: list[dict]):
    """INSERT of the rows (dicts with the same keys) as one statement over arrays; chain
    `on_conflict_…` and `returning` as on any PostgreSQL insert. An array column (an obligation's
    `paths`) cannot be a column of arrays (PostgreSQL's arrays of arrays are rectangular and unnest
    into their elements): its rows' arrays go end to end in one array, each row taking its slice."""
    columns = list(rows[0])
    if any(len(r) != len(columns) for r in rows):  # a key missing raises below; one more would be dropped
        raise ValueError(f"rows for {table.name} do not all have the columns {columns}")
    arrays, slices = [], {}
    for c in columns:
        if isinstance(table.c[c].type, types.ARRAY):
            flat, bounds = _end_to_end([r[c] for r in rows])
            slices[c] = Grouping(bindparam(None, flat, type_=table.c[c].type))
            arrays += [bindparam(None, bounds[0], type_=ARRAY(Integer)), bindparam(None, bounds[1], type_=ARRAY(Integer))]
        else:
            arrays.append(bindparam(None, [r[c] for r in rows], type_=ARRAY(table.c[c].type)))
    names = [n for c in columns for n in ((f"{c}_from", f"{c}_to") if c in slices else (c,))]
    v = func.unnest(*arrays).table_valued(*names).render_derived(name="v").c
    values = [slices[c][v[f"{c}_from"] : v[f"{c}_to"]] if c in slices else v[c] for c in columns]
    return insert(table).from_select(columns, select(*values))


def _end_to_end(arrays: list) -> tuple[list, tuple[list[int], list[int]]]:
    """The arrays in one, and each one's first and last position in it (1-based, as PostgreSQL's
    slices count; an empty array's last comes before its first, and its slice is empty)."""
    flat: list = []
    firsts, lasts = [], []
    for array in arrays:
        if array is None:
            raise ValueError("an array column's value is None: give an empty array")
        firsts.append(len(flat) + 1)
        flat.extend(array)
        lasts.append(len(flat))
    return flat, (firsts, lasts)
