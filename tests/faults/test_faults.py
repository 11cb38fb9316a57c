"""Nothing lost, nothing doubled, under one fault at a time (issue 16): a stream of sanctions is
reported while a fault strikes; afterwards every accepted event opened exactly one obligation as a
fault-free run opens it, and exactly one alert to its secretary; e-mails and webhooks doubled (at
least once, by design) are counted and shown."""

import asyncio
import json
import os
import signal
import time
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from devstack.demo import sanction_event
from tests.conftest import eventually
from tests.system import System

from .ledger import SUBJECTS, Ledger

EVENTS, EVERY_S = 30, 0.1  # a three-second stream; the fault strikes a second into it


async def _kill(system: System, name: str) -> float:
    """kill -9, then started again at once (as `make run`'s supervisor or an orchestrator does)."""
    system.services[name].kill()
    killed = time.time()
    system.services[name].start()
    return killed


async def _first_applied_since(ledger: Ledger, table: str, column: str, since: float) -> float:
    """Seconds from `since` to the first row the restarted service wrote (its recovery)."""

    async def written():
        rows = await ledger.rows(f"SELECT min({column}) AS at FROM {table} WHERE {column} > $1", datetime.fromtimestamp(since, UTC))
        return rows[0]["at"]

    return (await eventually(written, timeout=90, interval=0.1)).timestamp() - since


async def _run(system: System, ids: str, fault) -> tuple[Ledger, object]:
    ledger = Ledger(system, ids)
    async with system.client() as http:
        await ledger.city(http)

        async def strike():
            await asyncio.sleep(1.0)
            return await fault(ledger)

        _, struck = await asyncio.gather(ledger.stream(http, EVENTS, EVERY_S), strike())
    for service in system.services.values():
        await asyncio.to_thread(service.wait_ready, 120)
    return ledger, struck


def _line(kind: str, ledger: Ledger, doubled: dict, extra: str = "") -> str:
    return (
        f"{kind:<34} {len(ledger.accepted)} accepted ({ledger.refused} answers not 202, sent again), each once: obligation and alert;"
        f" e-mails {doubled['emails']} ({doubled['emails doubled']} doubled), webhooks {doubled['webhooks']} ({doubled['webhooks doubled']} doubled){extra}"
    )


@pytest.mark.parametrize(("service", "table", "column"), [("compliance", "compliance.obligations", "updated_at"), ("notify", "notify.inbox", "created_at")])
async def test_kill_9_of_a_consumer_mid_stream(system, ids, summary, service, table, column):
    async def fault(ledger):
        return await _kill(system, service)

    ledger, killed = await _run(system, ids, fault)
    recovery = await _first_applied_since(ledger, table, column, killed)
    doubled = ledger.check(*await ledger.settled())
    summary.append(_line(f"kill -9 {service}", ledger, doubled, f"; first row written {recovery:.1f} s after the kill"))


async def test_kill_9_of_the_registry_mid_stream(system, ids, summary):
    async def fault(ledger):
        return await _kill(system, "registry")

    ledger, _ = await _run(system, ids, fault)
    doubled = ledger.check(*await ledger.settled())
    summary.append(_line("kill -9 registry", ledger, doubled))


async def test_the_broker_paused(system, ids, summary):
    if system.infra.broker_pid is None:
        pytest.skip("the broker is not this run's own process (KAFKA_BOOTSTRAP_SERVERS): it cannot be paused from here")

    async def fault(ledger):
        os.kill(system.infra.broker_pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(10)
        finally:
            os.kill(system.infra.broker_pid, signal.SIGCONT)

    ledger, _ = await _run(system, ids, fault)
    doubled = ledger.check(*await ledger.settled())
    summary.append(_line("broker paused 10 s", ledger, doubled))


async def test_every_database_connection_terminated_twice(system, ids, summary):
    terminated = []

    async def fault(ledger):
        for _ in range(2):
            rows = await ledger.rows(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            terminated.append(len(rows))
            await asyncio.sleep(1.0)

    ledger, _ = await _run(system, ids, fault)
    doubled = ledger.check(*await ledger.settled())
    assert all(terminated), "there were connections to terminate"
    summary.append(_line("database connections terminated ×2", ledger, doubled, f" ({'+'.join(map(str, terminated))} connections)"))


async def test_duplicated_reordered_and_malformed_messages_on_the_topic(system, ids, summary):
    """Messages written straight onto discipline.events, as a misbehaving producer writes them."""
    topic = system.topic_prefix + "discipline.events"
    ledger = Ledger(system, ids)
    subjects = list(SUBJECTS)
    events = [sanction_event(ids + subjects[n % len(subjects)], case_ref=f"{ids}case-{n}") for n in range(10)]
    malformed = [b'{"specversion": "1.0", "id": ', json.dumps({**events[0], "type": "discipline.unheard_of.v1"}).encode()]
    producer = AIOKafkaProducer(bootstrap_servers=system.infra.kafka_bootstrap_servers)
    async with system.client() as http:
        await ledger.city(http)
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
    summary.append(
        _line("duplicated, reordered, malformed", ledger, doubled, f"; 25 messages for 10 events, {len(dead)} malformed in .dlq")
    )
