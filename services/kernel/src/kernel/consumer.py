"""Batch consumption with exactly-once effects on at-least-once delivery.

For each batch the broker hands over:
1. every message is validated against `contracts/`; unreadable ones go to the dead-letter topic;
2. the readable ones are applied in ONE database transaction, together with a tracking row per
   event id, so a redelivered or duplicated event changes nothing;
3. the offsets are committed only after that transaction (FastStream's NACK_ON_ERROR policy:
   an exception rewinds the batch for redelivery instead of committing it).
A transaction that loses a race with another instance's (a serialization failure or a deadlock)
is run again. A projection whose decisions read facts other instances may be writing at the same
time (compliance: a talk's credits read its talker's seats while another instance applies the seat)
runs its batches SERIALIZABLE, so that instances side by side end where one instance would.
An event whose handler fails for a reason other than the database or broker being unreachable is
isolated: the batch is re-applied one event per transaction, and the poison event dead-lettered.
"""

import asyncio
import collections
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import structlog
from aiokafka import AIOKafkaProducer, ConsumerRecord
from prometheus_client import Counter, Histogram
from sqlalchemy import Table, Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel import tracing
from kernel.db import is_infrastructure_error, lost_a_race
from kernel.deadletter import dead_letter
from kernel.logging import get_logger
from kernel.ordering import in_log_order
from talk_contracts import EventRejected, ParsedEvent, parse_event_bytes

log = get_logger(__name__)

APPLIED = Counter("events_applied_total", "Events applied to a projection", ["consumer", "type"])
DUPLICATES = Counter("events_duplicate_total", "Redelivered or duplicated events skipped", ["consumer"])
RACES = Counter("consumer_batch_races_total", "Batches run again after losing a race with another transaction", ["consumer"])
BATCH_SECONDS = Histogram("consumer_batch_seconds", "Time to apply one batch", ["consumer"])

class BatchAborted(Exception):
    """Raised by a hook or unit of work when its batch must not be applied again event by event:
    what it works on can no longer be trusted (a replay writing behind, whose rows in memory are
    ahead of the database). The consumer stops with it, as with the database away."""


# Events between two turns given to the process's other tasks: handlers that read only memory never
# wait, and a batch of 2,000 would otherwise hold the loop for its whole length, the HTTP requests
# and a replay's writes behind (compliance.adapters.write_behind) waiting on it.
YIELD_EVERY = 50

# A handler gets the batch's unit of work (see `BatchConsumer.unit_of_work`) and one event.
Handler = Callable[[Any, ParsedEvent], Awaitable[None]]


class BatchHooks(Protocol):
    """Work around a batch's handlers, inside the same transaction."""

    async def start_batch(self, uow: Any, events: list[ParsedEvent]) -> None:
        """Before the handlers, with the events not applied before: e.g. load their rows in bulk."""

    async def finish_batch(self, uow: Any) -> None:
        """After the handlers: work that needs the whole batch applied first, bulk writes."""


@dataclass
class BatchConsumer:
    name: str  # also the consumer group and the tracking key
    sessions: async_sessionmaker
    applied_events: Table
    handlers: dict[str, Handler]  # by CloudEvents type; other types on the topics are not ours
    hooks: BatchHooks | None = None
    # What handlers and hooks receive for the batch's transaction: by default the SQLAlchemy session
    # itself; a service whose application layer must not see SQLAlchemy passes a factory that wraps
    # the session in its own unit of work (its repositories as ports).
    unit_of_work: Callable[[AsyncSession], Any] | None = None
    # For dead letters; set when the service starts. None in a replay from the log.
    producer: AIOKafkaProducer | None = None
    attempts: int = 20  # of a batch that lost a race (kernel.db.lost_a_race), before it is redelivered
    # A span per event, which what the batch stages for the event continues. Off for a replay from
    # the log, which stages nothing to publish: some 5 % of its time went on spans nobody sees.
    spans: bool = True

    async def handle(self, records: Sequence[ConsumerRecord]) -> None:
        started = time.perf_counter()
        events: list[ParsedEvent] = []
        rejected: list[tuple[ConsumerRecord, str]] = []
        by_id: dict[str, ConsumerRecord] = {}
        for record in in_log_order(records):
            try:
                event = parse_event_bytes(record.value)
            except EventRejected as exc:
                rejected.append((record, f"invalid event: {exc}"))
                continue
            events.append(event)
            by_id[event.id] = record
        if rejected:
            await self._dead_letter(rejected)
        try:
            await self._apply(events)
        except Exception as exc:
            if _not_isolated(exc):  # redelivered, never dead-lettered
                raise
            log.warning("batch failed; applying its events one by one to isolate the cause", error=str(exc))
            for event in events:
                try:
                    await self._apply([event])
                except Exception as single:
                    if _not_isolated(single):
                        raise
                    await self._dead_letter([(by_id[event.id], f"handler failed: {single!r}")])
        BATCH_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        _fault_point(events)

    async def _dead_letter(self, rejected: list[tuple[ConsumerRecord, str]]) -> None:
        if self.producer is None:  # a replay: the live consumer dead-lettered them already
            for record, reason in rejected:
                log.warning("unreadable message skipped", topic=record.topic, offset=record.offset, reason=reason)
            return
        await dead_letter(self.producer, self.name, rejected)

    async def _apply(self, events: list[ParsedEvent]) -> None:
        # Types without a handler are not ours: nothing to apply, nothing to remember.
        events = [e for e in events if e.envelope.type in self.handlers]
        if not events:
            return
        for attempt in range(1, self.attempts + 1):
            try:
                return await self._apply_once(events)
            except Exception as exc:
                if not lost_a_race(exc) or attempt == self.attempts:
                    raise
                RACES.labels(self.name).inc()
                log.info("batch lost a race with another transaction; applying it again", consumer=self.name, attempt=attempt)
                await asyncio.sleep(random.uniform(0, min(1.0, 0.02 * 2**attempt)))  # apart, not in step again

    async def _apply_once(self, events: list[ParsedEvent]) -> None:
        started = time.perf_counter()
        async with self.sessions() as session, session.begin():
            with tracing.batch():  # the spans of the batch's events, for what it stages (kernel.tracing)
                fresh = await self._track(session, [e.id for e in events])
                uow = self.unit_of_work(session) if self.unit_of_work is not None else session
                if self.hooks is not None:
                    await self.hooks.start_batch(uow, [e for e in events if e.id in fresh])
                by_type = await self._handle_each(uow, events, fresh)
                if self.hooks is not None:
                    await self.hooks.finish_batch(uow)
        for type_name, n in by_type.items():
            APPLIED.labels(self.name, type_name).inc(n)
        applied = sum(by_type.values())
        # One line per batch at info: a line per event would cost more than applying it (LOG_LEVEL=debug has them).
        # With its transaction's time: beside the lines' timestamps, whether a consumer that falls
        # behind spends its time applying batches or waiting for the next one.
        log.info("batch applied", consumer=self.name, events=applied, skipped=len(events) - applied, seconds=round(time.perf_counter() - started, 3))

    async def _handle_each(self, uow: Any, events: list[ParsedEvent], fresh: set[str]) -> collections.Counter[str]:
        """The handlers, event by event; returns how many of each type were applied.

        Per event only what must be: a batch of 2,000 spent ~9 % of its time on a context manager, a
        debug line nobody reads and a metric's label lookup for each event."""
        debug = logging.getLogger(__name__).isEnabledFor(logging.DEBUG)  # the level kernel.logging set
        by_type: collections.Counter[str] = collections.Counter()
        try:
            for n, event in enumerate(events):
                if n % YIELD_EVERY == YIELD_EVERY - 1:
                    await asyncio.sleep(0)
                if event.id not in fresh:
                    DUPLICATES.labels(self.name).inc()
                    continue
                fresh.discard(event.id)  # a duplicate inside the same batch is skipped too
                envelope = event.envelope
                # A span per event, in the event's own trace: what the batch stages for it continues that trace.
                applying = tracing.applying(self.name, event.id, envelope.type, envelope.traceparent, envelope.tracestate) if self.spans else nullcontext()
                with applying as span:
                    # What the handler logs names the event, the request it belongs to and its trace.
                    structlog.contextvars.bind_contextvars(
                        event_id=event.id, event_type=envelope.type, correlation_id=envelope.correlationid, **(tracing.ids_of(span) if span is not None else {}),
                    )  # fmt: skip
                    await self.handlers[envelope.type](uow, event)
                    if debug:
                        log.debug("event applied", consumer=self.name)
                by_type[envelope.type] += 1
        finally:
            structlog.contextvars.unbind_contextvars("event_id", "event_type", "correlation_id", "trace_id", "span_id")
        return by_type

    async def _track(self, session: AsyncSession, event_ids: list[str]) -> set[str]:
        """Insert tracking rows; returns the ids not applied before."""
        tracked = {"consumer": self.name, "ids": list(dict.fromkeys(event_ids))}
        return set((await session.execute(_tracking(self.applied_events), tracked)).scalars())


@cache
def _tracking(applied_events: Table):
    """Built once (kernel.bulk says why): the tracking rows of the consumer's events, those there
    already skipped; returns the ids inserted."""
    ids = select(bindparam("consumer", type_=Text), func.unnest(bindparam("ids", type_=ARRAY(Text))))
    insert = pg_insert(applied_events).from_select(["consumer", "event_id"], ids)
    return insert.on_conflict_do_nothing().returning(applied_events.c.event_id)


def _not_isolated(exc: BaseException) -> bool:
    """Whether a failed batch is given up whole rather than applied again event by event."""
    return isinstance(exc, BatchAborted) or is_infrastructure_error(exc) or lost_a_race(exc)


def _fault_point(events: list[ParsedEvent]) -> None:
    """Fault injection for the crash test: die after the database commit, before the offset commit.

    Set FAULT_CRASH_AFTER_COMMIT to an event type (e.g. discipline.action_recorded.v1). Production
    refuses to start with any FAULT_* set (kernel.settings), so this is never live there.
    """
    wanted = os.environ.get("FAULT_CRASH_AFTER_COMMIT")
    if wanted and any(e.envelope.type == wanted for e in events):
        log.error("fault injection: exiting after the database commit, before the offset commit", type=wanted)
        os._exit(70)
