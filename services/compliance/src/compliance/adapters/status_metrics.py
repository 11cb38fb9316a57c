"""Obligations by rule and status on /metrics: what an operator's dashboard (deploy/grafana/) shows
beside the pipeline's own figures. Counted by the leader instance every METRICS_SAMPLE_S: a count
over the whole table, too dear for every scrape."""

from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from compliance.adapters.orm import obligations

OBLIGATIONS = Gauge("obligations", "Obligations by rule and status (counted every METRICS_SAMPLE_S)", ["rule_id", "status"])


async def sample_obligations(sessions: async_sessionmaker) -> None:
    o = obligations
    async with sessions() as session:
        rows = (await session.execute(select(o.c.rule_id, o.c.status, func.count()).group_by(o.c.rule_id, o.c.status))).all()
    OBLIGATIONS.clear()  # a rule and status with none left reads as gone, not as its last count
    for rule_id, status, n in rows:
        OBLIGATIONS.labels(rule_id, status).set(n)
