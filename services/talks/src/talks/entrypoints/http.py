"""HTTP routes of the talks service (SPEC §8)."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request
from sqlalchemy import select
from fastapi.exceptions import RequestValidationError

from kernel.http import correlation_id_of
from talks.application.recording import NotAllowed, check_participants, read_talk, record_talk
from talks.adapters import orm
from talks.domain.records import TalkRecordIn

router = APIRouter(prefix="/v1", tags=["talks"])
PersonHeader = Annotated[str | None, Header(alias="X-Person-Id", description="Who asks (until real tokens)")]


@router.post("/talks", status_code=201, summary="Record a talk (attachment 1)")
async def post_talk(record: TalkRecordIn, request: Request, x_person_id: PersonHeader = None) -> dict:
    runtime = request.app.state.runtime
    try:
        await check_participants(runtime.sessions, record)
    except NotAllowed as exc:
        raise RequestValidationError([{"loc": ("body", exc.loc), "msg": str(exc), "type": "value_error"}]) from None
    try:
        talk_id = await record_talk(
            runtime.sessions,
            runtime.settings,
            request.app.state.cipher,
            record,
            recorded_by=x_person_id,
            correlation_id=correlation_id_of(request),
            now=datetime.now(UTC),
        )
    except ValueError as exc:
        raise RequestValidationError([{"loc": ("body", "held_at"), "msg": str(exc), "type": "value_error"}]) from None
    return {"talk_id": talk_id}


@router.get("/talks/{talk_id}", summary="A talk record: content only for those entitled to it")
async def get_talk(talk_id: str, request: Request, x_person_id: PersonHeader = None) -> dict:
    runtime = request.app.state.runtime
    talk = await read_talk(runtime.sessions, request.app.state.cipher, talk_id, x_person_id, runtime.settings.auditor_ids())
    if talk is None:
        raise HTTPException(404, f"no talk {talk_id!r}")
    return talk


@router.get("/audit", tags=["operations"], summary="Who asked for which record's content, and whether they got it")
async def audit(
    request: Request,
    talk_id: str | None = None,
    reader_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict]:
    c = orm.content_reads
    where = [c.c.talk_id == talk_id] if talk_id else []
    if reader_id:
        where.append(c.c.reader_id == reader_id)
    async with request.app.state.runtime.sessions() as session:
        rows = await session.execute(select(c).where(*where).order_by(c.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]
