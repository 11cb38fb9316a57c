"""A BatchConsumer attached to FastStream: one batch subscriber, offsets committed after the batch."""

from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage, TopicPartition

from kernel.consumer import BatchConsumer
from kernel.fetch_pace import FetchPace
from kernel.metrics import observe_lag
from kernel.settings import CommonSettings


async def _raw_values(message: KafkaMessage) -> list[bytes]:
    # The consumer validates each message against contracts/ itself; decoding here would do it twice.
    return [record.value for record in message.raw_message]


def subscribe(broker: KafkaBroker, settings: CommonSettings, consumer: BatchConsumer, topics: list[str]) -> Callable[[], Awaitable[None]]:
    """Returns what keeps the subscriber's fetch pace (kernel.fetch_pace): to be run every second."""
    pace = FetchPace(settings.kafka_fetch_max_wait_ms, settings.kafka_fetch_idle_wait_ms, settings.kafka_fetch_quiet_s)
    names = [settings.topic(t) for t in topics]
    if settings.kafka_assignment == "static":  # this instance's partitions, taken without a group join
        partitions = [TopicPartition(name, p) for name in names for p in settings.partitions_of_instance()]
        names = []
    else:
        partitions = []

    subscriber = broker.subscriber(
        *names,
        partitions=partitions,
        group_id=consumer.name,
        batch=True,
        max_records=settings.kafka_max_batch,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        # New groups start from the beginning of the log: nothing published before them is lost.
        auto_offset_reset="earliest",
        # Commit after the batch succeeded; on an exception rewind and redeliver it (never commit).
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=_raw_values,
    )

    @subscriber
    async def on_batch(body: list[Any], message: KafkaMessage) -> None:
        pace.heard(message.consumer)
        await consumer.handle(message.raw_message)
        observe_lag(consumer.name, message.consumer, message.raw_message)

    return lambda: pace.check(subscriber.consumer)
