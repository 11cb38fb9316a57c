"""Periodic work that must run once per deployment, not once per instance (the life-cycle tick,
reminders, digests): the instance holding a PostgreSQL advisory lock leads. The lock lives on a
connection of its own, so it is released the moment its holder dies or loses the database, and the
next instance to ask takes it over."""

import asyncio

import asyncpg

from kernel.logging import get_logger

log = get_logger(__name__)


class Leadership:
    def __init__(self, dsn: str, name: str):
        self._dsn, self.name = dsn, name
        self._connection: asyncpg.Connection | None = None
        self._leading = False
        self._asking = asyncio.Lock()  # one service's periodic works ask on the one connection

    async def leads(self) -> bool:
        """Whether this instance leads now; asks for the lock again whenever it does not hold it."""
        async with self._asking:
            return await self._ask()

    async def _ask(self) -> bool:
        try:
            if self._connection is None or self._connection.is_closed():
                self._leading = False
                self._connection = await asyncpg.connect(self._dsn)
            if not self._leading:
                self._leading = await self._connection.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"leader:{self.name}")
                if self._leading:
                    log.info("leading", lock=self.name)
            else:
                await self._connection.fetchval("SELECT 1")  # still connected, so still holding it
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError) as exc:
            # a connection terminated under it may fail with any of these: whether the lock is still
            # held is unknown, so this instance does not lead until it has asked again
            if self._leading:
                log.warning("no longer leading: the lock's connection is lost", lock=self.name, error=str(exc))
            self._leading = False
            await self.stop()
        return self._leading

    async def stop(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            try:
                await self._connection.close(timeout=2)  # the lock goes with it
            except Exception:  # a broken connection: dropped without a goodbye, the lock goes all the same
                self._connection.terminate()
        self._connection = None
