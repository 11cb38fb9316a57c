"""Choose and start the database and the broker: the operator's, a container, or embedded."""

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from devstack.embedded import EmbeddedPostgres, EmbeddedTansu
from kernel.settings import asyncpg_url


@dataclass(frozen=True)
class Infrastructure:
    database_url: str
    kafka_bootstrap_servers: str
    description: str
    broker_pid: int | None = None  # the embedded broker's process (the fault suite pauses it); None: not ours


def docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=2)
        client.ping()
        return True
    except Exception:
        return False


@contextmanager
def infrastructure(log=print) -> Iterator[Infrastructure]:
    """Yield where PostgreSQL and Kafka are; stop whatever was started here on exit."""
    with ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL")
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        parts, broker_pid = [], None
        use_docker = (not database_url or not bootstrap) and docker_answers()
        if database_url:
            parts.append("PostgreSQL from DATABASE_URL")
        elif use_docker:
            from testcontainers.postgres import PostgresContainer

            pg = stack.enter_context(PostgresContainer("postgres:16-alpine", driver="asyncpg"))
            database_url = asyncpg_url(pg.get_connection_url())
            parts.append("PostgreSQL in a container")
        else:
            log("starting embedded PostgreSQL …")
            pg = EmbeddedPostgres().start()
            stack.callback(pg.stop)
            database_url = pg.url
            parts.append(f"embedded PostgreSQL on 127.0.0.1:{pg.port}")
        if bootstrap:
            parts.append("Kafka from KAFKA_BOOTSTRAP_SERVERS")
        elif use_docker:
            from testcontainers.kafka import KafkaContainer

            kafka = stack.enter_context(KafkaContainer("apache/kafka:3.8.0").with_kraft())
            bootstrap = kafka.get_bootstrap_server()
            parts.append("Kafka in a container")
        else:
            log("starting the embedded Tansu broker …")
            broker = EmbeddedTansu().start()
            stack.callback(broker.stop)
            bootstrap, broker_pid = broker.bootstrap, broker.process.pid
            parts.append(f"embedded Tansu broker on {bootstrap}")
        yield Infrastructure(asyncpg_url(database_url), bootstrap, "; ".join(parts), broker_pid)
