"""Held triggers past the limit (see application.held_triggers): found and marked reported."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.adapters import orm


async def held_too_long(session: AsyncSession, before: datetime) -> list:
    """Held since before `before` and not reported yet, oldest first (locked; another tick skips them)."""
    h = orm.held_events
    stmt = select(h).where(h.c.reported_at.is_(None), h.c.held_at < before).order_by(h.c.held_at)
    return (await session.execute(stmt.with_for_update(skip_locked=True))).all()


async def mark_reported(session: AsyncSession, event_id: str, person_id: str, at: datetime) -> None:
    h = orm.held_events
    await session.execute(update(h).where(h.c.event_id == event_id, h.c.person_id == person_id).values(reported_at=at))
