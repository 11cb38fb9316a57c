"""Broker wiring: topics created at start-up, the producer, and the dead-letter topics."""

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from kernel.kafka_security import client_options
from kernel.logging import get_logger
from kernel.settings import CommonSettings
from talk_contracts import Topic, dlq_topic

log = get_logger(__name__)

TOPIC_ALREADY_EXISTS = 36
# The log is what projections are rebuilt from: nothing is ever deleted by age or size.
UNLIMITED_RETENTION = {"retention.ms": "-1", "retention.bytes": "-1"}


def all_topics(settings: CommonSettings) -> list[str]:
    names = [settings.topic(t.value) for t in Topic]
    return names + [dlq_topic(n) for n in names]


async def ensure_topics(settings: CommonSettings, *, attempts: int = 60) -> None:
    """Create every topic of the catalogue (and its .dlq) if missing; waits for the broker."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    for attempt in range(attempts):
        try:
            await admin.start()
            break
        except KafkaError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5)
    try:
        wanted = [
            NewTopic(name, settings.kafka_partitions, settings.kafka_replication_factor, topic_configs=UNLIMITED_RETENTION)
            for name in all_topics(settings)
        ]
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            response = await admin.create_topics(missing)
            for topic, code, message in response.topic_errors:
                if code not in (0, TOPIC_ALREADY_EXISTS):
                    raise RuntimeError(f"cannot create topic {topic}: {message} (code {code})")
            log.info("topics created", topics=[t.name for t in missing])
    finally:
        await admin.close()


def make_producer(settings: CommonSettings) -> AIOKafkaProducer:
    # At-least-once: every send is acknowledged by all in-sync replicas. No idempotent producer
    # (Tansu lacks it): duplicates are absorbed by consumers tracking event ids.
    return AIOKafkaProducer(
        **client_options(settings),
        acks="all",
        linger_ms=5,
        enable_idempotence=False,
    )
