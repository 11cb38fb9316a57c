"""Printable record forms laid out like the notice's attachments (DOCX, python-docx):
attachment 1, 谈心谈话记录表 (an individual talk), and attachment 2, 集体谈心谈话记录表 (a
many-to-many talk); one record, or an organisation's year with a page per record."""

import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

KINDS = {"regular": "定期谈话", "ad_hoc": "临时约谈", "requested": "应约谈话", "must_talk": "必谈"}
MODES = {"one_to_one": "一对一", "one_to_many": "一对多", "many_to_many": "多对多"}
TOPICS = {"thought": "思想", "work": "工作", "style": "作风", "life": "生活", "family": "家庭"}
WITHHELD = "（无权查看）"
# What XML 1.0 cannot hold (control characters but tab and line breaks, lone surrogates, U+FFFE/F):
# an id or a text that carries one is printed without it rather than failing the whole document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _printable(text: str) -> str:
    return _NOT_XML.sub("", text)


def _document() -> Document:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")  # CJK text in the Song face of the attachments
    return document


def _form(document: Document, talk: dict, names: dict[str, str]) -> None:
    collective = talk["mode"] == "many_to_many"
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run("集体谈心谈话记录表" if collective else "谈心谈话记录表")
    run.bold, run.font.size = True, Pt(16)
    who = lambda ids: "、".join(names.get(i, i) for i in ids)  # noqa: E731
    content = talk.get("content", WITHHELD) if talk.get("content_visible") else WITHHELD
    fields = [
        ("谈话时间", talk["held_at"].strftime("%Y年%m月%d日 %H:%M")),
        ("谈话地点", talk["place"]),
    ]
    if collective:
        fields += [("主持人", who(talk["talker_ids"][:1])), ("参加人员", who(talk["talker_ids"][1:] + talk["talkee_ids"]))]
    else:
        fields += [("谈话人", who(talk["talker_ids"])), ("谈话对象", who(talk["talkee_ids"]))]
    fields += [
        ("谈话类型", KINDS.get(talk["kind"], talk["kind"])),
        ("谈话方式", MODES.get(talk["mode"], talk["mode"])),
        ("对应事项", "、".join(talk["rule_ids"]) or "—"),
        *([("主题", talk.get("theme") or "—" if talk.get("content_visible") else WITHHELD)] if collective else []),
        ("谈话重点", "、".join(TOPICS.get(t, t) for t in talk["topics"]) or "—"),
        ("谈话内容", content),
        ("提出的问题" if collective else "发现的问题", talk.get("problems", WITHHELD) if talk.get("content_visible") else WITHHELD),
        ("意见建议", talk.get("suggestions", WITHHELD) if talk.get("content_visible") else WITHHELD),
        ("整改措施", "\n".join(f"{f.get('text', WITHHELD)}（责任人：{names.get(f['owner_id'], f['owner_id'])}，"
                              f"完成时限：{f['due_date']}）" for f in talk["follow_ups"]) or "—"),
        ("记录人", names.get(talk["recorded_by"] or "", talk["recorded_by"] or "—")),
        ("记录时间", talk["recorded_at"].strftime("%Y年%m月%d日")),
        ("版本", f"第{talk['version']}版" + ("（保密）" if talk["confidential"] else "")),
    ]  # fmt: skip
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in fields:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, _printable(str(value))
        cells[0].paragraphs[0].runs[0].bold = True


def render(talks: list[dict], names: dict[str, str], title: str | None = None) -> bytes:
    document = _document()
    if title:
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading.add_run(_printable(title)).bold = True
    for i, talk in enumerate(talks):
        if i:
            document.add_page_break()
        _form(document, talk, names)
    if not talks:
        document.add_paragraph("本年度无谈心谈话记录。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
