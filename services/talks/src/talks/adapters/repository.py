"""What the SQL repositories share: the unit of work's session, and rows handed out as plain dicts
keyed by column name (the application never sees a SQLAlchemy row)."""

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncSession


class SqlRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def _execute(self, statement: Executable, parameters: list[dict] | None = None) -> None:
        await self._session.execute(statement, parameters)

    async def _all(self, statement: Executable) -> list[dict]:
        return [dict(r._mapping) for r in await self._session.execute(statement)]

    async def _first(self, statement: Executable) -> dict | None:
        row = (await self._session.execute(statement)).first()
        return None if row is None else dict(row._mapping)

    async def _pairs(self, statement: Executable) -> list[tuple]:
        """Rows of a two-column select as (first, second) tuples."""
        return [tuple(r) for r in await self._session.execute(statement)]

    async def _scalars(self, statement: Executable) -> list:
        """The first column of every row."""
        return list((await self._session.execute(statement)).scalars())
