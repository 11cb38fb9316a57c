"""HTTP routes of compliance (SPEC §8): thin, they map query parameters to the read side."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from compliance.adapters.dashboard_queries import ObligationFilter, list_obligations
from compliance.adapters.queries import CoverageQueries
from compliance.adapters.unit_of_work import units_of_work
from compliance.application.coverage_report import Counted, Tally, coverage_counted
from compliance.application.coverage_report import coverage as coverage_of
from compliance.application.waivers import WaiverRefused, waive
from compliance.domain.policy import Policy
from compliance.entrypoints.sight import Seen
from kernel import heap
from kernel.http import Offset

Status = Literal["open", "due_soon", "overdue", "escalated", "reassigned", "fulfilled", "fulfilled_late", "cancelled", "waived"]


class ObligationOut(BaseModel):
    obligation_id: str
    rule_id: str
    subject_id: str
    responsible_kind: Literal["person", "operators"] = "person"
    responsible_id: str | None
    responsible_org_id: str | None = None
    org_id: str
    due_date: date
    status: str
    trigger_event_id: str
    escalated_to_id: str | None
    fulfilled_by: str | None
    triggered_at: datetime
    trigger_date: date | None = None
    reason: str | None = None  # why it was cancelled or waived
    subject_name: str | None = None
    responsible_name: str | None = None
    org_name: str | None = None


State = Literal["covered", "pending", "at_risk"]


class Covered(BaseModel):
    talks: int
    target: int
    state: State
    next_meeting: date | None = None


class PersonCoverage(Covered):
    person_id: str
    name: str | None
    org_id: str


class PairCoverage(Covered):
    org_id: str
    person_id: str
    counterpart_id: str


class OrgTally(BaseModel):
    org_id: str
    rules: dict[str, Tally]


class CoverageOut(BaseModel):
    """COV-MEMBER at the top level (members, covered, pending, at_risk, people); every rule in `rules`;
    per organisation in `by_org`. Lists of people and pairs only with `people=true`."""

    year: int
    org_id: str | None
    subtree: bool
    members: int
    covered: int
    pending: int
    at_risk: int
    rules: dict[str, Tally]
    by_org: list[OrgTally]
    people: list[PersonCoverage] = []
    secretaries: list[PersonCoverage] = []
    committee_pairs: list[PairCoverage] = []


def obligation_filter(
    org_id: str | None = None,
    subtree: bool = False,
    status: Annotated[list[Status], Query()] = [],  # noqa: B006 (FastAPI copies defaults; this is its documented style)
    subject_id: str | None = None,
    responsible_id: str | None = None,
    rule_id: str | None = None,
    min_age_days: Annotated[int | None, Query(ge=0, le=3660, description="opened at least this many days ago")] = None,
    responsible_kind: Literal["person", "operators"] | None = None,
) -> ObligationFilter:
    return ObligationFilter(org_id, subtree, list(status), subject_id, responsible_id, rule_id, min_age_days, responsible_kind)


Filter = Annotated[ObligationFilter, Depends(obligation_filter)]


class Waiver(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="why the operators close it (kept and published)")


def build_router(policy: Policy, today: Callable[[], date]) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["compliance"])

    @router.post("/obligations/{obligation_id}/waive", response_model=ObligationOut)
    async def waive_obligation(request: Request, obligation_id: str, body: Waiver, seen: Seen) -> dict:
        """(v2) Operators close an obligation they own (`responsible_kind: operators`) with a reason:
        status `waived`. 404 when there is no such obligation; 409 when it is not open or not theirs."""
        runtime = request.app.state.runtime
        if not seen.caller.has("operator"):
            raise HTTPException(403, "only operators waive an obligation")
        async with runtime.sessions() as session:
            _, found = await list_obligations(session, ObligationFilter(obligation_id=obligation_id), limit=1, offset=0)
        if found:
            await seen.require_org(found[0]["org_id"])
        units = units_of_work(runtime.serializable, runtime.settings, policy)  # beside the batches (kernel.consumer)
        try:
            await waive(units, policy, obligation_id, body.reason, datetime.now(UTC), today())
        except WaiverRefused as refused:
            raise HTTPException(404 if refused.missing else 409, str(refused)) from None
        async with runtime.sessions() as session:
            _, rows = await list_obligations(session, ObligationFilter(obligation_id=obligation_id), limit=1, offset=0)
        return rows[0]

    @router.get("/obligations", response_model=list[ObligationOut])
    async def obligations(
        request: Request,
        response: Response,
        where: Filter,
        seen: Seen,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Offset = 0,
        order: Literal["due", "recent"] = "due",
    ) -> list[dict]:
        """Obligations, filtered; `X-Total-Count` tells how many match in all (page with limit/offset);
        the earliest due first, or (`order=recent`) the most recently changed. Within the caller's
        sight: an organisation they oversee or sit on, or (without `org_id`) what they are responsible for."""
        where = await seen.narrow(where)
        async with request.app.state.runtime.snapshots() as session:
            total, rows = await list_obligations(session, where, limit=limit, offset=offset, recent_first=order == "recent")
        response.headers["X-Total-Count"] = str(total)
        return rows

    @router.get("/coverage", response_model=CoverageOut)
    async def coverage(
        request: Request,
        seen: Seen,
        org_id: str | None = None,
        year: Annotated[int | None, Query(ge=1921, le=2200)] = None,
        subtree: bool = False,
        person_id: str | None = None,
        people: bool = True,
    ) -> CoverageOut | Response:
        """COV-MEMBER, COV-SECRETARY and COV-COMMITTEE for a calendar year, for an organisation (its
        members, its subordinate organisations' secretaries, its committee pairs) or its whole subtree."""
        if org_id is None and person_id is not None and person_id == seen.caller.person_id:
            pass  # one's own coverage
        else:
            await seen.require_org(org_id)
        now = today()
        year = year or now.year
        async with request.app.state.runtime.snapshots() as session:
            if people or person_id:
                found = await coverage_of(CoverageQueries(session, policy.time_zone), policy, org_id=org_id, subtree=subtree, year=year, today=now, person_id=person_id)
            else:
                found = await coverage_counted(CoverageQueries(session, policy.time_zone), policy, org_id=org_id, subtree=subtree, year=year, today=now)
                return _counted_answer(found, year=year, org_id=org_id, subtree=subtree)
        counted = found.counted()
        rules = counted.tallies()
        member = rules["COV-MEMBER"]
        return CoverageOut(
            year=year,
            org_id=org_id,
            subtree=subtree,
            members=member.total,
            covered=member.covered,
            pending=member.pending,
            at_risk=member.at_risk,
            rules=rules,
            by_org=[OrgTally(org_id=o, rules=t) for o, t in counted.by_org().items()],
            people=found.rows["COV-MEMBER"] if people else [],
            secretaries=found.rows["COV-SECRETARY"] if people else [],
            committee_pairs=found.rows["COV-COMMITTEE"] if people else [],
        )

    return router


def _counted_answer(found: Counted, *, year: int, org_id: str | None, subtree: bool) -> Response:
    """CoverageOut without its lists, written straight to JSON: the whole city's answer carries a
    tally per organisation (10,000), and building and validating a model for each cost more than
    the query (the shape is CoverageOut's; tests/e2e compare it with the listed answer's). orjson:
    the standard library's encoder took 30 ms of it."""
    member = found.totals["COV-MEMBER"]
    with heap.paused():  # a list item for each of the city's 10,000 organisations (kernel.heap)
        body = {
            "year": year, "org_id": org_id, "subtree": subtree,
            "members": member["total"], "covered": member["covered"], "pending": member["pending"], "at_risk": member["at_risk"],
            "rules": found.totals,
            "by_org": [{"org_id": o, "rules": counts} for o, counts in found.orgs.items()],
            "people": [], "secretaries": [], "committee_pairs": [],
        }  # fmt: skip
        return Response(orjson.dumps(body), media_type="application/json")
