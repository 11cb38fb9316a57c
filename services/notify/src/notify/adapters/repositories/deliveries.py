"""Deliveries beyond the inbox: one row per alert and channel, pending until sent or dead."""

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.bulk import arrays, unnested
from kernel.wakeup import announce
from notify.adapters import orm
from notify.adapters.repositories import record
from notify.application.records import DeadLetter, DueDelivery
from notify.domain.alerts import Alert

dl, i = orm.deliveries, orm.inbox
PENDING, SENT, DEAD = "pending", "sent", "dead"
# Delivery workers LISTEN here: a transaction that makes deliveries due wakes them when it commits.
DUE_CHANNEL = "notify_deliveries_due"


@cache
def _scheduled(columns: tuple[str, ...]):
    return unnested(dl, columns).on_conflict_do_nothing()


class SqlDeliveries:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def schedule(self, plans: Sequence[tuple[Alert, Sequence[str], datetime, str | None]]) -> None:
        rows = [
            {"delivery_id": f"{alert.alert_id}:{c}", "alert_id": alert.alert_id, "person_id": alert.person_id,
             "channel": c, "status": PENDING, "next_attempt_at": not_before, "traceparent": traceparent}
            for alert, channels, not_before, traceparent in plans
            for c in channels
        ]  # fmt: skip
        if rows:
            await self.session.execute(_scheduled(tuple(rows[0])), arrays(dl, rows))
            await announce(self.session, DUE_CHANNEL)

    async def due(self, now: datetime, limit: int) -> list[DueDelivery]:
        stmt = (
            select(dl, i.c.title, i.c.obligation_id, i.c.created_at.label("alerted_at"))
            .join(i, i.c.alert_id == dl.c.alert_id)
            .where(dl.c.status == PENDING, dl.c.next_attempt_at <= now)
            .order_by(dl.c.next_attempt_at)
            .limit(limit)
            .with_for_update(of=dl, skip_locked=True)
        )
        return [record(DueDelivery, row) for row in await self.session.execute(stmt)]

    async def sent(self, delivery_id: str, attempts: int, at: datetime) -> None:
        await self._set(delivery_id, status=SENT, attempts=attempts, sent_at=at, last_error=None)

    async def retry(self, delivery_id: str, attempts: int, error: str, at: datetime) -> None:
        await self._set(delivery_id, attempts=attempts, last_error=error, next_attempt_at=at)

    async def give_up(self, delivery_id: str, attempts: int, error: str) -> None:
        await self._set(delivery_id, status=DEAD, attempts=attempts, last_error=error)

    async def _set(self, delivery_id: str, **values: object) -> None:
        await self.session.execute(update(dl).where(dl.c.delivery_id == delivery_id).values(**values))

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        stmt = select(dl, i.c.title).join(i, i.c.alert_id == dl.c.alert_id).where(dl.c.status == DEAD).order_by(dl.c.created_at).limit(limit)
        return [record(DeadLetter, row) for row in await self.session.execute(stmt)]

    async def revive(self, delivery_id: str | None, now: datetime) -> list[str]:
        where = [dl.c.status == DEAD] + ([dl.c.delivery_id == delivery_id] if delivery_id else [])
        stmt = update(dl).where(*where).values(status=PENDING, attempts=0, next_attempt_at=now).returning(dl.c.delivery_id)
        revived = list((await self.session.execute(stmt)).scalars())
        if revived:
            await announce(self.session, DUE_CHANNEL)
        return revived
