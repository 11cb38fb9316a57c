"""A replay's writes behind its decisions.

A replay keeps every row in memory (adapters.unit_of_work.replay_units_of_work), so a batch's
decisions read nothing from the database; what remains is writing them. Written in the batch's own
transaction, the process waits on PostgreSQL for about a quarter of the replay (the county's first
100,000 events: 10.5 s of CPU in 14.3 s). Here each batch's writes run in a transaction of their
own on a connection of their own while the next batch is decided: one batch's writes at a time, in
log order, each taken from the rows when its batch ended (BatchUnitOfWork.writes).

The consumer's transaction still records the batch's events as applied (kernel.consumer), so for a
moment the database holds a batch's tracking rows before its writes. A rebuild writes into a fresh
schema that nobody reads until it is done, and anything that fails stops it (`WriteBehindFailed`):
entrypoints.replay then replays the log again from the start without writing behind, where a
failing event is isolated and skipped as the live consumer does."""

import asyncio

from sqlalchemy.ext.asyncio import async_sessionmaker

from compliance.adapters.rows.loaded import Write
from kernel.consumer import BatchAborted


class WriteBehindFailed(BatchAborted):
    """A batch's writes failed, or a batch failed after the rows in memory had moved past what the
    database holds: the replay cannot go on from here."""


class WriteBehind:
    def __init__(self, sessions: async_sessionmaker):
        self._sessions = sessions
        self._writing: asyncio.Task | None = None
        self.batches = 0  # written

    async def submit(self, write: Write) -> None:
        """Once the batch before is written (raising if it failed), start writing this one."""
        await self.drain()
        self._writing = asyncio.create_task(self._write(write))

    async def drain(self) -> None:
        """Until what was submitted is written; WriteBehindFailed if it was not."""
        writing, self._writing = self._writing, None
        if writing is None:
            return
        try:
            await writing
        except Exception as exc:
            raise WriteBehindFailed(f"a replayed batch's writes failed: {exc!r}") from exc
        self.batches += 1

    async def close(self) -> None:
        """Stop writing (after a failure elsewhere): the write under way is abandoned, rolled back."""
        writing, self._writing = self._writing, None
        if writing is not None and not writing.done():
            writing.cancel()
        if writing is not None:
            await asyncio.gather(writing, return_exceptions=True)

    async def _write(self, write: Write) -> None:
        async with self._sessions() as session, session.begin():
            conn = await session.connection()
            # SQLAlchemy begins the transaction at its first statement, and a batch's first write may
            # be a COPY on the driver (adapters.rows.loaded.copied), which must run inside it.
            await conn.exec_driver_sql("SELECT 1")
            await write(conn)


__all__ = ["WriteBehind", "WriteBehindFailed"]
