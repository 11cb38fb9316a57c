"""HTTP routes of the registry (SPEC §8): the event intake and the organisation queries."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from kernel.http import Offset, correlation_id_of
from registry.application.intake import Refused, Unprocessable, accept, validate
from registry.application.ports import Ports, RegistryReads
from registry.config import Credential
from registry.entrypoints.auth import caller, system_source
from registry.entrypoints.content_modes import Unreadable, items_of
from registry.entrypoints.sight import Seen

router = APIRouter(prefix="/v1", tags=["registry"])

_EVENTS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            media: {"schema": {"oneOf": [{"$ref": "#/components/schemas/CloudEvent"}, {"type": "array"}]}}
            for media in ("application/cloudevents+json", "application/cloudevents-batch+json", "application/json")
        },
    }
}


def _ports(request: Request) -> Ports:
    return request.app.state.ports  # set by create_app


def _reads(request: Request) -> RegistryReads:
    return _ports(request).reads


def _unprocessable(rejected: list[dict], message: str) -> JSONResponse:
    return JSONResponse({"detail": message, "rejected": rejected}, status_code=422)


@router.post("/events", status_code=202, openapi_extra=_EVENTS_BODY, summary="Hand in events from an integrated system")
async def post_events(request: Request, credential: Annotated[Credential, Depends(caller)]) -> JSONResponse:
    """One CloudEvent (structured, or binary: attributes in `ce-*` headers, the data as the body) or a
    JSON array of them, from an integrated system named by its bearer token.
    All are accepted, or none: `422` lists every problem by the event's index and id; `403` when the
    system may not send a family; `413` past the batch limit. A duplicate id is accepted again
    without effect."""
    try:
        items = items_of(request.headers, await request.body())
    except Unreadable as unreadable:
        return _unprocessable([{"index": None, "id": None, "errors": [{"loc": "(body)", "msg": unreadable.msg}]}], "malformed body")
    runtime = request.app.state.runtime
    if len(items) > runtime.settings.max_batch:
        raise HTTPException(413, f"{len(items)} events in one batch; at most {runtime.settings.max_batch}")
    events, rejections = validate(items, correlation_id_of(request))
    if rejections:
        rejected = [{"index": r.index, "id": r.event_id, "errors": r.errors} for r in sorted(rejections, key=lambda r: r.index)]
        return _unprocessable(rejected, f"{len(rejected)} of {len(items)} events rejected; none accepted")
    foreign = sorted({e.kind.family for e in events} - set(credential.families))
    if foreign:
        raise HTTPException(403, f"{credential.system} may send {sorted(credential.families)} events, not {foreign}; none accepted")
    # Recorded as sent by the system the credential belongs to, whatever `source` the body says.
    events = [replace(e, envelope=e.envelope.model_copy(update={"source": system_source(credential.system)})) for e in events]
    try:
        result = await accept(_ports(request).intake, events, runtime.settings.zone)
    except Refused as refused:
        breaches = [{"index": b.index, "id": b.event_id, "rule": b.rule, "message": b.message} for b in refused.breaches]
        return JSONResponse({"detail": f"{len(breaches)} events break the registry's rules; none accepted", "breaches": breaches}, status_code=409)
    except Unprocessable as unfit:
        rejected = [{"index": r.index, "id": r.event_id, "errors": r.errors} for r in unfit.rejections]
        return _unprocessable(rejected, f"{len(rejected)} of {len(items)} events cannot be accepted; none accepted")
    body = {"accepted": result.accepted, "duplicates": result.duplicates, "topic_ids": result.topic_ids}
    if result.warnings:
        body["warnings"] = result.warnings
    return JSONResponse(body, status_code=202)


@router.get("/orgs/{org_id}", summary="An organisation with its parent, children and committee")
async def org(org_id: str, reads: Annotated[RegistryReads, Depends(_reads)], seen: Seen) -> dict:
    await seen.require_org(org_id)
    found = await reads.org(org_id)
    if found is None:
        raise HTTPException(404, f"no organisation {org_id!r}")
    return found


@router.get("/orgs/{org_id}/members", summary="Members of an organisation (or its whole subtree), paged")
async def members(
    org_id: str,
    reads: Annotated[RegistryReads, Depends(_reads)],
    response: Response,
    seen: Seen,
    subtree: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> list[dict]:
    await seen.require_org(org_id)
    total, rows = await reads.members(org_id, subtree, limit, offset)
    response.headers["X-Total-Count"] = str(total)
    return rows


@router.get("/people/{person_id}", summary="A person: organisation, and roles with history")
async def person(person_id: str, reads: Annotated[RegistryReads, Depends(_reads)], seen: Seen) -> dict:
    found = await reads.person(person_id)
    if found is None:
        if seen.overseer:
            raise HTTPException(404, f"no person {person_id!r}")
        raise HTTPException(403, "one's own record, or those of an organisation one sits on or oversees")
    await seen.require_person(found)
    return found


@router.get("/orgs/{org_id}/roles", summary="Who held the organisation's roles on a date (default: now)")
async def roles_on(org_id: str, reads: Annotated[RegistryReads, Depends(_reads)], seen: Seen, on: datetime | None = None) -> dict:
    await seen.require_org(org_id)
    when = on or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    holders = await reads.holders_on(org_id, when)
    if holders is None:
        raise HTTPException(404, f"no organisation {org_id!r}")
    return {"org_id": org_id, "on": when, "holders": holders}
