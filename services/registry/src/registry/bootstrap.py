"""The one place that wires the registry: the runtime (database, broker, outbox relay), the adapters
behind the application's ports, and the entrypoints handed them. Outside the layers, it may import
them all; nothing in the layers imports it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI

from kernel.db import make_engine, make_sessionmaker, migrate
from kernel.runtime import Runtime
from registry.adapters import orm
from registry.adapters.queries import SqlRegistryReads
from registry.adapters.unit_of_work import SqlIntakeUnitOfWork
from registry.application.ports import Ports, UnitOfWorkFactory
from registry.config import RegistrySettings
from registry.entrypoints.app import create_app

MIGRATIONS = "registry.adapters.migrations"


def bootstrap(settings: RegistrySettings | None = None) -> FastAPI:
    """The registry service as an HTTP app; its runtime starts and stops with it."""
    settings = settings or RegistrySettings()
    runtime = Runtime(settings, service="registry", metadata=orm.metadata, migrations=MIGRATIONS)
    ports = Ports(intake=partial(SqlIntakeUnitOfWork, runtime.sessions, settings), reads=SqlRegistryReads(runtime.sessions))
    return create_app(runtime, ports)


@asynccontextmanager
async def standalone(settings: RegistrySettings) -> AsyncIterator[UnitOfWorkFactory]:
    """For a command run beside the service (the CSV import): a database connection of its own, the
    schema migrated first, closed afterwards."""
    engine = make_engine(settings.asyncpg_url())
    try:
        await migrate(engine, MIGRATIONS, orm.SCHEMA)
        yield partial(SqlIntakeUnitOfWork, make_sessionmaker(engine), settings)
    finally:
        await engine.dispose()
