"""Printable record forms: rendered for a sample record and a sample year, opened, fields found."""

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import docx
import pytest
from sqlalchemy.dialects.postgresql import insert

from talks.adapters import forms, orm
from talks.adapters.crypto import ContentCipher
from talks.adapters.unit_of_work import SqlUnitsOfWork
from talks.application.forms import record_form, year_forms
from talks.application.recording import record_talk
from talks.config import TalksSettings
from talks.domain.records import TalkRecordIn

from .conftest import CONTENT_KEY

BEIJING = ZoneInfo("Asia/Shanghai")

KEY = CONTENT_KEY


def text_of(document: bytes) -> str:
    opened = docx.Document(io.BytesIO(document))
    cells = [cell.text for table in opened.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in opened.paragraphs] + cells)


@pytest.fixture
async def branch(sessions, ids):
    async with sessions() as session, session.begin():
        await session.execute(insert(orm.orgs).values(org_id=ids + "b1", parent_id=None))
        for pid, name in (("sec", "王海燕"), ("m1", "李明"), ("m2", "刘洋")):
            await session.execute(insert(orm.members).values(person_id=ids + pid, name=name, org_id=ids + "b1", active=True))
        await session.execute(insert(orm.roles).values(org_id=ids + "b1", person_id=ids + "sec", role="secretary"))
    return ids


async def test_the_individual_and_collective_forms_and_a_year_render_with_their_fields(sessions, integration_database_url, branch):
    ids, cipher = branch, ContentCipher([KEY])
    settings = TalksSettings(DATABASE_URL=integration_database_url)
    units = SqlUnitsOfWork(sessions, settings)
    held = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
    one = TalkRecordIn.model_validate({
        "held_at": held.isoformat(), "place": "支部活动室", "mode": "one_to_one", "kind": "must_talk", "rule_ids": ["M4"],
        "talker_ids": [ids + "sec"], "talkee_ids": [ids + "m1"], "topics": ["thought", "work"],
        "content": "就受到警告处分一事谈心", "problems": "纪律意识不强", "suggestions": "加强学习",
        "follow_ups": [{"text": "每月交一次思想汇报", "owner_id": ids + "m1", "due_date": "2026-07-15"}]})  # fmt: skip
    many = TalkRecordIn.model_validate({
        "held_at": held.replace(month=7).isoformat(), "place": "会议室", "mode": "many_to_many", "kind": "regular",
        "talker_ids": [ids + "sec", ids + "m2"], "talkee_ids": [ids + "m1"], "topics": ["work"], "theme": "组织生活会前谈心",
        "content": "集体谈心内容"})  # fmt: skip
    one_id = await record_talk(units, cipher, one, recorded_by=ids + "sec", correlation_id="c", now=datetime.now(UTC))
    await record_talk(units, cipher, many, recorded_by=ids + "sec", correlation_id="c", now=datetime.now(UTC))

    form = text_of(await record_form(units, cipher, forms.render, one_id, ids + "sec", frozenset()))
    for expected in ("谈心谈话记录表", "谈话时间", "2026年06月15日 09:30", "支部活动室", "谈话人", "王海燕", "谈话对象", "李明",
                     "必谈", "一对一", "M4", "思想、工作", "就受到警告处分一事谈心", "纪律意识不强", "加强学习",
                     "每月交一次思想汇报（责任人：李明，完成时限：2026-07-15）", "第1版"):  # fmt: skip
        assert expected in form, expected

    withheld = text_of(await record_form(units, cipher, forms.render, one_id, ids + "stranger", frozenset()))
    assert "就受到警告处分一事谈心" not in withheld and "（无权查看）" in withheld and "李明" in withheld

    year = text_of(await year_forms(units, cipher, forms.render, ids + "b1", 2026, ids + "sec", frozenset(), BEIJING))
    assert "2026年度谈心谈话记录" in year
    assert "谈心谈话记录表" in year and "集体谈心谈话记录表" in year and "主持人" in year and "集体谈心内容" in year and "组织生活会前谈心" in year
    empty = text_of(await year_forms(units, cipher, forms.render, ids + "b1", 2025, ids + "sec", frozenset(), BEIJING))
    assert "本年度无谈心谈话记录" in empty
