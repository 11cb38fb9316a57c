"""HTTP routes of compliance (SPEC §8): thin, they map query parameters to the read side."""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from compliance.adapters.queries import list_obligations, member_talk_counts
from compliance.domain.coverage import member_coverage
from compliance.domain.policy import Policy

Status = Literal["open", "due_soon", "overdue", "escalated", "reassigned", "fulfilled", "fulfilled_late", "cancelled"]


class ObligationOut(BaseModel):
    obligation_id: str
    rule_id: str
    subject_id: str
    responsible_id: str | None
    org_id: str
    due_date: date
    status: str
    trigger_event_id: str
    escalated_to_id: str | None
    fulfilled_by: str | None


class PersonCoverage(BaseModel):
    person_id: str
    name: str
    org_id: str
    talks: int
    target: int
    state: Literal["covered", "pending", "at_risk"]


class CoverageOut(BaseModel):
    rule_id: Literal["COV-MEMBER"] = "COV-MEMBER"
    year: int
    org_id: str | None
    subtree: bool
    members: int
    covered: int
    pending: int
    at_risk: int
    people: list[PersonCoverage]


def build_router(policy: Policy, today: Callable[[], date]) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["compliance"])

    @router.get("/obligations", response_model=list[ObligationOut])
    async def obligations(
        request: Request,
        response: Response,
        org_id: str | None = None,
        subtree: bool = False,
        status: Annotated[list[Status], Query()] = [],
        subject_id: str | None = None,
        responsible_id: str | None = None,
        rule_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[dict]:
        """Obligations, filtered; `X-Total-Count` tells how many match in all (page with limit/offset)."""
        async with request.app.state.runtime.sessions() as session:
            total, rows = await list_obligations(
                session,
                org_id=org_id,
                subtree=subtree,
                status=list(status),
                subject_id=subject_id,
                responsible_id=responsible_id,
                rule_id=rule_id,
                limit=limit,
                offset=offset,
            )
        response.headers["X-Total-Count"] = str(total)
        return rows

    @router.get("/coverage", response_model=CoverageOut)
    async def coverage(
        request: Request,
        org_id: str | None = None,
        year: Annotated[int | None, Query(ge=1921, le=2200)] = None,
        subtree: bool = False,
        person_id: str | None = None,
    ) -> CoverageOut:
        """COV-MEMBER for a year: per person, and counted for the organisation (or its subtree)."""
        now = today()
        year = year or now.year
        async with request.app.state.runtime.sessions() as session:
            rows = await member_talk_counts(session, org_id=org_id, subtree=subtree, person_id=person_id, year=year)
        people = [PersonCoverage(**r, **_state(r["talks"], year, now, policy)) for r in rows]
        counts = {s: sum(1 for p in people if p.state == s) for s in ("covered", "pending", "at_risk")}
        return CoverageOut(year=year, org_id=org_id, subtree=subtree, members=len(people), people=people, **counts)

    return router


def _state(talks: int, year: int, today: date, policy: Policy) -> dict:
    state = member_coverage(talks, year, today, policy)
    return {"target": state.target, "state": state.state}
