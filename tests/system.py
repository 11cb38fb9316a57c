"""The four services as real processes on the real broker and the real database: the system the
end-to-end tests and the fault suite run against (one per test run), and helpers to talk to it."""

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from devstack.demo import DEV_CREDENTIALS, DEV_TOKEN
from devstack.infra import Infrastructure
from devstack.issuer import DevIssuer, Persona
from devstack.ports import free_port
from devstack.processes import SERVICES, ServiceProcess, service_processes
from registry.entrypoints.auth import hashed
from talks.adapters.crypto import new_key
from tests.channels import HttpReceiver, OtlpReceiver, SmtpServer

LOGS = Path(__file__).resolve().parents[1] / ".run" / "test-logs"
DISCIPLINE_TOKEN = "tok-discipline-only"
CONTENT_KEY = new_key()
AUDITOR = "auditor-1"


@dataclass
class System:
    infra: Infrastructure
    database_url: str
    topic_prefix: str
    services: dict[str, ServiceProcess]
    smtp: SmtpServer
    webhook: HttpReceiver
    issuer: DevIssuer
    collector: OtlpReceiver

    def signed_in(self, person_id: str, *roles: str, scope: tuple[str, ...] = ()) -> dict[str, str]:
        """Headers of a request by this person, signed in through the development issuer."""
        return {"authorization": f"Bearer {self.issuer.token(person_id, roles, scope)}"}

    def operator(self, ids: str) -> dict[str, str]:
        """Headers of an operator of one test's city (its root, `<ids>county`)."""
        return self.signed_in(f"{ids}operator", "operator", scope=(f"{ids}county",))

    def url(self, service: str) -> str:
        return self.services[service].url

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=30)

    def restart(self, name: str, **env: str) -> ServiceProcess:
        service = self.services[name]
        service.stop()
        service.start(**env)
        return service


def _running(server):
    """A peer on loopback for the whole run: started, handed over, stopped."""
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpServer]:
    yield from _running(SmtpServer())


@pytest.fixture(scope="session")
def webhook() -> Iterator[HttpReceiver]:
    yield from _running(HttpReceiver())


@pytest.fixture(scope="session")
def collector() -> Iterator[OtlpReceiver]:
    yield from _running(OtlpReceiver())


@pytest.fixture(scope="session")
def issuer(tmp_path_factory) -> Iterator[DevIssuer]:
    server = DevIssuer([Persona(AUDITOR, "审计", ("auditor",))], folder=tmp_path_factory.mktemp("issuer")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def system(infra: Infrastructure, database_url: str, topic_prefix: str, smtp, webhook, issuer, collector) -> Iterator[System]:
    env = issuer.env() | {
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": topic_prefix,
        "LOG_FORMAT": "json",
        # one instance of each: a restarted service resumes at once (the fault suite measures it)
        "KAFKA_ASSIGNMENT": "static",
        "NOTIFY_SMTP_HOST": "127.0.0.1",
        "NOTIFY_SMTP_PORT": str(smtp.port),
        "NOTIFY_WEBHOOK_URL": webhook.url,
        "NOTIFY_WEBHOOK_SECRET": "e2e-webhook-secret-0123456789",
        "NOTIFY_SMTP_STARTTLS": "false",  # the test SMTP server speaks plain SMTP
        # Longer than any wait in these tests: an e-mail that arrives came through the NOTIFY wake-up.
        "NOTIFY_DELIVERY_POLL_S": "60",
        # the discipline system's credential stored as production keeps it: its hash only
        "REGISTRY_CREDENTIALS": json.dumps(DEV_CREDENTIALS | {hashed(DISCIPLINE_TOKEN): {"system": "discipline", "families": ["discipline"]}}),
        "REGISTRY_MAX_BATCH": "200",
        "TALKS_CONTENT_KEYS": CONTENT_KEY,
        # Traces exported as in production, to a receiver the tests read (tests/e2e/test_tracing.py).
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "METRICS_SAMPLE_S": "1",
    }
    services = service_processes(env, LOGS / uuid.uuid4().hex[:6], {name: free_port() for name in SERVICES})
    try:
        for service in services.values():
            service.start()
        for service in services.values():
            service.wait_ready(timeout=120)
        yield System(infra, database_url, topic_prefix, services, smtp, webhook, issuer, collector)
    finally:
        for service in services.values():
            service.stop()


@pytest.fixture
def ids() -> str:
    return f"e{uuid.uuid4().hex[:6]}-"


async def post_events(
    client: httpx.AsyncClient, system: System, events: list[dict], token: str = DEV_TOKEN, correlation_id: str | None = None
) -> httpx.Response:
    headers = {"content-type": "application/cloudevents-batch+json", "authorization": f"Bearer {token}"}
    if correlation_id:
        headers["x-correlation-id"] = correlation_id
    return await client.post(f"{system.url('registry')}/v1/events", json=events, headers=headers)


def logs_of(path: Path) -> str:
    return path.read_text() if path.exists() else ""


async def record_talk(client: httpx.AsyncClient, system: System, body: dict, recorded_by: str | None = None) -> httpx.Response:
    """POST a talk, signed in as `recorded_by` (by default its first talker); the talks service learns
    members from registry.events a moment after the registry accepted them, so a "not members" answer
    is retried for a while."""
    headers = system.signed_in(recorded_by or body["talker_ids"][0])
    for _ in range(150):
        r = await client.post(f"{system.url('talks')}/v1/talks", json=body, headers=headers)
        if r.status_code != 422 or "not members" not in r.text:
            return r
        await asyncio.sleep(0.2)
    return r
