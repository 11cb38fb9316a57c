"""HTTP routes of the talks service (SPEC §8): each maps the wire to one use case and its refusals
to a status code; the use cases are called with the dependencies `talks.bootstrap` wired
(`app.state.talks`)."""

from datetime import UTC, datetime
from datetime import date as date_type
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from kernel.access import Auditor, SignedIn
from kernel.http import correlation_id_of
from kernel.identity import Principal
from kernel.web import attachment
from talks.application.amendments import amend, versions
from talks.application.common import NotAllowed
from talks.application.dossier import dossier
from talks.application.follow_ups import complete, list_follow_ups
from talks.application.forms import record_form, year_forms
from talks.application.ports import Dependencies
from talks.application.reading import audit_trail, read_talk, record_refusal
from talks.application.recording import check_participants, record_talk
from talks.application.requests import request_talk, schedule_meeting, talk_request
from talks.domain.amendments import AmendmentIn
from talks.domain.records import TalkRecordIn

router = APIRouter(prefix="/v1", tags=["talks"])
# Who asks is the signed-in person of the bearer token (kernel.access); an auditor by the token's role.
Caller = Annotated[Principal, SignedIn]


def _auditors(caller: Principal) -> frozenset[str]:
    """Auditors read every record's content (each read audited): the caller, if the token says so."""
    return frozenset({caller.person_id}) if caller.has("auditor") else frozenset()


def _talks(request: Request) -> Dependencies:
    return request.app.state.talks


@router.post("/talks", status_code=201, summary="Record a talk (attachment 1)")
async def post_talk(record: TalkRecordIn, request: Request, caller: Caller) -> dict:
    talks = _talks(request)
    if caller.person_id not in record.talker_ids:
        await record_refusal(talks.units, f"talk-by:{','.join(record.talker_ids)}", caller.person_id, "recording in another's name")
        raise HTTPException(403, "a talk is recorded by one of its talkers, in their own name")
    try:
        await check_participants(talks.units, record)
    except NotAllowed as exc:
        raise _unprocessable(exc) from None
    try:
        talk_id = await record_talk(
            talks.units,
            talks.cipher,
            record,
            recorded_by=caller.person_id,
            correlation_id=correlation_id_of(request),
            now=datetime.now(UTC),
        )
    except ValueError as exc:
        raise RequestValidationError([{"loc": ("body", "held_at"), "msg": str(exc), "type": "value_error"}]) from None
    return {"talk_id": talk_id}


@router.get("/talks/{talk_id}", summary="A talk record: content only for those entitled to it")
async def get_talk(talk_id: str, request: Request, caller: Caller) -> dict:
    talks = _talks(request)
    talk = await read_talk(talks.units, talks.cipher, talk_id, caller.person_id, _auditors(caller))
    if talk is None:
        raise HTTPException(404, f"no talk {talk_id!r}")
    return talk


@router.get("/audit", tags=["operations"], summary="Who asked for which record's content, and whether they got it")
async def audit(
    request: Request,
    _: Annotated[Principal, Auditor],
    talk_id: str | None = None,
    reader_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict]:
    return await audit_trail(_talks(request).units, talk_id, reader_id, limit)


def _unprocessable(exc: NotAllowed) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", exc.loc), "msg": str(exc), "type": "value_error"}])


class TalkRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    leader_id: str = Field(min_length=1, max_length=200, description="the leader asked: their secretary, a committee member, or a leader above")
    person_id: str | None = Field(None, description="the member asking: the signed-in caller (may be left out)")


@router.post("/talk-requests", status_code=201, summary="A member asks a named leader for a talk (REQ)")
async def post_talk_request(body: TalkRequestIn, request: Request, caller: Caller) -> dict:
    person_id = caller.person_id
    if body.person_id not in (None, person_id):
        await record_refusal(_talks(request).units, f"request-by:{body.person_id}", person_id, "asking in another's name")
        raise HTTPException(403, "a member asks for a talk in their own name")
    try:
        request_id = await request_talk(_talks(request).units, person_id=person_id, leader_id=body.leader_id, correlation_id=correlation_id_of(request))
    except NotAllowed as exc:
        raise _unprocessable(exc) from None
    return {"request_id": request_id}


@router.get("/talk-requests/{request_id}", summary="A talk request: open, or closed by the talk that met it")
async def get_talk_request(request_id: str, request: Request, caller: Caller) -> dict:
    found = await talk_request(_talks(request).units, request_id)
    # Someone else's request is answered as if it did not exist: its existence is the member's business.
    if found is None or caller.person_id not in (found["person_id"], found["leader_id"]) and not caller.has("auditor"):
        raise HTTPException(404, f"no talk request {request_id!r}")
    return found


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    org_id: str = Field(min_length=1, max_length=200)
    date: date_type
    kind: Literal["mid_year", "year_end", "other"]


@router.post("/meetings", status_code=201, summary="Schedule an organisational-life meeting (组织生活会)")
async def post_meeting(body: MeetingIn, request: Request, caller: Caller) -> dict:
    try:
        meeting_id = await schedule_meeting(
            _talks(request).units, org_id=body.org_id, day=body.date, kind=body.kind,
            scheduled_by=caller.person_id, correlation_id=correlation_id_of(request),
        )  # fmt: skip
    except NotAllowed as exc:
        raise _unprocessable(exc) from None
    return {"meeting_id": meeting_id}


@router.get("/follow-ups", summary="Follow-up measures (整改措施), by owner; open ones only by default")
async def follow_ups(request: Request, caller: Caller, owner_id: str | None = None, open_only: bool = True) -> list[dict]:
    if owner_id not in (None, caller.person_id) and not caller.has("auditor"):
        await record_refusal(_talks(request).units, f"follow-ups-of:{owner_id}", caller.person_id, "another's follow-up measures")
        raise HTTPException(403, "one's own follow-up measures only")
    return await list_follow_ups(_talks(request).units, owner_id or caller.person_id, open_only)


@router.post("/follow-ups/{follow_up_id}/complete", summary="Mark a follow-up measure done")
async def complete_follow_up(follow_up_id: str, request: Request, caller: Caller) -> dict:
    try:
        return await complete(_talks(request).units, follow_up_id, caller.person_id)
    except LookupError:
        raise HTTPException(404, f"no follow-up {follow_up_id!r}") from None
    except NotAllowed as exc:
        await record_refusal(_talks(request).units, f"follow-up:{follow_up_id}", caller.person_id, str(exc))
        raise HTTPException(403, str(exc)) from None


@router.post("/talks/{talk_id}/amendments", status_code=201, summary="Amend a record: a new version, with who and why")
async def post_amendment(talk_id: str, change: AmendmentIn, request: Request, caller: Caller) -> dict:
    talks = _talks(request)
    try:
        version = await amend(talks.units, talks.cipher, talk_id, change, caller.person_id)
    except LookupError:
        raise HTTPException(404, f"no talk {talk_id!r}") from None
    except NotAllowed as exc:
        await record_refusal(talks.units, talk_id, caller.person_id, str(exc))
        raise HTTPException(403, str(exc)) from None
    return {"talk_id": talk_id, "version": version}


@router.get("/talks/{talk_id}/versions", summary="A record's history: every version's who, when and why")
async def get_versions(talk_id: str, request: Request, caller: Caller) -> list[dict]:
    talks = _talks(request)
    try:
        found = await versions(talks.units, talks.cipher, talk_id, caller.person_id, _auditors(caller))
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from None
    if not found:
        raise HTTPException(404, f"no talk {talk_id!r}")
    return found


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/talks/{talk_id}/form.docx", summary="The record as a printable form (attachment 1 or 2)", response_class=Response)
async def talk_form(talk_id: str, request: Request, caller: Caller) -> Response:
    talks = _talks(request)
    document = await record_form(talks.units, talks.cipher, talks.render, talk_id, caller.person_id, _auditors(caller))
    if document is None:
        raise HTTPException(404, f"no talk {talk_id!r}")
    return Response(document, media_type=DOCX, headers={"content-disposition": attachment(f"talk-{talk_id}.docx")})


@router.get("/orgs/{org_id}/talk-forms.docx", summary="An organisation's year of records as printable forms", response_class=Response)
async def org_year_forms(
    org_id: str, request: Request, year: Annotated[int, Query(ge=1921, le=2200)], caller: Caller
) -> Response:
    talks = _talks(request)
    document = await year_forms(talks.units, talks.cipher, talks.render, org_id, year, caller.person_id, _auditors(caller), talks.zone)
    return Response(document, media_type=DOCX, headers={"content-disposition": attachment(f"talks-{org_id}-{year}.docx")})


@router.get("/dossiers/{person_id}", summary="A member's yearly dossier: talks, must-talks and how they were met, follow-ups")
async def get_dossier(
    person_id: str, request: Request, year: Annotated[int, Query(ge=1921, le=2200)], caller: Caller
) -> dict:
    talks = _talks(request)
    try:
        found = await dossier(talks.units, person_id, year, caller.person_id, _auditors(caller), talks.zone)
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from None
    if found is None:
        raise HTTPException(404, f"no member {person_id!r}")
    return found
