"""Many rows written in one statement whose SQL depends neither on how many there are nor on their
values: built once per table and columns, run with the rows as parameters.

`insert(t).values([row, row, …])` renders a parameter per value, so SQLAlchemy compiles a new
statement for each batch size and PostgreSQL parses one: at 1,500 sanctions a second that compile
was a fifth to a third of the registry's, notify's and talks' CPU. Over arrays (`unnest`), the
statement is the same for every batch: compiled once, prepared once, one parameter per column.
And built once (`unnested` is cached; so are the upserts its callers chain on it): building the
statement anew for each batch, its derived table's columns and bound parameters, was a third of a
live batch's CPU in compliance (py-spy, batches of 25), more than running it.

    stmt = unnested(orm.things, ("id", "n"))           # once per process, whatever the rows
    await conn.execute(stmt, arrays(orm.things, rows))  # rows: dicts with those keys
    await conn.execute(*inserted(orm.things, rows))     # the same, its columns the rows' keys
    await conn.execute(*upserted(orm.things, rows, "id"))  # a row there by its id updated instead

A caller that chains more caches it, its columns taken from the rows (`tuple(rows[0])`), never
written out beside them: `arrays` gives a parameter for every key, and one the statement does not
name would be ignored, its column silently not written.
"""

from functools import cache

from sqlalchemy import Integer, Table, bindparam, func, select, types
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
from sqlalchemy.sql.elements import Grouping


@cache
def unnested(table: Table, columns: tuple[str, ...]) -> Insert:
    """INSERT of rows with these columns as one statement over arrays, its parameters given by
    `arrays`; chain `on_conflict_…` and `returning` as on any PostgreSQL insert (cache what you
    chain: `functools.cache` on a function building it). An array column (an obligation's `paths`)
    cannot be a column of arrays (PostgreSQL's arrays of arrays are rectangular and unnest into
    their elements): its rows' arrays go end to end in one array, each row taking its slice."""
    arrays, slices = [], {}
    for c in columns:
        if _is_array(table, c):
            slices[c] = Grouping(bindparam(_key(c), type_=table.c[c].type))
            arrays += [bindparam(_key(c, "from"), type_=ARRAY(Integer)), bindparam(_key(c, "to"), type_=ARRAY(Integer))]
        else:
            arrays.append(bindparam(_key(c), type_=ARRAY(table.c[c].type)))
    names = [n for c in columns for n in ((f"{c}_from", f"{c}_to") if c in slices else (c,))]
    v = func.unnest(*arrays).table_valued(*names).render_derived(name="v").c
    values = [slices[c][v[f"{c}_from"] : v[f"{c}_to"]] if c in slices else v[c] for c in columns]
    return insert(table).from_select(list(columns), select(*values))


def inserted(table: Table, rows: list[dict]) -> tuple[Insert, dict]:
    """The rows' plain insert and its parameters: `await conn.execute(*inserted(table, rows))`."""
    return unnested(table, tuple(rows[0])), arrays(table, rows)


def upserted(table: Table, rows: list[dict], key: str) -> tuple[Insert, dict]:
    """As `inserted`, a row already there (by the unique column `key`) updated to the new row's other
    columns: `await conn.execute(*upserted(table, rows, key))`."""
    return _upsert(table, tuple(rows[0]), key), arrays(table, rows)


@cache
def _upsert(table: Table, columns: tuple[str, ...], key: str) -> Insert:
    stmt = unnested(table, columns)
    return stmt.on_conflict_do_update(index_elements=[key], set_={c: stmt.excluded[c] for c in columns if c != key})


def arrays(table: Table, rows: list[dict]) -> dict:
    """The parameters of `unnested(table, columns)` for these rows (dicts with those keys)."""
    columns = list(rows[0])
    if any(len(r) != len(columns) for r in rows):  # a key missing raises below; one more would be dropped
        raise ValueError(f"rows for {table.name} do not all have the columns {columns}")
    params = {}
    for c in columns:
        if _is_array(table, c):
            params[_key(c)], (params[_key(c, "from")], params[_key(c, "to")]) = _end_to_end([r[c] for r in rows])
        else:
            params[_key(c)] = [r[c] for r in rows]
    return params


def _is_array(table: Table, column: str) -> bool:
    return isinstance(table.c[column].type, types.ARRAY)


def _key(column: str, end: str = "") -> str:
    # Prefixed: the statement a caller chains (a WHERE on an upsert) may name its own parameters.
    return f"u_{column}_{end}" if end else f"u_{column}"


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
