"""Records are evidence (SPEC §4): an amendment is a new version, with who and why; the version it
replaces is kept and readable. Who held the talk, with whom and when is what compliance counted, so
an amendment changes the record's text (place, topics, content, problems, suggestions, confidential
flag), not its participants or time."""

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from talks.adapters import orm
from talks.adapters.crypto import ContentCipher
from talks.application.common import NotAllowed

AMENDABLE = ("place", "topics", "confidential")
CONTENT = ("theme", "content", "problems", "suggestions")


class AmendmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, description="why the record is amended")
    place: str | None = Field(None, min_length=1, max_length=500)
    theme: str | None = Field(None, max_length=500)
    topics: list[Literal["thought", "work", "style", "life", "family"]] | None = None
    content: str | None = Field(None, min_length=1, max_length=100_000)
    problems: str | None = Field(None, max_length=100_000)
    suggestions: str | None = Field(None, max_length=100_000)
    confidential: bool | None = None


async def amend(sessions: async_sessionmaker, cipher: ContentCipher, talk_id: str, change: AmendmentIn, by: str | None) -> int:
    """Returns the new version number."""
    t = orm.talks
    async with sessions() as session, session.begin():
        row = (await session.execute(select(t).where(t.c.talk_id == talk_id).with_for_update())).first()
        if row is None:
            raise LookupError(talk_id)
        if by is None or (by not in row.talker_ids and by != row.recorded_by):
            raise NotAllowed("X-Person-Id", "only a talker or whoever recorded the talk amends it")
        await session.execute(
            insert(orm.talk_versions).values(
                talk_id=talk_id, version=row.version, place=row.place, topics=row.topics, content_encrypted=row.content_encrypted,
                confidential=row.confidential, recorded_by=row.recorded_by, recorded_at=row.recorded_at,
            )  # fmt: skip
        )
        content = cipher.decrypt(row.content_encrypted) | {k: getattr(change, k) for k in CONTENT if getattr(change, k) is not None}
        values = {k: getattr(change, k) for k in AMENDABLE if getattr(change, k) is not None}
        await session.execute(
            update(t).where(t.c.talk_id == talk_id).values(
                **values, version=row.version + 1, content_encrypted=cipher.encrypt(content), recorded_by=by,
                recorded_at=datetime.now(UTC), amendment_reason=change.reason,
            )  # fmt: skip
        )
    return row.version + 1


async def versions(sessions: async_sessionmaker, talk_id: str) -> list[dict]:
    """Every version's who, when and why (newest last); content is read through GET /v1/talks/{id}."""
    async with sessions() as session:
        old = await session.execute(
            select(orm.talk_versions.c.version, orm.talk_versions.c.recorded_by, orm.talk_versions.c.recorded_at)
            .where(orm.talk_versions.c.talk_id == talk_id).order_by(orm.talk_versions.c.version)
        )  # fmt: skip
        current = (await session.execute(select(orm.talks.c.version, orm.talks.c.recorded_by, orm.talks.c.recorded_at, orm.talks.c.amendment_reason).where(orm.talks.c.talk_id == talk_id))).first()
    if current is None:
        return []
    rows = [dict(r._mapping) for r in old] + [dict(current._mapping)]
    reasons = {r["version"]: r.pop("amendment_reason", None) for r in rows}
    for r in rows:  # the reason is recorded with the version it produced
        r["reason"] = reasons.get(r["version"])
    return rows
