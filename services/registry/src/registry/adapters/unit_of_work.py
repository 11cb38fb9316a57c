"""The intake's unit of work: one session, one transaction, the repositories sharing it.

Leaving the block without `commit()` (a refused batch, an error, a read-only check) rolls back
everything, the recorded ids included: the intake is all or nothing.
"""

from typing import Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.settings import CommonSettings
from registry.adapters.repositories import AcceptedEventsTable, OutboxTable, RegistryTables


class SqlIntakeUnitOfWork:
    def __init__(self, sessions: async_sessionmaker, settings: CommonSettings):
        self._sessions = sessions
        self._settings = settings
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self.accepted = AcceptedEventsTable(self._session)
        self.registry = RegistryTables(self._session)
        self.outbox = OutboxTable(self._session, self._settings)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._session.close()  # rolls back what was not committed

    async def lock_intake(self) -> None:
        await self._session.execute(text("SELECT pg_advisory_xact_lock(hashtext('registry-intake'))"))

    async def commit(self) -> None:
        await self._session.commit()
