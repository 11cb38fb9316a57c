"""The audit of content requests in SQL (port `AuditLog`): one row per request, granted or not, with
the basis it was granted on (SPEC §4: every read is audit-logged)."""

from sqlalchemy import insert, select

from talks.adapters import orm
from talks.adapters.repository import SqlRepository

c = orm.content_reads


class SqlAuditLog(SqlRepository):
    async def record(self, subject: str, reader_id: str | None, basis: str | None) -> None:
        await self._execute(insert(c).values(talk_id=subject, reader_id=reader_id, granted=basis is not None, basis=basis or "not entitled"))

    async def entries(self, talk_id: str | None, reader_id: str | None, limit: int) -> list[dict]:
        where = [c.c.talk_id == talk_id] if talk_id else []
        if reader_id:
            where.append(c.c.reader_id == reader_id)
        return await self._all(select(c).where(*where).order_by(c.c.id.desc()).limit(limit))
