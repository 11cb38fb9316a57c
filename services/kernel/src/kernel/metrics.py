"""What `/metrics` says beyond the counters the code increments where things happen: request
durations by route, how far each consumer is behind on each partition, and the outbox's backlog
(deploy/grafana/ charts them)."""

from collections.abc import Iterable

from aiokafka import ConsumerRecord, TopicPartition
from prometheus_client import Gauge
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

LAG = Gauge(
    "consumer_lag_records", "Records on a partition the consumer has not applied yet (high watermark - next offset)",
    ["consumer", "topic", "partition"],
)  # fmt: skip
OUTBOX_DEPTH = Gauge("outbox_depth_events", "Events staged and not yet relayed to Kafka", ["service"])
OUTBOX_AGE = Gauge("outbox_oldest_age_seconds", "Age of the oldest event not yet relayed (0 when none)", ["service"])


def instrument_requests(app) -> None:
    """http_request_duration_seconds and http_requests_total by route (the path template, never the
    ids in it), method and status, from the standard FastAPI exporter; not for the probes, the
    metrics themselves or the pages' long-lived event streams."""
    from prometheus_fastapi_instrumentator import Instrumentator

    Instrumentator(should_group_status_codes=False, excluded_handlers=["/healthz", "/readyz", "/metrics", ".*/stream$"]).instrument(app)


def observe_lag(consumer: str, kafka_consumer, records: Iterable[ConsumerRecord]) -> None:
    """After a batch: for each partition it held, what the broker has beyond it (the high watermark
    the last fetch reported)."""
    last: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        last[tp] = max(last.get(tp, -1), record.offset)
    for tp, offset in last.items():
        highwater = kafka_consumer.highwater(tp)
        if highwater is not None:
            LAG.labels(consumer, tp.topic, str(tp.partition)).set(max(0, highwater - offset - 1))


async def sample_outbox(sessions: async_sessionmaker, outbox: Table, service: str) -> None:
    async with sessions() as session:
        depth, age = (
            await session.execute(select(func.count(), func.extract("epoch", func.now() - func.min(outbox.c.created_at))).select_from(outbox))
        ).one()
    OUTBOX_DEPTH.labels(service).set(depth)
    OUTBOX_AGE.labels(service).set(float(age or 0))
