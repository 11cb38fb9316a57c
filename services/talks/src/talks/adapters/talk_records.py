"""Talk records in SQL (port `TalkRecords`): the current version in `talks`, the versions amendments
replaced in `talk_versions`. Content arrives and leaves encrypted; this module never sees it clear."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, tuple_, update

from talks.adapters import orm
from talks.adapters.repository import SqlRepository
from talks.domain.records import TalkRecordIn

t, versions = orm.talks, orm.talk_versions
# The record's fields stored in the clear, a column each; the rest (CONTENT_FIELDS) arrives encrypted.
IN_THE_CLEAR = ("held_at", "place", "mode", "kind", "talker_ids", "talkee_ids", "rule_ids", "topics", "confidential")


class SqlTalkRecords(SqlRepository):
    async def add(self, talk_id: str, record: TalkRecordIn, content_encrypted: bytes, recorded_by: str | None) -> None:
        await self._execute(
            insert(t).values(
                talk_id=talk_id, version=1, **{k: getattr(record, k) for k in IN_THE_CLEAR},
                content_encrypted=content_encrypted, recorded_by=recorded_by,
            )  # fmt: skip
        )

    async def get(self, talk_id: str, *, lock: bool = False) -> dict | None:
        query = select(t).where(t.c.talk_id == talk_id)
        return await self._first(query.with_for_update() if lock else query)

    async def talker_ids(self, talk_id: str) -> list[str] | None:
        found = await self._first(select(t.c.talker_ids).where(t.c.talk_id == talk_id))
        return None if found is None else found["talker_ids"]

    async def keep_version(self, current: dict) -> None:
        kept = ("talk_id", "version", "place", "topics", "content_encrypted", "confidential", "recorded_by", "recorded_at")
        await self._execute(insert(versions).values({k: current[k] for k in kept}))

    async def replace(self, talk_id: str, fields: dict, *, version: int, content_encrypted: bytes, recorded_by: str | None,
                      recorded_at: datetime) -> None:  # fmt: skip
        await self._execute(
            update(t).where(t.c.talk_id == talk_id).values(
                # amendment_reason: a legacy column, cleared; the reason is inside the encrypted content
                **fields, version=version, content_encrypted=content_encrypted, recorded_by=recorded_by,
                recorded_at=recorded_at, amendment_reason=None,
            )  # fmt: skip
        )

    async def earlier_versions(self, talk_id: str) -> list[dict]:
        v = versions.c
        return await self._all(select(v.version, v.recorded_by, v.recorded_at, v.content_encrypted).where(v.talk_id == talk_id).order_by(v.version))

    async def current_version(self, talk_id: str) -> dict | None:
        return await self._first(
            select(t.c.version, t.c.recorded_by, t.c.recorded_at, t.c.amendment_reason, t.c.content_encrypted).where(t.c.talk_id == talk_id)
        )

    async def held_with(self, person_id: str, start: datetime, end: datetime) -> list[dict]:
        return await self._all(
            select(t.c.talk_id, t.c.held_at, t.c.kind, t.c.mode, t.c.rule_ids, t.c.talker_ids, t.c.talkee_ids)
            .where(t.c.talkee_ids.any(person_id), t.c.held_at >= start, t.c.held_at < end)
            .order_by(t.c.held_at)
        )

    async def ids_held_with_any(self, people: Sequence[str], start: datetime, end: datetime) -> list[str]:
        return await self._scalars(
            select(t.c.talk_id)
            .where(t.c.talkee_ids.overlap(list(people)), t.c.held_at >= start, t.c.held_at < end)
            .order_by(t.c.held_at, t.c.talk_id)
        )

    async def contents_after(self, talk_id: str, limit: int) -> list[tuple[str, int, bytes]]:
        rows = await self._session.execute(
            select(t.c.talk_id, t.c.version, t.c.content_encrypted).where(t.c.talk_id > talk_id).order_by(t.c.talk_id).limit(limit).with_for_update()
        )
        return [tuple(r) for r in rows]

    async def version_contents_after(self, after: tuple[str, int], limit: int) -> list[tuple[str, int, bytes]]:
        v = versions.c
        rows = await self._session.execute(
            select(v.talk_id, v.version, v.content_encrypted)
            .where(tuple_(v.talk_id, v.version) > tuple_(*after))
            .order_by(v.talk_id, v.version)
            .limit(limit)
            .with_for_update()
        )
        return [tuple(r) for r in rows]

    async def set_version_content(self, talk_id: str, version: int, content_encrypted: bytes) -> None:
        v = versions.c
        await self._execute(update(versions).where(v.talk_id == talk_id, v.version == version).values(content_encrypted=content_encrypted))

    async def set_content(self, talk_id: str, content_encrypted: bytes) -> None:
        await self._execute(update(t).where(t.c.talk_id == talk_id).values(content_encrypted=content_encrypted))
