"""Printable record forms (attachments 1 and 2): for one record, and for an organisation's year.
Each record in a form is read as `GET /v1/talks/{id}` reads it: content only where the reader is
entitled to it, and every read audited."""

from zoneinfo import ZoneInfo

from talks.application.ports import Cipher, RenderForms, Row, UnitsOfWork
from talks.application.reading import read_talk
from talks.domain.records import year_window


async def _names(units: UnitsOfWork, talks: list[Row]) -> dict[str, str]:
    people = {p for t in talks for p in (*t["talker_ids"], *t["talkee_ids"], t["recorded_by"] or "")}
    people |= {f["owner_id"] for t in talks for f in t["follow_ups"]}
    async with units() as uow:
        return await uow.directory.names(list(people))


async def record_form(
    units: UnitsOfWork, cipher: Cipher, render: RenderForms, talk_id: str, reader: str | None, auditors: frozenset[str]
) -> bytes | None:
    talk = await read_talk(units, cipher, talk_id, reader, auditors)
    if talk is None:
        return None
    return render([talk], await _names(units, [talk]))


async def year_forms(
    units: UnitsOfWork, cipher: Cipher, render: RenderForms, org_id: str, year: int, reader: str | None, auditors: frozenset[str], tz: ZoneInfo
) -> bytes:
    """Every talk of the year with a talkee who belongs to the organisation, oldest first."""
    async with units() as uow:
        people = await uow.directory.members_of(org_id)
        ids = await uow.talks.ids_held_with_any(people, *year_window(year, tz)) if people else []
    talks = [await read_talk(units, cipher, talk_id, reader, auditors) for talk_id in ids]
    return render(talks, await _names(units, talks), title=f"{org_id} {year}年度谈心谈话记录")
