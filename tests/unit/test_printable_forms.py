"""The printable forms (talks.adapters.forms) hold whatever text they are given: a character XML
cannot hold (here a control character in an organisation id, as the API fuzzer sent one) is left
out of the document instead of failing it with a server error."""

import io
from datetime import UTC, datetime

from docx import Document

from talks.adapters.forms import render


def _text(document: bytes) -> str:
    parsed = Document(io.BytesIO(document))
    cells = [cell.text for table in parsed.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in parsed.paragraphs] + cells)


def test_a_title_and_a_record_with_characters_xml_cannot_hold_are_printed_without_them():
    talk = {
        "mode": "one_to_one", "held_at": datetime(2026, 3, 1, 2, tzinfo=UTC), "place": "会议室\x01", "talker_ids": ["p1"],
        "talkee_ids": ["p2"], "kind": "regular", "rule_ids": [], "topics": [], "content_visible": True, "content": "谈话\x0b内容",
        "problems": "", "suggestions": "", "follow_ups": [], "recorded_by": "p1", "recorded_at": datetime(2026, 3, 1, tzinfo=UTC),
        "version": 1, "confidential": False,
    }  # fmt: skip
    text = _text(render([talk], {"p1": "甲", "p2": "乙"}, title="\x11b 2026年度谈心谈话记录"))
    assert "b 2026年度谈心谈话记录" in text and "会议室" in text and "谈话内容" in text
    assert not any(c in text for c in "\x01\x0b\x11")
