"""The dashboard's live feed on the real PostgreSQL: a committed change is heard, folded; a rolled-back
one is not; a quiet feed says so (the event stream's keep-alive)."""

import asyncio

from compliance.adapters.change_feed import ChangeFeed, announce
from kernel.settings import asyncpg_dsn


async def _next_change(changes) -> dict | None:
    """The next item that is not a reconnect's resync."""
    while True:
        item = await asyncio.wait_for(anext(changes), 10)
        if not (item and item.get("resync")):
            return item


async def test_committed_changes_are_heard_folded_and_rolled_back_ones_never(engine, integration_database_url):
    feed = ChangeFeed(asyncpg_dsn(integration_database_url), fold_s=0.3)
    await feed.start()
    try:
        changes = feed.changes(quiet_s=1.0)
        assert await _next_change(changes) is None  # quiet: a keep-alive, the feed is listening

        async with engine.begin() as conn:
            await announce(conn, obligations=2, talks=0)
            await announce(conn, obligations=1, talks=1)
        async with engine.connect() as conn:
            transaction = await conn.begin()
            await announce(conn, obligations=100, talks=100)
            await transaction.rollback()

        assert await _next_change(changes) == {"obligations": 3, "talks": 1}
        assert await _next_change(changes) is None  # and nothing of the rolled-back 100
        await changes.aclose()
    finally:
        await feed.stop()
