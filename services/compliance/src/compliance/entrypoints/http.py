"""HTTP routes of compliance (SPEC §8): thin, they map query parameters to the read side."""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from compliance.adapters.queries import committee_pair_rows, list_obligations, member_coverage_rows, secretary_coverage_rows
from compliance.domain.coverage import coverage_state
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


class Tally(BaseModel):
    total: int = 0
    covered: int = 0
    pending: int = 0
    at_risk: int = 0

    def add(self, state: str) -> None:
        self.total += 1
        setattr(self, state, getattr(self, state) + 1)


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
        people: bool = True,
    ) -> CoverageOut:
        """COV-MEMBER, COV-SECRETARY and COV-COMMITTEE for a calendar year, for an organisation (its
        members, its subordinate organisations' secretaries, its committee pairs) or its whole subtree."""
        now = today()
        year = year or now.year
        scope = {"org_id": org_id, "subtree": subtree, "year": year, "today": now}
        async with request.app.state.runtime.sessions() as session:
            members = await member_coverage_rows(session, person_id=person_id, **scope)
            secretaries = await secretary_coverage_rows(session, **scope) if not person_id else []
            pairs = await committee_pair_rows(session, **scope) if not person_id else []
        found = {
            "COV-MEMBER": [PersonCoverage(**r, **_state(r, year, now, policy)) for r in members],
            "COV-SECRETARY": [PersonCoverage(**r, **_state(r, year, now, policy)) for r in secretaries],
            "COV-COMMITTEE": [PairCoverage(**r, **_state(r, year, now, policy)) for r in pairs],
        }
        rules = {rule: Tally() for rule in found}
        by_org: dict[str, dict[str, Tally]] = {}
        for rule, items in found.items():
            for item in items:
                rules[rule].add(item.state)
                by_org.setdefault(item.org_id, {r: Tally() for r in found})[rule].add(item.state)
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
            by_org=[OrgTally(org_id=o, rules=t) for o, t in sorted(by_org.items())],
            people=found["COV-MEMBER"] if people else [],
            secretaries=found["COV-SECRETARY"] if people else [],
            committee_pairs=found["COV-COMMITTEE"] if people else [],
        )

    return router


def _state(row: dict, year: int, today: date, policy: Policy) -> dict:
    state = coverage_state(row["talks"], year, today, policy, row.get("next_meeting"))
    return {"target": state.target, "state": state.state}
