"""The worker that sends due deliveries, retries them with back-off, and gives up.

It sends each due delivery under a row lock, and records the outcome and its `alert.delivered` /
`alert.failed` event in one unit of work. A crash between a send and that record re-sends (at
least once on channels we do not own; e-mails carry the alert id as Message-ID and webhooks as
Idempotency-Key for that case).
"""

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram

from kernel import tracing
from kernel.logging import get_logger
from notify.application.ports import Channel, UnitOfWork, UnitOfWorkFactory
from notify.application.records import DueDelivery
from notify.config import NotifySettings
from notify.domain.alerts import Templates
from notify.domain.delivery import backoff
from notify.domain.people import Person
from talk_contracts import Source, new_event
from talk_contracts import data as d

log = get_logger(__name__)
SENT = Counter("alerts_sent_total", "Alerts delivered", ["channel"])
RETRIED = Counter("alerts_retried_total", "Failed delivery attempts that will be retried", ["channel"])
FAILED = Counter("alerts_failed_total", "Alerts given up after the last retry (dead-letter store)", ["channel"])
LATENCY = Histogram("alert_delivery_seconds", "From the alert to its delivery", ["channel"], buckets=(0.1, 0.5, 1, 5, 30, 120, 600, 3600))
SOURCE = Source.NOTIFY
BATCH = 50  # deliveries locked and attempted in one transaction


class DeliveryWorker:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        settings: NotifySettings,
        channels: dict[str, Channel],
        templates: Templates,
        rand: Callable[[], float] | None = None,
    ):
        self.unit_of_work = unit_of_work
        self.settings = settings
        self.channels = channels
        self.templates = templates
        self.rand = rand or random.random  # injectable for tests of the back-off

    async def run_until_idle(self) -> int:
        """Batches of due deliveries until fewer than a batch are left; returns how many were attempted."""
        attempted = 0
        while (done := await self.run_once(datetime.now(UTC))) > 0:
            attempted += done
            if done < BATCH:
                break
        return attempted

    async def run_once(self, now: datetime) -> int:
        """Attempt a batch of the deliveries due at `now`; returns how many were attempted."""
        async with self.unit_of_work() as uow:
            due = await uow.deliveries.due(now, BATCH)
            people = await uow.people.get_many({d.person_id for d in due})
            for delivery in due:
                # The send continues the trace of the event behind the alert; its outcome event too.
                with tracing.span(f"notify deliver {delivery.channel}", delivery.traceparent, **{"alert.id": delivery.alert_id}):
                    await self._attempt(uow, delivery, people[delivery.person_id], now)
        return len(due)

    async def _attempt(self, uow: UnitOfWork, delivery: DueDelivery, person: Person, now: datetime) -> None:
        # Channels outside the system carry the outside text, never the inbox's body with its names.
        outside = self.templates.outside_text(delivery.title, self.settings.talks_public_url)
        alert = {"alert_id": delivery.alert_id, "title": delivery.title, "body": outside, "obligation_id": delivery.obligation_id}
        started = time.perf_counter()
        try:
            await self.channels[delivery.channel].send(alert, person.model_dump())
        except Exception as exc:  # any failure of a channel: retry, then give up
            await self._failed(uow, delivery, now, exc)
            return
        await uow.deliveries.sent(delivery.delivery_id, delivery.attempts + 1, now)
        await self._outcome(uow, "alert.delivered.v1", delivery, None)
        SENT.labels(delivery.channel).inc()
        LATENCY.labels(delivery.channel).observe(max((now - delivery.alerted_at).total_seconds(), time.perf_counter() - started))
        log.info("alert delivered", delivery_id=delivery.delivery_id, channel=delivery.channel, person_id=delivery.person_id)

    async def _failed(self, uow: UnitOfWork, delivery: DueDelivery, now: datetime, exc: Exception) -> None:
        attempts = delivery.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if attempts >= self.settings.max_attempts:
            await uow.deliveries.give_up(delivery.delivery_id, attempts, error)
            await self._outcome(uow, "alert.failed.v1", delivery, error)
            FAILED.labels(delivery.channel).inc()
            log.error("alert given up; in the dead-letter store", delivery_id=delivery.delivery_id, error=error)
            return
        wait = backoff(attempts, self.settings.backoff_base_s, self.settings.backoff_cap_s, self.rand)
        await uow.deliveries.retry(delivery.delivery_id, attempts, error, now + wait)
        RETRIED.labels(delivery.channel).inc()
        log.warning(
            "alert delivery failed; will retry",
            delivery_id=delivery.delivery_id, attempt=attempts, retry_in_s=round(wait.total_seconds(), 1), error=error,
        )  # fmt: skip

    async def _outcome(self, uow: UnitOfWork, type_name: str, delivery: DueDelivery, reason: str | None) -> None:
        data = d.AlertOutcome(
            alert_id=delivery.alert_id, obligation_id=delivery.obligation_id, person_id=delivery.person_id,
            channel=delivery.channel, reason=reason,
        )  # fmt: skip
        await uow.outbox.stage([new_event(type_name, data, source=SOURCE, subject=delivery.person_id)])
