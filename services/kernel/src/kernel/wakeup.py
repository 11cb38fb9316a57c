"""Waking a relay when there is work instead of polling for it: the transaction that stages outbox
rows also sends a PostgreSQL NOTIFY on the outbox's channel (delivered only if it commits), and the
relay LISTENs on one connection of its own. Should that connection drop, the relay still looks every
`fallback_s` (and at once after reconnecting), so nothing waits longer than that."""

import asyncio
from collections.abc import Callable

import asyncpg
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.logging import get_logger

log = get_logger(__name__)
RECONNECT_S = 2.0


def channel_of(outbox: Table) -> str:
    return f"outbox_{outbox.schema}"


async def announce(session: AsyncSession, channel: str) -> None:
    """Inside the transaction that made work: its listeners hear of it when (and only if) it commits."""
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})


async def announce_staged(session: AsyncSession, outbox: Table) -> None:
    await announce(session, channel_of(outbox))


class Wakeup:
    def __init__(self, dsn: str, channel: str):
        self._dsn, self._channel = dsn, channel
        self._event = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name=f"listen-{self._channel}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def clear(self) -> None:
        """Before looking for work: a NOTIFY from then on wakes the next `wait`."""
        self._event.clear()

    async def wait(self, fallback_s: float) -> None:
        try:
            await asyncio.wait_for(self._event.wait(), fallback_s)
        except TimeoutError:
            pass

    async def _listen(self) -> None:
        await listen(self._dsn, self._channel, heard=lambda _: self._event.set(), connected=self._event.set)


async def listen(dsn: str, channel: str, *, heard: Callable[[str], None], connected: Callable[[], None]) -> None:
    """LISTEN on `channel` for as long as the calling task runs, on a connection of its own:
    `heard(payload)` for each NOTIFY, `connected()` each time the connection is made (what was sent
    while it was down was not heard); after a loss it connects again."""
    while True:
        try:
            connection = await asyncpg.connect(dsn)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("cannot LISTEN; will try again", channel=channel, error=str(exc))
            await asyncio.sleep(RECONNECT_S)
            continue
        try:
            await connection.add_listener(channel, lambda _conn, _pid, _channel, payload: heard(payload))
            connected()
            while not connection.is_closed():
                await asyncio.sleep(RECONNECT_S)
            log.warning("LISTEN connection lost; reconnecting", channel=channel)
        finally:
            if not connection.is_closed():
                await connection.close()
