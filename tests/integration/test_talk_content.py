"""Talk content is encrypted at rest; keys rotate without losing old records."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from talks.adapters import orm
from talks.adapters.crypto import ContentCipher, new_key
from talks.application.recording import read_talk, record_talk
from talks.config import TalksSettings
from talks.domain.records import TalkRecordIn
from talks.entrypoints.keys import rotate

SECRET_TEXT = "谈到了家庭困难和思想包袱"
OLD_KEY = new_key()  # every record of this module is written under it, so a rotation can read them all


def record(ids: str) -> TalkRecordIn:
    return TalkRecordIn.model_validate({
        "held_at": datetime.now(UTC).isoformat(), "place": "会议室", "mode": "one_to_one", "kind": "regular",
        "talker_ids": [ids + "s"], "talkee_ids": [ids + "m"], "content": SECRET_TEXT, "problems": "问题", "suggestions": "建议"})  # fmt: skip


@pytest.fixture
def settings(integration_database_url) -> TalksSettings:
    return TalksSettings(DATABASE_URL=integration_database_url)


async def test_content_is_unreadable_in_the_database_without_the_key(sessions, settings, ids):
    cipher = ContentCipher([OLD_KEY])
    talk_id = await record_talk(sessions, settings, cipher, record(ids), recorded_by=ids + "s", correlation_id="c", now=datetime.now(UTC))
    async with sessions() as session:
        raw = await session.scalar(select(orm.talks.c.content_encrypted).where(orm.talks.c.talk_id == talk_id))
    assert SECRET_TEXT.encode() not in raw and "家庭".encode() not in raw
    with pytest.raises(ValueError, match="cannot be decrypted"):
        ContentCipher([new_key()]).decrypt(raw)
    assert (await read_talk(sessions, cipher, talk_id, ids + "m", frozenset()))["content"] == SECRET_TEXT


async def test_a_new_key_keeps_old_records_readable_and_rotation_retires_the_old_key(sessions, settings, ids):
    old, new = OLD_KEY, new_key()
    talk_id = await record_talk(sessions, settings, ContentCipher([old]), record(ids), recorded_by=None, correlation_id="c", now=datetime.now(UTC))
    both = ContentCipher([new, old])
    assert (await read_talk(sessions, both, talk_id, ids + "s", frozenset()))["content"] == SECRET_TEXT
    assert await rotate(settings, both, out=lambda _: None) >= 1
    assert (await read_talk(sessions, ContentCipher([new]), talk_id, ids + "s", frozenset()))["content"] == SECRET_TEXT
    with pytest.raises(ValueError, match="keep its key"):
        await rotate(settings, ContentCipher([new_key()]), out=lambda _: None)  # the only key that reads them is gone


def test_no_key_no_service():
    with pytest.raises(ValueError, match="at least one key"):
        TalksSettings(TALKS_CONTENT_KEYS="").cipher()
    with pytest.raises(ValueError, match="not a Fernet key"):
        TalksSettings(TALKS_CONTENT_KEYS="short").cipher()
