"""Reading topics from offset zero, for rebuilding a projection from the log.

The whole log is read until it stays idle for a while (Tansu's end offsets cannot be trusted),
then handed over in log order (see kernel.ordering), as a live consumer applies it.
"""

import asyncio
import time
from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from kernel.kafka_security import client_options
from kernel.logging import get_logger
from kernel.ordering import in_log_order
from kernel.settings import CommonSettings

log = get_logger(__name__)


async def read_log(settings: CommonSettings, topics: list[str], idle_seconds: float = 3.0) -> list[ConsumerRecord]:
    consumer = AIOKafkaConsumer(
        **client_options(settings),
        enable_auto_commit=False,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        max_poll_records=5000,
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        partitions = []
        for topic in topics:
            for partition in consumer.partitions_for_topic(topic) or await _partitions(consumer, topic):
                partitions.append(TopicPartition(topic, partition))
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        quiet_since, last_report = time.monotonic(), time.monotonic()
        while time.monotonic() - quiet_since < idle_seconds:
            batch = await consumer.getmany(timeout_ms=200)
            if any(batch.values()):
                quiet_since = time.monotonic()
                for part in batch.values():
                    records.extend(part)
            if time.monotonic() - last_report > 5:
                log.info("reading the log", records=len(records))
                last_report = time.monotonic()
    finally:
        await consumer.stop()
    return in_log_order(records)


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    for _ in range(50):
        await consumer._client.force_metadata_update()
        found = consumer.partitions_for_topic(topic)
        if found:
            return found
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topic {topic} not found")


async def chunks(records: list[ConsumerRecord], size: int) -> AsyncIterator[list[ConsumerRecord]]:
    for start in range(0, len(records), size):
        yield records[start : start + size]
