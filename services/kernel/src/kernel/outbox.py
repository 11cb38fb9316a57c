"""The transactional outbox: events staged with the state change, relayed to Kafka afterwards.

Why not publish after the handler: with deduplication, a crash between the database commit and
that publish would lose the outgoing event for good. Here the event is a row of the same
transaction; the relay publishes it (at least once) and only then deletes the row.
"""

import asyncio
import json
import time
from collections.abc import Iterable
from functools import cache

from aiokafka import AIOKafkaProducer
from prometheus_client import Counter
from sqlalchemy import Table, Text, bindparam, cast, delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel import tracing
from kernel.logging import get_logger
from kernel.ordering import SEQUENCE
from kernel.settings import CommonSettings
from kernel.wakeup import Wakeup, announce_staged
from talk_contracts import CloudEvent, event_type

log = get_logger(__name__)

# The Kafka binding's structured content mode: the record's value is the whole event as JSON.
STRUCTURED = "application/cloudevents+json; charset=utf-8"
PUBLISHED = Counter("outbox_published_total", "Events relayed from the outbox to Kafka", ["topic"])


_COLUMNS = ("topic", "key", "event_id", "event_type", "payload", "headers")


async def stage(session: AsyncSession, outbox: Table, settings: CommonSettings, events: Iterable[CloudEvent]) -> None:
    """Add events to the outbox inside the caller's transaction: one statement over arrays however
    many there are (a consumer's batch stages thousands)."""
    columns: dict[str, list] = {name: [] for name in _COLUMNS}
    for event in events:
        traceparent = tracing.stamp(event.traceparent, event.causationid)
        if traceparent != event.traceparent:
            event = event.model_copy(update={"traceparent": traceparent})
        kind = event_type(event.type)
        columns["topic"].append(settings.topic(kind.topic.value))
        columns["key"].append(kind.key_of_dict(event.data))
        columns["event_id"].append(event.id)
        columns["event_type"].append(event.type)
        columns["payload"].append(event.to_json_bytes())
        columns["headers"].append(json.dumps(record_headers(event)))
    if not columns["event_id"]:
        return
    await session.execute(_staging(outbox), columns)
    await announce_staged(session, outbox)


@cache
def _staging(outbox: Table):
    """Built once (kernel.bulk says why): the rows of the array parameters named by the columns."""
    types = {name: ARRAY(Text if name == "headers" else outbox.c[name].type) for name in _COLUMNS}  # headers as JSON text: cast below
    source = func.unnest(*(bindparam(name, type_=types[name]) for name in _COLUMNS)).table_valued(*_COLUMNS, with_ordinality="n").render_derived(name="v")
    # In staging order: the identity column numbers the rows as they come, and the relay publishes by it.
    values = [cast(source.c[c], JSONB) if c == "headers" else source.c[c] for c in _COLUMNS]
    return insert(outbox).from_select(list(_COLUMNS), select(*values).order_by(source.c.n))


def record_headers(event: CloudEvent) -> dict[str, str]:
    """The Kafka record's headers: the binding's content type of a structured event, and the trace
    context where Kafka tooling looks for it."""
    headers = {"content-type": STRUCTURED}
    if event.traceparent:
        headers["traceparent"] = event.traceparent
        if event.tracestate:
            headers["tracestate"] = event.tracestate
    return headers


async def stage_raw(
    session: AsyncSession, outbox: Table, *, topic: str, key: str, event_id: str, event_type: str, payload: bytes, headers: dict[str, str]
) -> None:
    """Stage a message that is not one of our events (a dead letter) with its headers."""
    await session.execute(
        insert(outbox).values(topic=topic, key=key, event_id=event_id, event_type=event_type, payload=payload, headers=headers)
    )
    await announce_staged(session, outbox)


class OutboxRelay:
    """Publishes outbox rows in id order, deleting each batch once the broker acknowledged it. Between
    batches it sleeps until a staging transaction announces rows (kernel.wakeup), or at the latest
    `outbox_poll_interval_s`: at rest a relay costs nothing, busy it never waits."""

    def __init__(
        self, sessions: async_sessionmaker, outbox: Table, producer: AIOKafkaProducer, settings: CommonSettings, wakeup: Wakeup | None = None
    ):
        self._sessions = sessions
        self._wakeup = wakeup
        self._outbox = outbox
        self._producer = producer
        self._settings = settings
        self._task: asyncio.Task | None = None
        self._lock_key = f"outbox:{outbox.schema}"
        self._last_timestamp = 0

    def _next_timestamp(self) -> int:
        """Record timestamps that never go back: consumers merge topics in this order, records of one
        millisecond by their `outbox-seq` header (kernel.ordering). Not strictly increasing: a relay
        sending more than 1,000 records a second then stamped them ahead of the clock, seconds ahead
        by the end of a burst, and a consumer merging topics put another service's later events
        before them."""
        self._last_timestamp = max(int(time.time() * 1000), self._last_timestamp)
        return self._last_timestamp

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self._outbox.schema}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            if self._wakeup:
                self._wakeup.clear()  # rows staged from here on wake the wait below
            try:
                sent = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying")
                await asyncio.sleep(1.0)
                continue
            if sent < self._settings.outbox_batch:
                if self._wakeup:
                    await self._wakeup.wait(self._settings.outbox_poll_interval_s)
                else:
                    await asyncio.sleep(self._settings.outbox_poll_interval_s)

    async def relay_once(self) -> int:
        """Relay one batch; returns how many events were published."""
        o = self._outbox
        async with self._sessions() as session, session.begin():
            # One relay per service at a time keeps each key's events in order on the topic.
            locked = await session.scalar(text("SELECT pg_try_advisory_xact_lock(hashtext(:k))"), {"k": self._lock_key})
            if not locked:
                return 0
            rows = (
                await session.execute(
                    select(o.c.id, o.c.topic, o.c.key, o.c.payload, o.c.headers).order_by(o.c.id).limit(self._settings.outbox_batch)
                )
            ).all()
            if not rows:
                return 0
            futures = [
                await self._producer.send(
                    r.topic, r.payload, key=r.key.encode(), headers=_headers(r.headers, r.id), timestamp_ms=self._next_timestamp()
                )
                for r in rows
            ]
            await asyncio.gather(*futures)
            await session.execute(delete(o).where(o.c.id.in_([r.id for r in rows])))
        for r in rows:
            PUBLISHED.labels(r.topic).inc()
        return len(rows)


def _headers(headers: dict[str, str] | None, row_id: int) -> list[tuple[str, bytes]]:
    return [*((k, v.encode()) for k, v in (headers or {}).items()), (SEQUENCE, str(row_id).encode())]
