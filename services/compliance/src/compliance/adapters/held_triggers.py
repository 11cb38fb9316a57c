"""Triggers about people still unknown past the limit: reported (metric and dead letter), never dropped.

They stay held, and are applied if the person arrives after all; the report is made once.
"""

import json
from datetime import datetime, timedelta

from prometheus_client import Counter
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from compliance.adapters import orm
from kernel.logging import get_logger
from kernel.outbox import stage_raw
from kernel.settings import CommonSettings
from talk_contracts import dlq_topic, event_type

log = get_logger(__name__)
HELD_TOO_LONG = Counter("held_triggers_unknown_subject_total", "Triggers whose subject is still unknown past the limit")


async def report_held_too_long(sessions: async_sessionmaker, settings: CommonSettings, limit: timedelta, now: datetime) -> int:
    async with sessions() as session, session.begin():
        rows = await held_too_long(session, now - limit)
        for row in rows:
            type_name = json.loads(row.payload)["type"]
            topic = settings.topic(event_type(type_name).topic.value)
            reason = f"subject {row.person_id} still unknown after {limit}; the trigger stays held"
            await stage_raw(
                session,
                orm.outbox,
                topic=dlq_topic(topic),
                key=row.person_id,
                event_id=row.event_id,
                event_type=type_name,
                payload=row.payload.encode(),
                headers={"dlq-reason": reason, "dlq-consumer": "compliance"},
            )
            await mark_reported(session, row.event_id, row.person_id, now)
            HELD_TOO_LONG.inc()
            log.warning("held trigger reported", held_event_id=row.event_id, person_id=row.person_id)
    return len(rows)


async def held_too_long(session: AsyncSession, before: datetime) -> list:
    """Held since before `before` and not reported yet, oldest first (locked; another tick skips them)."""
    h = orm.held_events
    stmt = select(h).where(h.c.reported_at.is_(None), h.c.held_at < before).order_by(h.c.held_at)
    return (await session.execute(stmt.with_for_update(skip_locked=True))).all()


async def mark_reported(session: AsyncSession, event_id: str, person_id: str, at: datetime) -> None:
    h = orm.held_events
    await session.execute(update(h).where(h.c.event_id == event_id, h.c.person_id == person_id).values(reported_at=at))
