"""The textbook peer, written as FastStream's and SQLAlchemy's examples show a consumer: a per-message
subscriber, a pooled engine, one session, one transaction and one offset commit per event, applying
the same compliance rules through the same unit of work. Only the batching differs from the service."""

import asyncio
import time
import uuid

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from kernel.consumer import BatchConsumer


async def _body(message: KafkaMessage) -> bytes:
    return message.body


async def per_message(bootstrap: str, topics: list[str], consumer: BatchConsumer, expected: int, timeout: float = 600) -> float:
    """Consume `expected` events one at a time into `consumer`'s tables: events/s from the first one."""
    broker = KafkaBroker(bootstrap, logger=None)  # no line per message: the peer is timed, not its logs
    done = asyncio.Event()
    seen, started = 0, None

    @broker.subscriber(
        *topics,
        group_id=f"bench-peer-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
        ack_policy=AckPolicy.NACK_ON_ERROR,  # commit after each event's transaction
        decoder=_body,
    )
    async def on_event(body: bytes, message: KafkaMessage) -> None:
        nonlocal seen, started
        started = started or time.perf_counter()
        await consumer.handle([message.raw_message])  # one event, one transaction
        seen += 1
        if seen >= expected:
            done.set()

    await broker.start()
    try:
        await asyncio.wait_for(done.wait(), timeout)
    finally:
        await broker.stop()
    return seen / (time.perf_counter() - started)
