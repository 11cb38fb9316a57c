"""Recording a talk: the record and its `talk.recorded` event (metadata only) in one transaction."""

import uuid
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from kernel.outbox import stage
from kernel.settings import CommonSettings
from talk_contracts import new_event
from talk_contracts import data as d
from kernel.logging import get_logger
from talks.adapters import directory, orm
from talks.adapters.crypto import ContentCipher
from talks.application.common import SOURCE, NotAllowed
from talks.application.requests import close_requests
from talks.domain.access import NEEDS_STANDING, content_access, has_standing
from talks.domain.records import TalkRecordIn, check_not_in_future

log = get_logger(__name__)

CONTENT_FIELDS = ("theme", "content", "problems", "suggestions")


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
                    {"follow_up_id": str(uuid.uuid4()), "talk_id": talk_id, "owner_id": f.owner_id, "due_date": f.due_date,
                     "text_encrypted": cipher.encrypt_text(f.text)}
                    for f in record.follow_ups
                ],
            )
        await stage(session, orm.outbox, settings, [event])
        await close_requests(session, talk_id, record.talker_ids, record.talkee_ids, now)
    return talk_id


async def check_participants(sessions: async_sessionmaker, record: TalkRecordIn) -> None:
    """Talkees are members; for the rule ids named, each talker holds a committee seat in the talkee's
    organisation or above it (as the talks service's view of the registry knows them)."""
    async with sessions() as session:
        orgs = await directory.orgs_of(session, record.talkee_ids)
        strangers = [t for t in record.talkee_ids if t not in orgs]
        if strangers:
            raise NotAllowed("talkee_ids", f"not members: {strangers}")
        if not set(record.rule_ids) & NEEDS_STANDING:
            return
        parent_of = await directory.ancestry(session, list(set(orgs.values())))
        for talker in record.talker_ids:
            seats = await directory.seats_of(session, talker)
            for talkee, org in orgs.items():
                if not has_standing(seats, directory.chain(org, parent_of)):
                    raise NotAllowed("talker_ids", f"{talker} holds no committee seat over {talkee} for {sorted(record.rule_ids)}")


async def read_talk(
    sessions: async_sessionmaker, cipher: ContentCipher, talk_id: str, reader_id: str | None, auditors: frozenset[str]
) -> dict | None:
    """The record; its content only for those entitled to it. Every request is audited."""
    async with sessions() as session, session.begin():
        row = (await session.execute(select(orm.talks).where(orm.talks.c.talk_id == talk_id))).first()
        if row is None:
            return None
        orgs = await directory.orgs_of(session, list(row.talkee_ids))
        parent_of = await directory.ancestry(session, list(set(orgs.values())))
        seats = await directory.secretaries(session, list(parent_of))
        basis = content_access(reader_id, row.talker_ids, row.talkee_ids, orgs, parent_of, seats, auditors)
        await session.execute(
            insert(orm.content_reads).values(talk_id=talk_id, reader_id=reader_id, granted=basis is not None, basis=basis or "not entitled")
        )
        if basis is None:
            log.warning("content withheld", talk_id=talk_id, reader_id=reader_id)
        follow_ups = (
            await session.execute(
                select(orm.follow_ups.c.follow_up_id, orm.follow_ups.c.owner_id, orm.follow_ups.c.due_date,
                       orm.follow_ups.c.completed_at, orm.follow_ups.c.text_encrypted).where(orm.follow_ups.c.talk_id == talk_id)
            )
        ).all()  # fmt: skip
    talk = dict(row._mapping)
    encrypted = talk.pop("content_encrypted")
    # A measure's text belongs to the record's content: shown only to those entitled to it.
    talk["follow_ups"] = [
        {k: v for k, v in f._mapping.items() if k != "text_encrypted"}
        | ({"text": cipher.decrypt_text(f.text_encrypted)} if basis is not None else {})
        for f in follow_ups
    ]
    talk["content_visible"] = basis is not None
    if basis is not None:
        talk.update(cipher.decrypt(encrypted))
    return talk
