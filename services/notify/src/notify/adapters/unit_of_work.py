"""Notify's unit of work over one SQLAlchemy session: its repositories and its outbox share the
session's transaction, so an alert, its deliveries and the events they cause commit together.

Two ways to get one: the Kafka consumer wraps its batch transaction (`for_consumer`, handed to
`Runtime.consume(unit_of_work=...)`, which also commits the events' tracking rows); everything
else opens a transaction of its own (`opener`).
"""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.outbox import stage
from kernel.settings import CommonSettings
from notify.adapters import orm
from notify.adapters.repositories.deliveries import SqlDeliveries
from notify.adapters.repositories.inbox import SqlInbox
from notify.adapters.repositories.people import SqlPeople, SqlRoles
from notify.application.ports import UnitOfWorkFactory
from talk_contracts import CloudEvent

Sessions = async_sessionmaker  # where units of work get their sessions: the service Runtime's


class SqlOutbox:
    """Events staged in the transaction (kernel.outbox); the relay publishes them after the commit."""

    def __init__(self, session: AsyncSession, settings: CommonSettings):
        self.session = session
        self.settings = settings

    async def stage(self, events: Sequence[CloudEvent]) -> None:
        await stage(self.session, orm.outbox, self.settings, events)


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession, settings: CommonSettings):
        self.people = SqlPeople(session)
        self.roles = SqlRoles(session)
        self.inbox = SqlInbox(session)
        self.deliveries = SqlDeliveries(session)
        self.outbox = SqlOutbox(session, settings)
        self.pending: list = []
        self.names: dict[str, str] = {}


def for_consumer(settings: CommonSettings) -> Callable[[AsyncSession], SqlUnitOfWork]:
    """The factory the batch consumer calls with the session of each batch's transaction."""
    return partial(SqlUnitOfWork, settings=settings)


def opener(sessions: Sessions, settings: CommonSettings) -> UnitOfWorkFactory:
    """Units of work in transactions of their own: committed when the block ends without an error."""

    @asynccontextmanager
    async def open_unit_of_work() -> AsyncIterator[SqlUnitOfWork]:
        async with sessions() as session, session.begin():
            yield SqlUnitOfWork(session, settings)

    return open_unit_of_work
