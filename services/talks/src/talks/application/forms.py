"""Printable record forms (attachments 1 and 2): for one record, and for an organisation's year.
Each record in a form is read as `GET /v1/talks/{id}` reads it: content only where the reader is
entitled to it, and every read audited."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from talks.adapters import directory, forms, orm
from talks.adapters.crypto import ContentCipher
from talks.application.recording import read_talk


async def _names(sessions: async_sessionmaker, talks: list[dict]) -> dict[str, str]:
    people = {p for t in talks for p in (*t["talker_ids"], *t["talkee_ids"], t["recorded_by"] or "")}
    people |= {f["owner_id"] for t in talks for f in t["follow_ups"]}
    async with sessions() as session:
        return await directory.names(session, list(people))


async def record_form(sessions: async_sessionmaker, cipher: ContentCipher, talk_id: str, reader: str | None, auditors: frozenset[str]) -> bytes | None:
    talk = await read_talk(sessions, cipher, talk_id, reader, auditors)
    if talk is None:
        return None
    return forms.render([talk], await _names(sessions, [talk]))


async def year_forms(
    sessions: async_sessionmaker, cipher: ContentCipher, org_id: str, year: int, reader: str | None, auditors: frozenset[str]
) -> bytes:
    """Every talk of the year with a talkee who belongs to the organisation, oldest first."""
    t = orm.talks
    async with sessions() as session:
        people = await directory.members_of(session, org_id)
        ids = (
            await session.execute(
                select(t.c.talk_id)
                .where(t.c.talkee_ids.overlap(people), t.c.held_at >= datetime(year, 1, 1, tzinfo=UTC), t.c.held_at < datetime(year + 1, 1, 1, tzinfo=UTC))
                .order_by(t.c.held_at, t.c.talk_id)
            )
        ).scalars().all() if people else []
    talks = [await read_talk(sessions, cipher, talk_id, reader, auditors) for talk_id in ids]
    return forms.render(talks, await _names(sessions, talks), title=f"{org_id} {year}年度谈心谈话记录")
