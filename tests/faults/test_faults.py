"""Nothing lost, nothing doubled, under one fault at a time (issue 16): a stream of sanctions is
reported while a fault strikes (tests/faults/kinds.py); afterwards every accepted event opened
exactly one obligation as a fault-free run opens it, kept once by talks, and exactly one alert to its
secretary, e-mailed and posted at least once (doubles are counted and shown)."""

import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from devstack.demo import sanction_event
from tests.conftest import eventually

from .kinds import FAULTS
from .ledger import SUBJECTS, Ledger, line, struck


@pytest.mark.parametrize("kind", list(FAULTS))
async def test_each_accepted_event_once_under(system, ids, summary, kind):
    if kind.startswith("broker") and system.infra.broker_pid is None:
        pytest.skip("the broker is not this run's own process (KAFKA_BOOTSTRAP_SERVERS): it cannot be paused from here")
    ledger, said = await struck(system, ids, FAULTS[kind])
    doubled = ledger.check(*await ledger.settled())
    summary.append(line(kind, ledger, doubled, said))


async def test_duplicated_reordered_and_malformed_messages_on_the_topic(system, ids, summary):
    """Messages written straight onto discipline.events, as a misbehaving producer writes them."""
    topic = system.topic_prefix + "discipline.events"
    ledger = Ledger(system, ids)
    subjects = list(SUBJECTS)
    events = [sanction_event(ids + subjects[n % len(subjects)], case_ref=f"{ids}case-{n}") for n in range(10)]
    malformed = [b'{"specversion": "1.0", "id": ', json.dumps({**events[0], "type": "discipline.unheard_of.v1"}).encode()]
    async with system.client() as http:
        await ledger.city(http)
    producer = AIOKafkaProducer(bootstrap_servers=system.infra.kafka_bootstrap_servers)
    await producer.start()
    try:
        for event in [*events[5:], *events, *events[:5]]:  # later ones first, then all, then the first half again
            await producer.send_and_wait(topic, json.dumps(event).encode(), key=event["data"]["person_id"].encode())
        for n, value in enumerate(malformed):
            await producer.send_and_wait(topic, value, key=f"{ids}bad-{n}".encode())
    finally:
        await producer.stop()
    ledger.accepted = {e["id"]: e["id"] for e in events}  # produced straight: they travel under their own ids
    doubled = ledger.check(*await ledger.settled())

    consumer = AIOKafkaConsumer(
        topic + ".dlq", bootstrap_servers=system.infra.kafka_bootstrap_servers, group_id=f"dlq-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest", fetch_max_wait_ms=50,
    )  # fmt: skip
    await consumer.start()
    dead: set[bytes] = set()
    try:

        async def both_dead():
            for records in (await consumer.getmany(timeout_ms=500)).values():
                dead.update(r.key for r in records if r.key and r.key.startswith(ids.encode()))
            return len(dead) >= len(malformed)

        await eventually(both_dead, timeout=60)
    finally:
        await consumer.stop()
    assert dead == {f"{ids}bad-{n}".encode() for n in range(len(malformed))}
    summary.append(line("duplicated, reordered, malformed", ledger, doubled, f"25 messages for 10 events, {len(dead)} malformed in .dlq"))
