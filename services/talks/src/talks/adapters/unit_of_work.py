"""The SQL unit of work (ports `UnitOfWork`, `UnitsOfWork`): one session and its transaction, with
every repository bound to it and the outbox staged in it, so a use case's rows and the events they
cause commit together or not at all (a crash between them cannot lose an event: kernel.outbox)."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.db import make_engine, make_sessionmaker
from kernel.outbox import stage
from kernel.settings import CommonSettings
from talk_contracts import CloudEvent
from talks.adapters import orm
from talks.adapters.audit import SqlAuditLog
from talks.adapters.directory import SqlDirectory, SqlObligations
from talks.adapters.follow_ups import SqlFollowUps
from talks.adapters.requests import SqlMeetings, SqlTalkRequests
from talks.adapters.talk_records import SqlTalkRecords


class SqlOutbox:
    def __init__(self, session: AsyncSession, settings: CommonSettings):
        self._session, self._settings = session, settings

    async def stage(self, events: Sequence[CloudEvent]) -> None:
        await stage(self._session, orm.outbox, self._settings, events)


class SqlUnitOfWork:
    """The repositories over one session; the session's transaction is its caller's."""

    def __init__(self, session: AsyncSession, settings: CommonSettings):
        self.directory = SqlDirectory(session)
        self.talks = SqlTalkRecords(session)
        self.follow_ups = SqlFollowUps(session)
        self.requests = SqlTalkRequests(session)
        self.meetings = SqlMeetings(session)
        self.obligations = SqlObligations(session)
        self.audit = SqlAuditLog(session)
        self.outbox = SqlOutbox(session, settings)


@dataclass(frozen=True)
class SqlUnitsOfWork:
    """`async with units() as uow:` a new session in a transaction that commits when the block ends
    and rolls back when it raises."""

    sessions: async_sessionmaker
    settings: CommonSettings

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.sessions() as session, session.begin():
            yield SqlUnitOfWork(session, self.settings)


@asynccontextmanager
async def standalone_units(settings: CommonSettings) -> AsyncIterator[SqlUnitsOfWork]:
    """Units of work on a database engine of their own, for a command run beside the service
    (`python -m talks rotate-keys`); the engine is disposed of when the block ends."""
    engine = make_engine(settings.asyncpg_url())
    try:
        yield SqlUnitsOfWork(make_sessionmaker(engine), settings)
    finally:
        await engine.dispose()
