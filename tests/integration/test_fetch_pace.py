"""A quiet consumer fetches at the long wait, a batch sets it back (kernel.fetch_pace), on the real
broker: the fetch requests aiokafka sends are counted, so this also pins the private attribute the
pace sets (an aiokafka that stops reading it fails here, not silently at rest)."""

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.protocol.fetch import FetchRequest

from kernel.fetch_pace import FetchPace
from kernel.kafka import ensure_topics
from kernel.settings import CommonSettings
from talk_contracts import Topic


def wait_of(consumer: AIOKafkaConsumer) -> int:
    """The wait aiokafka's next fetch request asks for (the private attribute the pace sets)."""
    return consumer._fetcher._fetch_max_wait_ms


async def fetches_in(consumer: AIOKafkaConsumer, seconds: float) -> int:
    sent = 0
    original = consumer._client.send

    async def counting(node_id, request, **kw):
        nonlocal sent
        sent += isinstance(request, FetchRequest)
        return await original(node_id, request, **kw)

    consumer._client.send = counting
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            await consumer.getmany(timeout_ms=100)
    finally:
        consumer._client.send = original
    return sent


async def test_a_quiet_consumer_fetches_less_often_and_a_batch_brings_it_back(infra):
    prefix = f"pace{uuid.uuid4().hex[:6]}."
    settings = CommonSettings(KAFKA_BOOTSTRAP_SERVERS=infra.kafka_bootstrap_servers, KAFKA_TOPIC_PREFIX=prefix, KAFKA_PARTITIONS=1)
    await ensure_topics(settings)  # the catalogue's topics, one partition each, under a prefix of their own
    partition = TopicPartition(settings.topic(Topic.REGISTRY.value), 0)
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap_servers, fetch_max_wait_ms=50, enable_auto_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap_servers)
    await consumer.start()
    await producer.start()
    try:
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        busy = await fetches_in(consumer, 2.0)
        assert wait_of(consumer) == 50
        pace = FetchPace(busy_ms=50, idle_ms=400, quiet_s=0.5)

        await pace.check(consumer)
        assert wait_of(consumer) == 50  # not quiet for long enough yet
        await asyncio.sleep(0.6)
        await pace.check(consumer)
        assert pace.idle and wait_of(consumer) == 400
        await consumer.getmany(timeout_ms=500)  # the fetch asked for at the short wait is answered
        quiet = await fetches_in(consumer, 2.0)
        # ~40 fetches in 2 s at 50 ms, ~5 at 400 ms (the broker answers each when its wait is over)
        assert busy >= 20 and quiet <= 8, (busy, quiet)

        # An event still comes through at the long wait; its batch sets the short one back.
        await producer.send_and_wait(partition.topic, b"x", partition=0)
        got = await consumer.getmany(timeout_ms=3000)
        assert [r.value for r in got.get(partition, [])] == [b"x"]
        pace.heard(consumer)
        assert not pace.idle and wait_of(consumer) == 50
    finally:
        await consumer.stop()
        await producer.stop()
