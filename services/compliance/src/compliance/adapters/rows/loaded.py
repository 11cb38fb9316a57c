"""Which keys a store holds completely."""

from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import DateTime, Select, Table, Text, any_, bindparam, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.domain.view import NotLoaded
from kernel.bulk import arrays, unnested
from kernel.driver import as_sqlalchemy_errors, driver_of, translated_schema

# What a store's changes write, taken when it was made: the rows may change again before it runs
# (a replay writes one batch while deciding the next: adapters.write_behind).
Write = Callable[[AsyncConnection], Awaitable[None]]


async def copied(conn: AsyncConnection, table: Table, columns: Sequence[str], records: Sequence[tuple]) -> None:
    """Rows known to be new written with COPY (binary): where no row can already be there (a
    replay's kept rows, adapters.unit_of_work.replay_units_of_work) or the table only grows.
    Several times cheaper than an INSERT of the same rows, on both sides of the connection; a
    table's defaults fill the columns not given."""
    if not records:
        return
    schema = translated_schema(conn, table.schema)
    driver = await driver_of(conn, f"COPY into {table.name}")
    with as_sqlalchemy_errors(driver, f"COPY {table.name}"):
        await driver.copy_records_to_table(table.name, schema_name=schema, columns=list(columns), records=records)


async def added(conn: AsyncConnection, table: Table, columns: Sequence[str], records: Sequence[tuple], *, none_there: bool) -> None:
    """Rows to add, any already in the table skipped (ON CONFLICT DO NOTHING); copied where the
    caller knows none can be there (`none_there`: its rows are kept whole, see `copied`)."""
    if not records:
        return
    if none_there:
        await copied(conn, table, columns, records)
        return
    await conn.execute(_added(table, tuple(columns)), arrays(table, [dict(zip(columns, r, strict=True)) for r in records]))


@cache
def _added(table: Table, columns: tuple[str, ...]):
    return unnested(table, columns).on_conflict_do_nothing()


def among(column, values: Iterable):
    """`column IN (values)` as one array parameter (`= ANY`): a batch asks for thousands of ids, and
    an IN list of thousands costs more to render than the query costs to run."""
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))


def any_of(column, name: str):
    """`among` for a statement built once (cached; kernel.bulk says why): `column = ANY(:name)`,
    the array given as the parameter `name` when it is run."""
    return column == any_(bindparam(name, type_=ARRAY(column.type)))


def each_since(key: str, rows_of: Callable[[Any], Select]) -> Select:
    """For each key, the rows `rows_of(w)` selects for it, where `w.c[key]` and `w.c.since` are
    that key and its instant (the parameters `keys_since` gives): each key from its own instant, for
    a batch's oldest instant must not pull every other key's history. Build it once (cached).

    Each key's rows are a LATERAL subquery with OFFSET 0, which PostgreSQL never flattens into a
    join, so it is an index range per key. Flattened, the planner hashes the whole table (with a
    growing table's stale statistics, 40 ms for 100 people instead of 4)."""
    w = func.unnest(bindparam("keys", type_=ARRAY(Text)), bindparam("since", type_=ARRAY(DateTime(timezone=True))))
    return _each(w.table_valued(key, "since").render_derived(name="w"), rows_of)


def keys_since(instants: dict[str, datetime]) -> dict:
    """The parameters of an `each_since` statement: each key with its instant."""
    keys, since = zip(*instants.items(), strict=True)
    return {"keys": list(keys), "since": list(since)}


def each_of(key: str, rows_of: Callable[[Any], Select]) -> Select:
    """For each key (the parameter `keys`), the rows `rows_of(w)` selects for it, where `w.c[key]`
    is that key: as `each_since`, an index probe per key whatever the statistics say. For a column
    of few rows per value that PostgreSQL has no statistics of yet (a growing table not analyzed
    since), whose `= ANY(…)` of a hundred keys it plans as a scan of the whole table."""
    w = func.unnest(bindparam("keys", type_=ARRAY(Text))).table_valued(key).render_derived(name="w")
    return _each(w, rows_of)


def _each(w, rows_of: Callable[[Any], Select]) -> Select:
    theirs = rows_of(w).offset(0).lateral("theirs")
    return select(theirs).select_from(w).join(theirs, true())


class Loaded:
    def __init__(self, kind: str, complete: bool):
        self.kind, self.complete = kind, complete
        self._keys: set[Hashable] = set()

    def need(self, key: Hashable) -> None:
        if not self.complete and key not in self._keys:
            raise NotLoaded(self.kind, key)

    def has(self, key: Hashable) -> bool:
        return self.complete or key in self._keys

    def missing(self, keys: Iterable[Hashable]) -> list:
        return [] if self.complete else [k for k in dict.fromkeys(keys) if k not in self._keys]

    def add(self, keys: Iterable[Hashable]) -> None:
        self._keys.update(keys)
