"""The database wiring: one async engine per service, its schema migrated at start-up."""

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine


def is_infrastructure_error(exc: BaseException) -> bool:
    """The database or the network being away, not the work at hand: a consumer retries its whole
    batch rather than dead-letter an event, a request is answered 503 (kernel.db_errors)."""
    if isinstance(exc, (OperationalError, InterfaceError, ConnectionError, OSError, TimeoutError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


# serialization_failure, deadlock_detected: the transaction lost a race with another one; the same
# work run again succeeds (consumers retry the batch, never dead-letter it for this).
RETRYABLE_SQLSTATES = {"40001", "40P01"}


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error, however wrapped (SQLAlchemy around asyncpg, or asyncpg)."""
    seen: BaseException | None = exc
    while seen is not None:
        for candidate in (seen, getattr(seen, "orig", None)):
            code = getattr(candidate, "sqlstate", None)
            if isinstance(code, str):
                return code
        seen = seen.__cause__
    return None


def lost_a_race(exc: BaseException) -> bool:
    return sqlstate(exc) in RETRYABLE_SQLSTATES


# Sessions without PostgreSQL's JIT: a batch's bulk lookups (thousands of keys, each an index range)
# are estimated costly enough to be compiled, and compiling took 170 ms of a query that runs in 20.
# And with random_page_cost 1.1, PostgreSQL's advice for data on SSD or in memory: at the default 4
# a lookup of a live batch's 100 people (`person_id = ANY(…)`) is planned as a scan of the whole
# table rather than 100 probes of its key (on a 20,000-row table of that shape 2.1 ms against 0.18,
# growing with the city); the county's first 20,000 events in batches of 100, under the profiler,
# went from 806-1,118 to 1,416-1,467 events/s.
# And a plan made for each execution, never the generic one PostgreSQL switches a prepared statement
# to after five (asyncpg prepares every statement): planned without the batch's arrays, from the
# statistics of whenever the table was last analyzed (often nearly empty), the generic plan of a
# person's talks looked up by `unnest` scanned the whole table per person, and stayed so as the table
# grew. The county's year applied live with its coverage kept (500 events a batch, tables analyzed
# after the registry loaded): 1,548-1,606 events/s with generic plans, 3,868-3,911 without. Planning
# each time costs a few per cent on small steady batches (sanctions, 50 a batch: 2,215 → 2,146).
SERVER_SETTINGS = {"jit": "off", "random_page_cost": "1.1", "plan_cache_mode": "force_custom_plan"}


def make_engine(url: str, *, pool_size: int = 5) -> AsyncEngine:
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=5, pool_pre_ping=True, connect_args={"server_settings": SERVER_SETTINGS}
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(migrations_package: str, schema: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files(migrations_package)))
    cfg.attributes["schema"] = schema
    return cfg


async def migrate(engine: AsyncEngine, migrations_package: str, schema: str, revision: str = "head") -> None:
    """Bring the service's schema to the newest revision (safe with several instances starting);
    `revision`: to that one instead (a test of a migration's data step)."""

    def upgrade(connection: Connection) -> None:
        # Instances of one service starting together take turns; the lock ends with the transaction.
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": f"migrate:{schema}"})
        # Made here only when missing: CREATE SCHEMA asks for CREATE on the database even when the
        # schema exists, which a service's own role (deploy/postgres/service-roles.sql) does not have.
        if connection.execute(text("SELECT to_regnamespace(:s)"), {"s": f'"{schema}"'}).scalar() is None:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        cfg = alembic_config(migrations_package, schema)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(upgrade)
