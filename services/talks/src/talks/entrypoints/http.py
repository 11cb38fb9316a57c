"""HTTP routes of the talks service (SPEC §8)."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError

from kernel.http import correlation_id_of
from talks.application.recording import read_talk, record_talk
from talks.domain.records import TalkRecordIn

router = APIRouter(prefix="/v1", tags=["talks"])
PersonHeader = Annotated[str | None, Header(alias="X-Person-Id", description="Who asks (until real tokens)")]


@router.post("/talks", status_code=201, summary="Record a talk (attachment 1)")
async def post_talk(record: TalkRecordIn, request: Request, x_person_id: PersonHeader = None) -> dict:
    runtime = request.app.state.runtime
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
    talk = await read_talk(request.app.state.runtime.sessions, request.app.state.cipher, talk_id, x_person_id)
    if talk is None:
        raise HTTPException(404, f"no talk {talk_id!r}")
    return talk
