"""Telling open pages that obligations or coverage changed: PostgreSQL NOTIFY from the transaction
that changed them, LISTEN in every instance serving pages.

Why the database and not an in-process signal: the consumer that changes an obligation and the
instance holding a browser's event stream are often different processes; every instance reads the
same database, and a NOTIFY is delivered only if its transaction commits, so a page never hears of
a change that was rolled back."""

import asyncio
import json
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.wakeup import listen

CHANNEL = "compliance_changes"
KEEPALIVE_S = 15.0


async def announce(connection: AsyncConnection, *, obligations: int, talks: int) -> None:
    """Inside the changing transaction: delivered to listeners when (and only if) it commits."""
    payload = json.dumps({"obligations": obligations, "talks": talks})
    await connection.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})


class ChangeFeed:
    """One LISTEN connection per instance, fanned out to every open event stream. Bursts are folded:
    a subscriber gets at most one message per `fold_s`, carrying the sums of what it folded."""

    def __init__(self, dsn: str, fold_s: float = 0.5):
        self._dsn = dsn
        self._fold_s = fold_s
        self._queues: set[asyncio.Queue] = set()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="change-feed")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _listen(self) -> None:
        # On (re)connecting, pages hear `resync`: anything that changed while disconnected was missed.
        await listen(self._dsn, CHANNEL, heard=self._heard, connected=lambda: self._broadcast({"resync": True}))

    def _heard(self, payload: str) -> None:
        try:
            self._broadcast(json.loads(payload))
        except ValueError:
            self._broadcast({"resync": True})

    def _broadcast(self, change: dict) -> None:
        for queue in self._queues:
            queue.put_nowait(change)

    async def changes(self, quiet_s: float = KEEPALIVE_S) -> AsyncIterator[dict | None]:
        """The changes from now on, folded; None after `quiet_s` without any (a stream's keep-alive).
        Ends when the caller stops iterating."""
        queue: asyncio.Queue = asyncio.Queue()
        self._queues.add(queue)
        try:
            while True:
                try:
                    folded = await asyncio.wait_for(queue.get(), quiet_s)
                except TimeoutError:
                    yield None
                    continue
                await asyncio.sleep(self._fold_s)
                while not queue.empty():
                    folded = _fold(folded, queue.get_nowait())
                yield folded
        finally:
            self._queues.discard(queue)


def _fold(a: dict, b: dict) -> dict:
    keys = a.keys() | b.keys()
    return {k: (a.get(k, 0) or b.get(k, 0)) if k == "resync" else a.get(k, 0) + b.get(k, 0) for k in keys}
