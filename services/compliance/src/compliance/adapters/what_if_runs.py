"""What-if runs as the dashboard follows them (orm.what_if_runs)."""

from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from compliance.adapters import orm

r = orm.what_if_runs.c
# A run whose runner has not written for this long died with its instance (it writes every second).
LOST_AFTER = timedelta(seconds=60)


async def start(sessions: async_sessionmaker, run_id: str, requested_by: str, policy: dict, year: int) -> None:
    async with sessions() as session, session.begin():
        await session.execute(insert(orm.what_if_runs).values(run_id=run_id, requested_by=requested_by, policy=policy, year=year, status="running"))


async def running(sessions: async_sessionmaker, now: datetime) -> str | None:
    """A run still going somewhere in the deployment (its runner wrote lately)."""
    async with sessions() as session:
        query = select(r.run_id).where(r.status == "running", r.updated_at > now - LOST_AFTER).limit(1)
        return await session.scalar(query)


async def progress(sessions: async_sessionmaker, run_id: str, stage: str, done: int, of: int, now: datetime) -> None:
    async with sessions() as session, session.begin():
        await session.execute(update(orm.what_if_runs).where(r.run_id == run_id).values(stage=stage, done=done, of=of, updated_at=now))


async def finish(sessions: async_sessionmaker, run_id: str, now: datetime, *, report: dict | None = None, error: str | None = None) -> None:
    values = {"status": "done", "report": report} if error is None else {"status": "failed", "error": error}
    async with sessions() as session, session.begin():
        await session.execute(update(orm.what_if_runs).where(r.run_id == run_id).values(**values, updated_at=now, finished_at=now))


async def get(sessions: async_sessionmaker, run_id: str, *, with_report: bool) -> dict | None:
    columns = [c for c in orm.what_if_runs.c if with_report or c.name != "report"]
    async with sessions() as session:
        row = (await session.execute(select(*columns).where(r.run_id == run_id))).mappings().first()
    return dict(row) if row else None


async def recent(sessions: async_sessionmaker, limit: int = 20) -> list[dict]:
    columns = [c for c in orm.what_if_runs.c if c.name != "report"]
    async with sessions() as session:
        rows = (await session.execute(select(*columns).order_by(r.started_at.desc()).limit(limit))).mappings().all()
    return [dict(row) for row in rows]
