"""How every Kafka client of a service authenticates and encrypts, from the environment:
KAFKA_SECURITY_PROTOCOL (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), KAFKA_SASL_MECHANISM
(SCRAM-SHA-512 by default, SCRAM-SHA-256, PLAIN), KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD, and for
TLS KAFKA_SSL_CAFILE (the broker's CA; the system's trust store when unset) with
KAFKA_SSL_CERTFILE / KAFKA_SSL_KEYFILE for a client certificate. One place, so the producer, the
consumers, the admin client and replay all speak to the broker the same way."""

import ssl
from typing import Any

from aiokafka.helpers import create_ssl_context
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from kernel.settings import CommonSettings


def _ssl_context(settings: CommonSettings) -> ssl.SSLContext | None:
    if not settings.kafka_security_protocol.endswith("SSL"):
        return None
    return create_ssl_context(
        cafile=settings.kafka_ssl_cafile or None,
        certfile=settings.kafka_ssl_certfile or None,
        keyfile=settings.kafka_ssl_keyfile or None,
    )


def client_options(settings: CommonSettings) -> dict[str, Any]:
    """Keyword arguments for aiokafka's producer, consumer and admin client."""
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {"bootstrap_servers": settings.kafka_bootstrap_servers, "security_protocol": protocol}
    if protocol.endswith("SSL"):
        options["ssl_context"] = _ssl_context(settings)
    if protocol.startswith("SASL"):
        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": settings.kafka_sasl_password.get_secret_value(),
        }
    return options


def broker_security(settings: CommonSettings) -> BaseSecurity | None:
    """The same for FastStream's broker, which takes it as one object."""
    protocol = settings.kafka_security_protocol
    context = _ssl_context(settings)
    if protocol == "PLAINTEXT":
        return None
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    kind = {"SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256, "PLAIN": SASLPlaintext}[settings.kafka_sasl_mechanism]
    return kind(
        settings.kafka_sasl_username,
        settings.kafka_sasl_password.get_secret_value(),
        ssl_context=context,
        use_ssl=protocol == "SASL_SSL",
    )
