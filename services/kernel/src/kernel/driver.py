"""Statements run on the asyncpg connection under a SQLAlchemy one, in its transaction, past
SQLAlchemy's rows: for the few places that move tens of thousands of rows at a time, where
SQLAlchemy's row handling costs more than the database (a city's coverage: 28,000 rows read in
75 ms through the driver, 150 ms through a `Result`). Errors are raised as SQLAlchemy raises its
own, so callers handle both alike."""

from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from sqlalchemy import Executable
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection


async def driver_of(conn: AsyncConnection, what: str) -> asyncpg.Connection:
    """The asyncpg connection under `conn`, inside `conn`'s transaction."""
    driver = (await conn.get_raw_connection()).driver_connection
    # SQLAlchemy begins its transaction at its first statement: before any, a statement on the
    # driver would run outside it (a COPY would commit on its own, a read see another snapshot).
    if not driver.is_in_transaction():
        raise RuntimeError(f"{what} outside a transaction")
    return driver


@contextmanager
def as_sqlalchemy_errors(driver: asyncpg.Connection, what: str) -> Iterator[None]:
    """The database away raised as OperationalError (a consumer retries its batch, a request answers
    503; kernel.db.is_infrastructure_error), any other database error as DBAPIError with its
    SQLSTATE kept (a lost race is run again). A connection the server dropped can surface from
    asyncpg as an InternalClientError, hence the look at the connection itself."""
    try:
        yield
    except Exception as exc:
        away = (asyncpg.InterfaceError, asyncpg.InternalClientError, asyncpg.PostgresConnectionError, asyncpg.exceptions.OperatorInterventionError)
        if isinstance(exc, away) or driver.is_closed():
            raise OperationalError(what, None, exc) from exc
        if isinstance(exc, asyncpg.PostgresError):
            raise DBAPIError(what, None, exc) from exc
        raise


def translated_schema(conn: AsyncConnection, schema: str) -> str:
    """The schema that `schema` is on `conn` (a rebuild or a test translates the service's own)."""
    return (_translation(conn) or {}).get(schema, schema)


def _translation(conn: AsyncConnection) -> dict | None:
    return conn.sync_connection.get_execution_options().get("schema_translate_map")


async def fetched(conn: AsyncConnection, stmt: Executable) -> list[asyncpg.Record]:
    """The statement's rows as asyncpg gives them (tuples by position, fields by name), compiled as
    SQLAlchemy would run it on `conn` (its schema translation included)."""
    translate = _translation(conn)
    compiled = stmt.compile(
        dialect=conn.dialect, schema_translate_map=translate, render_schema_translate=bool(translate), compile_kwargs={"render_postcompile": True}
    )
    # Parameters go to asyncpg as given: a type that SQLAlchemy converts on the way (JSON, an enum
    # of Python values) would arrive unconverted, so such a statement is refused, not run wrong.
    if converted := [name for name, process in compiled._bind_processors.items() if process is not None]:
        raise TypeError(f"fetched(): parameters {converted} need SQLAlchemy's conversion; execute the statement instead")
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    driver = await driver_of(conn, "a statement on the driver")
    with as_sqlalchemy_errors(driver, str(compiled)):
        return await driver.fetch(str(compiled), *params)
