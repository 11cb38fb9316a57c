"""Scheduling deliveries with an alert, and the worker that sends them, retries, and gives up.

A delivery row is written in the same transaction as its inbox alert (and so as the consumed
event's tracking row): a redelivered event schedules nothing twice. The worker sends each due
delivery under a row lock, records the outcome and its `alert.delivered` / `alert.failed` event in
one transaction. A crash between a send and that record re-sends (at least once on channels we do
not own; e-mails carry the alert id as Message-ID and webhooks as Idempotency-Key for that case).
"""

import random
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from prometheus_client import Counter, Histogram
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.logging import get_logger
from kernel.outbox import stage
from notify.adapters import orm
from notify.adapters.channels import Channel
from notify.config import NotifySettings
from notify.domain.alerts import Alert
from notify.domain.delivery import Preferences, backoff, channels_for, not_before
from talk_contracts import new_event
from talk_contracts import data as d

log = get_logger(__name__)
SENT = Counter("alerts_sent_total", "Alerts delivered", ["channel"])
RETRIED = Counter("alerts_retried_total", "Failed delivery attempts that will be retried", ["channel"])
FAILED = Counter("alerts_failed_total", "Alerts given up after the last retry (dead-letter store)", ["channel"])
LATENCY = Histogram("alert_delivery_seconds", "From the alert to its delivery", ["channel"], buckets=(0.1, 0.5, 1, 5, 30, 120, 600, 3600))
SOURCE = "urn:talk-compliance:notify"


def preferences_of(person) -> Preferences:
    if person is None:
        return Preferences()
    channels = tuple(person.channels) if person.channels is not None else Preferences().channels
    return Preferences(channels=channels, quiet_start=person.quiet_start, quiet_end=person.quiet_end)


async def deliver(session: AsyncSession, alert: Alert, settings: NotifySettings, only: tuple[str, ...] | None = None) -> bool:
    """The inbox entry and its deliveries, once per idempotency key; False when it existed already."""
    stmt = insert(orm.inbox).values(asdict(alert)).on_conflict_do_nothing(index_elements=["idempotency_key"])
    if (await session.execute(stmt.returning(orm.inbox.c.alert_id))).scalar() is None:
        return False  # this alert exists: a redelivered or replayed event
    await schedule_deliveries(session, alert, settings, datetime.now(UTC), only)
    log.info("alert in inbox", alert_id=alert.alert_id, person_id=alert.person_id, transition=alert.transition)
    return True


async def schedule_deliveries(
    session: AsyncSession, alert: Alert, settings: NotifySettings, now: datetime, only: tuple[str, ...] | None = None
) -> None:
    person = (await session.execute(select(orm.people).where(orm.people.c.person_id == alert.person_id))).first()
    if person is None:
        return  # nobody to reach beyond the inbox yet
    prefs = preferences_of(person)
    when = not_before(now, prefs, alert.transition, ZoneInfo(settings.timezone))
    # `only`: the channels this alert goes out on whatever the person's choice (the digest is an e-mail).
    chosen = replace(prefs, channels=only) if only is not None else prefs
    channels = channels_for(chosen, person.email, person.phone, bool(settings.webhook_url))
    channels = [c for c in channels if c != "email" or settings.smtp_host]
    if channels:
        rows = [
            {"delivery_id": f"{alert.alert_id}:{c}", "alert_id": alert.alert_id, "person_id": alert.person_id,
             "channel": c, "status": "pending", "next_attempt_at": when}
            for c in channels
        ]  # fmt: skip
        await session.execute(insert(orm.deliveries).values(rows).on_conflict_do_nothing())


class DeliveryWorker:
    def __init__(
        self,
        sessions: async_sessionmaker,
        settings: NotifySettings,
        channels: dict[str, Channel],
        rand: Callable[[], float] | None = None,
    ):
        self.sessions = sessions
        self.settings = settings
        self.channels = channels
        self.rand = rand or random.random  # injectable for tests of the back-off

    async def run_once(self, now: datetime, limit: int = 50) -> int:
        """Attempt every delivery due at `now`; returns how many were attempted."""
        dl = orm.deliveries
        async with self.sessions() as session, session.begin():
            due = (
                await session.execute(
                    select(dl, orm.inbox.c.title, orm.inbox.c.body, orm.inbox.c.obligation_id, orm.inbox.c.created_at.label("alerted_at"))
                    .join(orm.inbox, orm.inbox.c.alert_id == dl.c.alert_id)
                    .where(dl.c.status == "pending", dl.c.next_attempt_at <= now)
                    .order_by(dl.c.next_attempt_at)
                    .limit(limit)
                    .with_for_update(of=dl, skip_locked=True)
                )
            ).all()
            for row in due:
                await self._attempt(session, row, now)
        return len(due)

    async def _attempt(self, session: AsyncSession, row, now: datetime) -> None:
        dl = orm.deliveries
        person = (await session.execute(select(orm.people).where(orm.people.c.person_id == row.person_id))).first()
        alert = {"alert_id": row.alert_id, "title": row.title, "body": row.body, "obligation_id": row.obligation_id}
        started = time.perf_counter()
        try:
            await self.channels[row.channel].send(alert, dict(person._mapping))
        except Exception as exc:  # any failure of a channel: retry, then give up
            attempts = row.attempts + 1
            error = f"{type(exc).__name__}: {exc}"[:2000]
            if attempts >= self.settings.max_attempts:
                await session.execute(update(dl).where(dl.c.delivery_id == row.delivery_id).values(status="dead", attempts=attempts, last_error=error))
                await self._outcome(session, "alert.failed.v1", row, error)
                FAILED.labels(row.channel).inc()
                log.error("alert given up; in the dead-letter store", delivery_id=row.delivery_id, error=error)
            else:
                wait = backoff(attempts, self.settings.backoff_base_s, self.settings.backoff_cap_s, self.rand)
                await session.execute(
                    update(dl).where(dl.c.delivery_id == row.delivery_id).values(attempts=attempts, last_error=error, next_attempt_at=now + wait)
                )
                RETRIED.labels(row.channel).inc()
                log.warning("alert delivery failed; will retry", delivery_id=row.delivery_id, attempt=attempts, retry_in_s=round(wait.total_seconds(), 1), error=error)
            return
        await session.execute(
            update(dl).where(dl.c.delivery_id == row.delivery_id).values(status="sent", attempts=row.attempts + 1, sent_at=now, last_error=None)
        )
        await self._outcome(session, "alert.delivered.v1", row, None)
        SENT.labels(row.channel).inc()
        LATENCY.labels(row.channel).observe(max((now - row.alerted_at).total_seconds(), time.perf_counter() - started))
        log.info("alert delivered", delivery_id=row.delivery_id, channel=row.channel, person_id=row.person_id)

    async def _outcome(self, session: AsyncSession, type_name: str, row, reason: str | None) -> None:
        data = d.AlertOutcome(alert_id=row.alert_id, obligation_id=row.obligation_id, person_id=row.person_id, channel=row.channel, reason=reason)
        await stage(session, orm.outbox, self.settings, [new_event(type_name, data, source=SOURCE, subject=row.person_id)])


async def replay_dead(sessions: async_sessionmaker, delivery_id: str | None, now: datetime) -> list[str]:
    """Put dead deliveries (one, or all with None) back in the queue for a fresh round of attempts."""
    dl = orm.deliveries
    where = [dl.c.status == "dead"] + ([dl.c.delivery_id == delivery_id] if delivery_id else [])
    async with sessions() as session, session.begin():
        rows = await session.execute(
            update(dl).where(*where).values(status="pending", attempts=0, next_attempt_at=now).returning(dl.c.delivery_id)
        )
        return list(rows.scalars())

