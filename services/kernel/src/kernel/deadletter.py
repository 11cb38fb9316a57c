"""Dead-letter topics: a message a consumer cannot use goes to `<topic>.dlq` with its reason."""

from aiokafka import AIOKafkaProducer, ConsumerRecord
from prometheus_client import Counter

from kernel.logging import get_logger
from talk_contracts import dlq_topic

log = get_logger(__name__)

DEAD_LETTERED = Counter("events_dead_lettered_total", "Messages sent to a dead-letter topic", ["consumer", "topic"])


async def dead_letter(
    producer: AIOKafkaProducer, consumer: str, rejected: list[tuple[ConsumerRecord, str]]
) -> None:
    """Publish the raw bytes with the reason; returns once the broker has them (before any offset commit)."""
    futures = []
    for record, reason in rejected:
        headers = [
            ("dlq-reason", reason.encode()[:4000]),
            ("dlq-consumer", consumer.encode()),
            ("dlq-source", f"{record.topic}/{record.partition}/{record.offset}".encode()),
        ]
        futures.append(await producer.send(dlq_topic(record.topic), record.value or b"", key=record.key, headers=headers))
        DEAD_LETTERED.labels(consumer, record.topic).inc()
        log.warning(
            "message dead-lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
        )
    for future in futures:
        await future
