"""The audit in SQL (port `AuditLog`), a hash chain (domain.audit_chain): every read of
confidential data, every write and every refusal, one entry each, granted or not.

Entries are chained in one order for all writers: an append takes a transaction-scoped advisory
lock, reads the newest entry and adds the next, so two transactions cannot both follow the same
entry. The lock is held to the end of the appending transaction (talks' requests are short).
"""

from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from talks.adapters import orm
from talks.adapters.repository import SqlRepository
from talks.domain.audit_chain import GENESIS, entry_hash

a = orm.audit_log
_CHAIN_LOCK = 0x7A1C_A0D1  # pg_advisory_xact_lock key: the audit chain of this database


class SqlAuditLog(SqlRepository):
    async def record(self, subject: str, actor_id: str | None, basis: str | None, action: str = "read") -> None:
        await self._session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
        last = await self._first(select(a.c.seq, a.c.hash).order_by(a.c.seq.desc()).limit(1))
        entry = {
            "seq": (last["seq"] + 1) if last else 1,
            "at": datetime.now(UTC),
            "actor_id": actor_id,
            "action": action,
            "subject": subject,
            "granted": basis is not None,
            "basis": basis or "not entitled",
            "prev_hash": last["hash"] if last else GENESIS,
        }
        await self._execute(insert(a).values(**entry, hash=entry_hash(entry["prev_hash"], entry)))

    async def entries(self, talk_id: str | None, reader_id: str | None, limit: int) -> list[dict]:
        where = [a.c.subject == talk_id] if talk_id else []
        if reader_id:
            where.append(a.c.actor_id == reader_id)
        columns = (a.c.seq, a.c.at, a.c.action, a.c.subject.label("talk_id"), a.c.actor_id.label("reader_id"), a.c.granted, a.c.basis, a.c.hash)
        return await self._all(select(*columns).where(*where).order_by(a.c.seq.desc()).limit(limit))

    async def chain(self, after: int = 0, limit: int = 10_000) -> list[dict]:
        """Entries in chain order, for verifying (a page at a time)."""
        return await self._all(select(a).where(a.c.seq > after).order_by(a.c.seq).limit(limit))

