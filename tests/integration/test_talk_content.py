"""Talk content is encrypted at rest; keys rotate without losing old records."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from talks.adapters import orm
from talks.adapters.crypto import ContentCipher, new_key
from talks.adapters.unit_of_work import SqlUnitsOfWork
from talks.application.reading import read_talk
from talks.application.recording import record_talk
from talks.config import TalksSettings
from talks.domain.bindings import content_binding
from talks.domain.records import TalkRecordIn
from talks.entrypoints.keys import rotate

from .conftest import CONTENT_KEY

SECRET_TEXT = "谈到了家庭困难和思想包袱"
OLD_KEY = CONTENT_KEY  # every record of the integration tests is written under it


def record(ids: str) -> TalkRecordIn:
    return TalkRecordIn.model_validate({
        "held_at": datetime.now(UTC).isoformat(), "place": "会议室", "mode": "one_to_one", "kind": "regular",
        "talker_ids": [ids + "s"], "talkee_ids": [ids + "m"], "content": SECRET_TEXT, "problems": "问题", "suggestions": "建议"})  # fmt: skip


@pytest.fixture
def settings(integration_database_url) -> TalksSettings:
    return TalksSettings(DATABASE_URL=integration_database_url)


@pytest.fixture
def units(sessions, settings) -> SqlUnitsOfWork:
    return SqlUnitsOfWork(sessions, settings)


async def test_content_is_unreadable_in_the_database_without_the_key(sessions, settings, units, ids):
    cipher = ContentCipher([OLD_KEY])
    talk_id = await record_talk(units, cipher, record(ids), recorded_by=ids + "s", correlation_id="c", now=datetime.now(UTC))
    async with sessions() as session:
        raw = await session.scalar(select(orm.talks.c.content_encrypted).where(orm.talks.c.talk_id == talk_id))
    assert SECRET_TEXT.encode() not in raw and "家庭".encode() not in raw
    with pytest.raises(ValueError, match="no longer configured"):
        ContentCipher([new_key()]).decrypt(raw, content_binding(talk_id, 1))
    assert (await read_talk(units, cipher, talk_id, ids + "m", frozenset()))["content"] == SECRET_TEXT


async def test_content_moved_onto_another_record_or_version_does_not_decrypt(sessions, settings, units, ids):
    """AES-GCM with the record's id and version as associated data: a ciphertext copied elsewhere in
    the database is refused, not shown as the other record's content."""
    cipher = ContentCipher([OLD_KEY])
    mine = await record_talk(units, cipher, record(ids), recorded_by=ids + "s", correlation_id="c", now=datetime.now(UTC))
    other = await record_talk(units, cipher, record(ids + "o"), recorded_by=ids + "s", correlation_id="c", now=datetime.now(UTC))
    async with sessions() as session:
        raw = await session.scalar(select(orm.talks.c.content_encrypted).where(orm.talks.c.talk_id == mine))
        await session.execute(orm.talks.update().where(orm.talks.c.talk_id == other).values(content_encrypted=raw))
        await session.commit()
    try:
        assert cipher.decrypt(raw, content_binding(mine, 1))["content"] == SECRET_TEXT
        for binding in (content_binding(other, 1), content_binding(mine, 2)):
            with pytest.raises(ValueError, match="does not belong to"):
                cipher.decrypt(raw, binding)
        with pytest.raises(ValueError, match="does not belong to"):
            await read_talk(units, cipher, other, ids + "os", frozenset())  # its talker, entitled to its content
    finally:
        async with sessions() as session:  # put it back for the other tests' rotations
            await session.execute(orm.talks.update().where(orm.talks.c.talk_id == other).values(
                content_encrypted=cipher.encrypt({"content": SECRET_TEXT}, content_binding(other, 1))))
            await session.commit()


def test_a_ciphertext_written_before_binding_is_still_read_and_rotation_binds_it():
    from cryptography.fernet import Fernet

    legacy = Fernet(OLD_KEY.encode()).encrypt(b'{"content": "old"}')
    cipher = ContentCipher([OLD_KEY])
    assert cipher.decrypt(legacy, content_binding("t", 1)) == {"content": "old"}
    bound = cipher.rotate(legacy, content_binding("t", 1))
    assert cipher.decrypt(bound, content_binding("t", 1)) == {"content": "old"}
    with pytest.raises(ValueError, match="does not belong to"):
        cipher.decrypt(bound, content_binding("u", 1))


async def test_a_new_key_keeps_old_records_readable_and_rotation_retires_the_old_key(sessions, settings, units, ids):
    old, new = OLD_KEY, new_key()
    talk_id = await record_talk(units, ContentCipher([old]), record(ids), recorded_by=None, correlation_id="c", now=datetime.now(UTC))
    both = ContentCipher([new, old])
    assert (await read_talk(units, both, talk_id, ids + "s", frozenset()))["content"] == SECRET_TEXT
    assert await rotate(settings, both, out=lambda _: None) >= 1
    assert (await read_talk(units, ContentCipher([new]), talk_id, ids + "s", frozenset()))["content"] == SECRET_TEXT
    with pytest.raises(ValueError, match="keep it in TALKS_CONTENT_KEYS"):
        await rotate(settings, ContentCipher([new_key()]), out=lambda _: None)  # the only key that reads them is gone
    await rotate(settings, ContentCipher([OLD_KEY, new]), out=lambda _: None)  # back under the shared key, for other tests


def test_no_key_no_service():
    with pytest.raises(ValueError, match="at least one key"):
        TalksSettings(TALKS_CONTENT_KEYS="").cipher()
    with pytest.raises(ValueError, match="not a key made by"):
        TalksSettings(TALKS_CONTENT_KEYS="short").cipher()


async def test_follow_ups_are_published_due_then_overdue_once_each_and_completed(sessions, settings, units, ids):
    from datetime import date

    from talks.application.common import NotAllowed
    from talks.application.follow_ups import complete, publish_due

    body = record(ids).model_dump() | {"follow_ups": [{"text": "每周学习一次", "owner_id": ids + "m", "due_date": date(2031, 5, 10)}]}
    talk_id = await record_talk(units, ContentCipher([OLD_KEY]), TalkRecordIn.model_validate(body), recorded_by=None, correlation_id="c", now=datetime.now(UTC))

    async def published() -> list[str]:
        async with sessions() as session:
            rows = await session.execute(select(orm.outbox.c.event_type, orm.outbox.c.payload).where(orm.outbox.c.key == ids + "m").order_by(orm.outbox.c.id))
            out = [r.event_type for r in rows.all() if r.event_type.startswith("follow_up")]
        return out

    for day, expected in [
        (date(2031, 5, 6), []),
        (date(2031, 5, 7), ["follow_up.due.v1"]),
        (date(2031, 5, 10), ["follow_up.due.v1"]),
        (date(2031, 5, 11), ["follow_up.due.v1", "follow_up.overdue.v1"]),
        (date(2031, 6, 1), ["follow_up.due.v1", "follow_up.overdue.v1"]),
    ]:
        await publish_due(units, day)
        assert await published() == expected, day
    async with sessions() as session:
        [f] = (await session.execute(select(orm.follow_ups).where(orm.follow_ups.c.talk_id == talk_id))).all()
    with pytest.raises(NotAllowed):
        await complete(units, f.follow_up_id, ids + "stranger")
    await complete(units, f.follow_up_id, ids + "m")
    await complete(units, f.follow_up_id, ids + "m")  # twice: one event
    assert (await published())[-1] == "follow_up.completed.v1" and (await published()).count("follow_up.completed.v1") == 1
    async with sessions() as session:
        payloads = (await session.execute(select(orm.outbox.c.payload).where(orm.outbox.c.key == ids + "m"))).scalars().all()
    assert not any("每周学习".encode() in p for p in payloads)  # never the measure's text
    async with sessions() as session:
        stored = await session.scalar(select(orm.follow_ups.c.text_encrypted).where(orm.follow_ups.c.follow_up_id == f.follow_up_id))
    assert "每周学习".encode() not in stored  # encrypted at rest like the rest of the record


async def test_an_amendment_is_a_new_version_and_keeps_the_old_one(sessions, settings, units, ids):
    from talks.application.amendments import amend, versions
    from talks.application.common import NotAllowed
    from talks.domain.amendments import AmendmentIn

    cipher = ContentCipher([OLD_KEY])
    talk_id = await record_talk(units, cipher, record(ids), recorded_by=ids + "s", correlation_id="c", now=datetime.now(UTC))
    with pytest.raises(NotAllowed):
        await amend(units, cipher, talk_id, AmendmentIn(reason="改", content="别人改的"), ids + "m")
    assert await amend(units, cipher, talk_id, AmendmentIn(reason="补充谈话要点", content="补充后的内容"), ids + "s") == 2
    current = await read_talk(units, cipher, talk_id, ids + "s", frozenset())
    assert (current["version"], current["content"], current["problems"]) == (2, "补充后的内容", "问题")
    history = await versions(units, cipher, talk_id, ids + "s", frozenset())
    assert [(v["version"], v["reason"]) for v in history] == [(1, None), (2, "补充谈话要点")]
    assert await amend(units, cipher, talk_id, AmendmentIn(reason="再次更正", content="第三版"), ids + "s") == 3
    history = await versions(units, cipher, talk_id, ids + "s", frozenset())  # every version keeps its own reason
    assert [(v["version"], v["reason"]) for v in history] == [(1, None), (2, "补充谈话要点"), (3, "再次更正")]
    with pytest.raises(PermissionError):  # the history is the record's: not for a stranger
        await versions(units, cipher, talk_id, ids + "stranger", frozenset())
    async with sessions() as session:  # the reason is nowhere in the clear
        row = (await session.execute(select(orm.talks).where(orm.talks.c.talk_id == talk_id))).one()
    assert row.amendment_reason is None and "再次更正".encode() not in row.content_encrypted
    async with sessions() as session:
        old = await session.scalar(select(orm.talk_versions.c.content_encrypted).where(orm.talk_versions.c.talk_id == talk_id))
    assert cipher.decrypt(old, content_binding(talk_id, 1))["content"] == SECRET_TEXT  # nothing overwritten (version 1 kept first)
    # rotation re-encrypts the earlier version too: afterwards only the new key is needed for it
    new = new_key()
    await rotate(settings, ContentCipher([new, OLD_KEY]), out=lambda _: None)
    async with sessions() as session:
        old = await session.scalar(select(orm.talk_versions.c.content_encrypted).where(orm.talk_versions.c.talk_id == talk_id))
    assert ContentCipher([new]).decrypt(old, content_binding(talk_id, 1))["content"] == SECRET_TEXT
    await rotate(settings, ContentCipher([OLD_KEY, new]), out=lambda _: None)  # back under the shared key, for other tests
