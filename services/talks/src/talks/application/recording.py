"""Recording a talk: the record and its `talk.recorded` event (metadata only) in one transaction."""

import uuid
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from kernel.outbox import stage
from kernel.settings import CommonSettings
from talk_contracts import new_event
from talk_contracts import data as d
from talks.adapters import orm
from talks.adapters.crypto import ContentCipher
from talks.domain.records import TalkRecordIn, check_not_in_future

SOURCE = "urn:talk-compliance:talks"
CONTENT_FIELDS = ("content", "problems", "suggestions")


async def record_talk(
    sessions: async_sessionmaker,
    settings: CommonSettings,
    cipher: ContentCipher,
    record: TalkRecordIn,
    *,
    recorded_by: str | None,
    correlation_id: str,
    now: datetime,
) -> str:
    check_not_in_future(record.held_at, now)
    talk_id = str(uuid.uuid4())
    event = new_event(
        "talk.recorded.v1",
        d.TalkRecorded(
            talk_id=talk_id,
            held_at=record.held_at,
            mode=record.mode,
            kind=record.kind,
            talker_ids=record.talker_ids,
            talkee_ids=record.talkee_ids,
            rule_ids=record.rule_ids,
            confidential=record.confidential,
        ),
        source=SOURCE,
        subject=talk_id,
        time=record.held_at,
        correlationid=correlation_id,
    )
    async with sessions() as session, session.begin():
        await session.execute(
            insert(orm.talks).values(
                talk_id=talk_id,
                version=1,
                held_at=record.held_at,
                place=record.place,
                mode=record.mode,
                kind=record.kind,
                talker_ids=record.talker_ids,
                talkee_ids=record.talkee_ids,
                rule_ids=list(record.rule_ids),
                topics=list(record.topics),
                content_encrypted=cipher.encrypt({f: getattr(record, f) for f in CONTENT_FIELDS}),
                confidential=record.confidential,
                recorded_by=recorded_by,
            )
        )
        if record.follow_ups:
            await session.execute(
                insert(orm.follow_ups),
                [
                    {"follow_up_id": str(uuid.uuid4()), "talk_id": talk_id, **f.model_dump()}
                    for f in record.follow_ups
                ],
            )
        await stage(session, orm.outbox, settings, [event])
    return talk_id


async def read_talk(sessions: async_sessionmaker, cipher: ContentCipher, talk_id: str, reader_id: str | None) -> dict | None:
    """The record; its content only for the participants (the talks issue widens this and audits reads)."""
    async with sessions() as session:
        row = (await session.execute(select(orm.talks).where(orm.talks.c.talk_id == talk_id))).first()
        if row is None:
            return None
        follow_ups = (
            await session.execute(
                select(orm.follow_ups.c.follow_up_id, orm.follow_ups.c.owner_id, orm.follow_ups.c.due_date,
                       orm.follow_ups.c.completed_at).where(orm.follow_ups.c.talk_id == talk_id)
            )
        ).all()  # fmt: skip
    talk = dict(row._mapping)
    encrypted = talk.pop("content_encrypted")
    participant = reader_id is not None and (reader_id in talk["talker_ids"] or reader_id in talk["talkee_ids"])
    talk["follow_ups"] = [dict(f._mapping) for f in follow_ups]
    talk["content_visible"] = participant
    if participant:
        talk.update(cipher.decrypt(encrypted))
    return talk
