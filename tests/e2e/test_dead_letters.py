"""An invalid message produced straight to a topic lands in its .dlq with the reason; nothing stalls."""

import json
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from devstack.demo import demo_city_events, sanction_event
from tests.conftest import eventually

from .conftest import post_events


async def test_invalid_messages_on_a_topic_go_to_its_dlq_with_the_reason(system, ids):
    topic = system.topic_prefix + "discipline.events"
    bad_json = b'{"specversion": "1.0", "id": '
    unknown_field = sanction_event(ids + "p-b1-m2")
    unknown_field["data"]["severity"] = "high"
    producer = AIOKafkaProducer(bootstrap_servers=system.infra.kafka_bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(topic, bad_json, key=(ids + "raw").encode())
        await producer.send_and_wait(topic, json.dumps(unknown_field).encode(), key=(ids + "p-b1-m2").encode())
        # A valid sanction behind them is still applied: the consumer does not stall on poison.
        async with system.client() as http:
            await post_events(http, system, demo_city_events(ids))
            valid = sanction_event(ids + "p-b1-m3")
            await producer.send_and_wait(topic, json.dumps(valid).encode(), key=(ids + "p-b1-m3").encode())

            async def opened():
                r = await http.get(f"{system.url('compliance')}/v1/obligations", headers=system.operator(ids), params={"subject_id": ids + "p-b1-m3"})
                return r.json()

            await eventually(opened)
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic + ".dlq",
        bootstrap_servers=system.infra.kafka_bootstrap_servers,
        group_id=f"dlq-reader-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    found: dict[bytes, dict] = {}
    try:

        async def both_dead_lettered():
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for r in records:
                    found[r.key] = {"value": r.value, "headers": dict(r.headers)}
            return {(ids + "raw").encode(), (ids + "p-b1-m2").encode()} <= found.keys()

        await eventually(both_dead_lettered, timeout=60)
    finally:
        await consumer.stop()

    raw = found[(ids + "raw").encode()]
    assert raw["value"] == bad_json  # the raw bytes, untouched
    assert b"not JSON" in raw["headers"]["dlq-reason"]
    assert raw["headers"]["dlq-consumer"] == b"compliance"
    field = found[(ids + "p-b1-m2").encode()]
    assert b"data.severity: unknown field" in field["headers"]["dlq-reason"]
