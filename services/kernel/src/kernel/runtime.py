"""One service's connections and background work, started and stopped with its HTTP app."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncSession

from kernel import heap
from kernel.consumer import BatchConsumer, BatchHooks, Handler
from kernel.db import lost_a_race, make_engine, make_sessionmaker, migrate
from kernel.kafka import ensure_topics, make_producer
from kernel.kafka_security import broker_security
from kernel.leader import Leadership
from kernel.logging import configure_logging, get_logger
from kernel.metrics import sample_outbox
from kernel.outbox import OutboxRelay
from kernel.settings import CommonSettings
from kernel.subscriptions import subscribe
from kernel.tracing import configure_tracing
from kernel.wakeup import Wakeup, channel_of

log = get_logger(__name__)
GRACE_S = 5


class Runtime:
    """The database, the broker, the outbox relay and the consumers of one service."""

    def __init__(self, settings: CommonSettings, *, service: str, metadata: MetaData, migrations: str):
        self.settings = settings
        self.service = service
        self.migrations = migrations
        self.schema = metadata.schema
        # Every service's metadata holds the kernel tables (see kernel.tables).
        self.outbox = metadata.tables[f"{self.schema}.outbox"]
        self.applied_events = metadata.tables[f"{self.schema}.applied_events"]
        self.engine = make_engine(settings.asyncpg_url())
        self.sessions = make_sessionmaker(self.engine)
        # For work whose decisions read what other instances may be writing (compliance's batches, tick
        # and waivers): SERIALIZABLE, so instances side by side end where one would (kernel.consumer).
        self.serializable = make_sessionmaker(self.engine.execution_options(isolation_level="SERIALIZABLE"))
        # For answers read with several statements (coverage: members, secretaries, pairs): one
        # snapshot for all of them, so an answer never shows half of a batch that committed meanwhile.
        self.snapshots = make_sessionmaker(self.engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True))
        self.broker = KafkaBroker(settings.kafka_bootstrap_servers, security=broker_security(settings), logger=get_logger(f"{service}.broker"))
        self.consumers: list[BatchConsumer] = []
        self.consumed_topics: set[str] = set()
        self.leadership: Leadership | None = None  # made by the first periodic work that runs in the leader only
        # aiokafka clients belong to a running event loop: made in start().
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self._periodic: list[tuple[str, float, Callable[[], Awaitable[object]], Wakeup | None, Leadership | None]] = []
        self._tasks: list[asyncio.Task] = []
        self._resources: list = []
        # Every instance says how far its service's relay is behind (kernel.metrics).
        self.every("outbox-metrics", settings.metrics_sample_s, lambda: sample_outbox(self.sessions, self.outbox, service), everywhere=True)

    def attach(self, resource):
        """Something with `start()` and `stop()` that lives as long as the service (e.g. a LISTEN feed)."""
        self._resources.append(resource)
        return resource

    def every(
        self, name: str, seconds: float, work: Callable[[], Awaitable[object]], *, wake_on: str | None = None, everywhere: bool = False
    ) -> None:
        """Background work repeated while the service runs (e.g. the compliance scheduler's tick);
        with `wake_on`, also as soon as a transaction announces work on that channel (kernel.wakeup),
        so `seconds` is only how long it waits without hearing of any. It runs in one instance of the
        deployment, the leader (kernel.leader; one per service), unless `everywhere` (work shared out by
        row locks)."""
        wakeup = Wakeup(self.settings.dsn(), wake_on) if wake_on else None
        if wakeup is not None:
            self.attach(wakeup)
        if not everywhere and self.leadership is None:
            self.leadership = Leadership(self.settings.dsn(), self.schema)  # one lock, one connection, per service
        self._periodic.append((name, seconds, work, wakeup, None if everywhere else self.leadership))

    async def _repeat(
        self, name: str, seconds: float, work: Callable[[], Awaitable[object]], wakeup: Wakeup | None, leadership: Leadership | None
    ) -> None:
        while True:
            if wakeup is not None:
                wakeup.clear()  # work announced from here on wakes the wait below
            try:
                if leadership is None or await leadership.leads():
                    await work()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if lost_a_race(exc):  # another transaction changed the same rows meanwhile: again, now
                    log.info("periodic work lost a race with another transaction; running it again", work=name)
                    continue
                log.exception("periodic work failed; will try again", work=name)
            if wakeup is not None:
                await wakeup.wait(seconds)
            else:
                await asyncio.sleep(seconds)

    def consume(
        self,
        name: str,
        topics: list[str],
        handlers: dict[str, Handler],
        hooks: BatchHooks | None = None,
        unit_of_work: Callable[[AsyncSession], object] | None = None,
        *,
        serializable: bool = False,
    ) -> BatchConsumer:
        """`serializable`: batches run SERIALIZABLE (kernel.consumer), for projections whose decisions
        read what other instances may be writing."""
        consumer = BatchConsumer(name, self.serializable if serializable else self.sessions, self.applied_events, handlers, hooks, unit_of_work)
        keep_pace = subscribe(self.broker, self.settings, consumer, topics)
        self.every(f"{name}-fetch-pace", 1.0, keep_pace, everywhere=True)
        self.consumers.append(consumer)
        self.consumed_topics.update(self.settings.topic(t) for t in topics)
        return consumer

    async def start(self) -> None:
        await migrate(self.engine, self.migrations, self.schema)
        await ensure_topics(self.settings)
        self.producer = make_producer(self.settings)
        await self.producer.start()
        await self._check_static_assignment()
        for consumer in self.consumers:
            consumer.producer = self.producer
        self.wakeup = Wakeup(self.settings.dsn(), channel_of(self.outbox))
        await self.wakeup.start()
        self.relay = OutboxRelay(self.sessions, self.outbox, self.producer, self.settings, self.wakeup)
        self.relay.start()
        heap.settle()  # what start-up loaded is kept for good: out of the collector's way
        await self.broker.start()
        self._tasks = [asyncio.create_task(self._repeat(*p), name=p[0]) for p in self._periodic]
        for resource in self._resources:
            await resource.start()
        log.info("service started", schema=self.schema)

    async def _check_static_assignment(self) -> None:
        """Static assignment reads partitions 0 … KAFKA_PARTITIONS-1: a topic with more would have
        partitions nobody reads. Refuse to start rather than leave events unread."""
        if self.settings.kafka_assignment != "static":
            return
        for topic in sorted(self.consumed_topics):
            found = len(await self.producer.partitions_for(topic))
            if found != self.settings.kafka_partitions:
                raise RuntimeError(
                    f"KAFKA_ASSIGNMENT=static reads {self.settings.kafka_partitions} partitions (KAFKA_PARTITIONS)"
                    f" but {topic} has {found}: set KAFKA_PARTITIONS={found}"
                )

    async def stop(self) -> None:
        for resource in reversed(self._resources):
            await resource.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.leadership is not None:
            await self.leadership.stop()
        await self.broker.stop()
        if self.relay:
            await self.relay.stop()
            await self.wakeup.stop()
        if self.producer:
            await self.producer.stop()
        await self.engine.dispose()
        log.info("service stopped")

    async def ready(self) -> dict[str, bool]:
        async def database() -> bool:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True

        async def broker() -> bool:
            return await self.broker.ping(timeout=2.0)

        results = {}
        for name, check in (("database", database), ("broker", broker)):
            try:
                results[name] = await asyncio.wait_for(check(), timeout=3.0)
            except Exception:
                results[name] = False
        return results

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()
            verifier = getattr(app.state, "verifier", None)
            if verifier is not None:
                await verifier.close()  # its HTTP client (the issuer's keys) lives as long as the app


def serve(app: FastAPI, settings: CommonSettings, *, service: str, port: int) -> None:
    """Run a service's app in the foreground; SIGINT/SIGTERM stop it gracefully."""
    configure_logging(service, settings.log_level, settings.log_format)
    configure_tracing(service)
    # Pages hold event streams open for as long as they are shown: a stop waits this long for open
    # requests, then closes them (browsers reconnect to another instance by themselves).
    uvicorn.run(app, host=settings.host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=GRACE_S)
