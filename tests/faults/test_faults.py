"""Nothing lost, nothing doubled, under one fault at a time (issue 16): a stream of sanctions is
reported while a fault strikes (tests/faults/kinds.py); afterwards every accepted event opened
exactly one obligation as a fault-free run opens it, kept once by talks, and exactly one alert to its
secretary, e-mailed and posted at least once (doubles are counted and shown)."""

import asyncio
import json
import uuid
from urllib.parse import urlsplit

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from devstack.demo import DEV_TOKEN, sanction_event
from devstack.ports import free_port
from devstack.processes import ServiceProcess
from tests.conftest import eventually

from .kinds import FAULTS, STREAM_OF
from .ledger import EVENTS, SUBJECTS, Ledger, line, struck
from .proxy import Proxy


@pytest.mark.parametrize("kind", list(FAULTS))
async def test_each_accepted_event_once_under(system, ids, summary, kind):
    if kind.startswith("broker") and system.infra.broker_pid is None:
        pytest.skip("the broker is not this run's own process (KAFKA_BOOTSTRAP_SERVERS): it cannot be paused from here")
    ledger, said = await struck(system, ids, FAULTS[kind], STREAM_OF.get(kind, EVENTS))
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


def _routes(system, ids: str) -> dict[str, list[tuple[str, str, object, dict]]]:
    """Routes of each service that read or write its database, with a caller entitled to them."""
    sender = {"authorization": f"Bearer {DEV_TOKEN}", "content-type": "application/cloudevents-batch+json"}
    operator, secretary = system.operator(ids), system.signed_in(ids + "p-b1-sec")
    return {
        "registry": [
            ("POST", "/v1/events", [sanction_event(ids + "p-b1-m1")], sender),
            ("GET", f"/v1/orgs/{ids}county", None, operator),
            ("GET", f"/v1/orgs/{ids}county/members", None, operator),
            ("GET", f"/v1/people/{ids}p-b1-m1", None, operator),
            ("GET", f"/v1/orgs/{ids}county/roles", None, operator),
        ],
        "compliance": [
            ("GET", f"/v1/obligations?subject_id={ids}p-b1-m1", None, operator),
            ("GET", f"/v1/coverage?org_id={ids}county", None, operator),
        ],
        "notify": [("GET", f"/v1/inbox/{ids}p-b1-sec", None, secretary)],
        "talks": [("GET", "/v1/follow-ups", None, secretary), ("GET", f"/v1/talks/{ids}no-such-talk", None, secretary)],
    }


@pytest.mark.parametrize("service", ["registry", "compliance", "notify", "talks"])
async def test_a_service_whose_database_is_unreachable_answers_503_and_is_not_ready(system, ids, summary, service):
    """An instance whose every way to PostgreSQL is cut (a proxy closed, its connections dropped):
    `readyz` red, each route a 503 with Retry-After, never a 500; mended, green and answering again."""
    url = urlsplit(system.database_url)
    proxy = await Proxy(url.hostname, url.port).mend()
    first = system.services[service]
    through = system.database_url.replace(f"{url.hostname}:{url.port}", f"127.0.0.1:{proxy.port}")
    instance = ServiceProcess(service, free_port(), first.env | {"DATABASE_URL": through}, first.log_path.with_name(f"{service}-proxied.log"))
    routes = _routes(system, ids)[service]
    instance.start()
    try:
        await asyncio.to_thread(instance.wait_ready, 120)
        async with system.client() as http:
            await Ledger(system, ids).city(http)
            await proxy.cut()

            async def readyz(status: int):
                return (await http.get(f"{instance.url}/readyz")).status_code == status

            await eventually(lambda: readyz(503), timeout=30)
            answers = [await http.request(method, instance.url + path, json=body, headers=who) for method, path, body, who in routes]
            assert [(r.status_code, "retry-after" in r.headers) for r in answers] == [(503, True)] * len(routes), [r.text for r in answers]
            await proxy.mend()
            await eventually(lambda: readyz(200), timeout=30)
            again = [await http.request(method, instance.url + path, json=body, headers=who) for method, path, body, who in routes]
            assert all(r.status_code < 500 for r in again), [r.text for r in again]
    finally:
        await asyncio.to_thread(instance.stop)
        await proxy.cut()
    summary.append(
        f"{'database unreachable: ' + service:<36} readyz 503, {len(routes)} routes 503 with Retry-After;"
        f" mended: ready, answering {sorted({r.status_code for r in again})}"
    )
