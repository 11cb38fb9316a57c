"""Answers that explain themselves (issue 18), for the dashboard's and the workspace's panels:
GET /v1/obligations/{id}/explanation, an obligation with the reasons it stands as it does, and
GET /v1/coverage/people/{id}/explanation, which of a member's talks counted and why the others did
not. Times are shown in the deployment's calendar."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from compliance.adapters.dashboard_queries import ObligationFilter, list_obligations
from compliance.adapters.queries import CoverageQueries
from compliance.adapters.unit_of_work import BatchUnitOfWork
from compliance.application.coverage_report import coverage as coverage_of
from compliance.application.explain import Explanation, explain, explain_coverage
from compliance.domain.explanation import Walk
from compliance.domain.policy import Policy
from compliance.domain.regulation import CLAUSES, NOTICE
from compliance.entrypoints.http import ObligationOut
from compliance.entrypoints.sight import Seen


class ClauseOut(BaseModel):
    notice: str
    section: str
    name: str
    quote: str


class RuleOut(BaseModel):
    rule_id: str
    rules: list[str]  # the trigger's rules (an M rule and its C rule: the subject's seats chose)
    clause: ClauseOut | None


class TriggerOut(BaseModel):
    event_id: str
    type: str  # '' for an obligation opened before types were kept
    source: str
    time: datetime
    date: date
    ref: str | None
    leader_id: str | None


class StepOut(BaseModel):
    org_id: str
    org_name: str | None
    holder_id: str | None
    holder_name: str | None
    outcome: str  # vacant | held_by_subject | held_by_responsible | answers | passed


class WalkOut(BaseModel):
    at: datetime | None  # None: as of now (an open obligation)
    start: str  # member | committee_member | secretary | leader_asked | leader_left | responsible
    start_org_id: str | None
    start_org_name: str | None
    steps: list[StepOut]
    kind: str  # person | operators
    person_id: str | None
    person_name: str | None
    org_id: str | None
    org_name: str | None


class DueOut(BaseModel):
    trigger_date: date
    days: int
    policy_days: int | None
    due_date: date
    due_soon_from: date
    overdue_from: date
    escalated_from: date
    talk_window_days: int
    time_zone: str


class CauseOut(BaseModel):
    kind: str  # event | tick | waiver | batch
    event_id: str | None
    event_type: str | None
    source: str | None
    time: datetime | None


class TransitionOut(BaseModel):
    transition: str
    status: str
    rule_id: str
    responsible_kind: str
    responsible_id: str | None
    responsible_name: str | None
    responsible_org_id: str | None
    previous_responsible_id: str | None
    previous_responsible_name: str | None
    escalated_to_id: str | None
    due_date: date
    talk_id: str | None
    reason: str | None
    cause: CauseOut
    recorded_at: datetime | None


class ExplanationOut(BaseModel):
    obligation: ObligationOut
    rule: RuleOut
    trigger: TriggerOut
    responsibility: WalkOut | None
    escalation: WalkOut | None
    due: DueOut
    history: list[TransitionOut]


class CreditOut(BaseModel):
    rule_id: str
    person_id: str
    counterpart_id: str
    org_id: str


class TalkCountedOut(BaseModel):
    talk_id: str
    held_at: datetime
    mode: str
    talker_ids: list[str]
    talkee_ids: list[str]
    credits: list[CreditOut]  # what it counted towards for this person
    not_member_because: str | None  # collective_not_counted | not_a_talkee | not_a_member_then | no_committee_talker


class CoverageExplanationOut(BaseModel):
    person_id: str
    year: int
    talks: int  # COV-MEMBER talks counted
    target: int
    state: str | None  # covered | pending | at_risk (None: not counted as a member this year)
    next_meeting: date | None
    at_risk_days_left: int
    minimum_talks: int
    collective_talks_count: bool
    clause: ClauseOut
    talks_judged: list[TalkCountedOut]


def build_explanations(policy: Policy, today: Callable[[], date]) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["compliance"])
    zone = policy.zone

    def local(at: datetime | None) -> datetime | None:
        return at.astimezone(zone) if at is not None else None

    def walk_out(w: Walk | None, names: dict[str, str]) -> WalkOut | None:
        if w is None:
            return None
        steps = [StepOut(org_id=s.org_id, org_name=names.get(s.org_id), holder_id=s.holder_id, holder_name=names.get(s.holder_id or ""), outcome=s.outcome) for s in w.steps]
        return WalkOut(
            at=local(w.at), start=w.start, start_org_id=w.start_org_id, start_org_name=names.get(w.start_org_id or ""), steps=steps,
            kind=w.kind, person_id=w.person_id, person_name=names.get(w.person_id or ""), org_id=w.org_id, org_name=names.get(w.org_id or ""),
        )  # fmt: skip

    def answer(found: Explanation, row: dict) -> ExplanationOut:
        ob, names = found.obligation, found.names
        clause = found.clause
        return ExplanationOut(
            obligation=ObligationOut(**row),
            rule=RuleOut(
                rule_id=ob.rule_id, rules=list(ob.rules),
                clause=ClauseOut(notice=NOTICE, section=clause.section, name=clause.name, quote=clause.quote) if clause else None,
            ),
            trigger=TriggerOut(
                event_id=ob.trigger_event_id, type=ob.trigger_type, source=ob.trigger_source, time=local(ob.triggered_at),
                date=ob.trigger_date, ref=ob.trigger_ref, leader_id=ob.leader_id,
            ),
            responsibility=walk_out(found.responsibility, names),
            escalation=walk_out(found.escalation, names),
            due=DueOut(**vars(found.due)),
            history=[
                TransitionOut(
                    transition=t.transition, status=t.status, rule_id=t.rule_id, responsible_kind=t.responsible_kind,
                    responsible_id=t.responsible_id, responsible_name=names.get(t.responsible_id or ""),
                    responsible_org_id=t.responsible_org_id, previous_responsible_id=t.previous_responsible_id,
                    previous_responsible_name=names.get(t.previous_responsible_id or ""), escalated_to_id=t.escalated_to_id,
                    due_date=t.due_date, talk_id=t.fulfilled_by, reason=t.reason,
                    cause=CauseOut(kind=t.cause.kind, event_id=t.cause.event_id, event_type=t.cause.event_type,
                                   source=t.cause.source, time=local(t.cause.time)),
                    recorded_at=local(t.recorded_at),
                )
                for t in found.history
            ],
        )  # fmt: skip

    @router.get("/obligations/{obligation_id}/explanation", response_model=ExplanationOut)
    async def explanation(request: Request, obligation_id: str, seen: Seen) -> ExplanationOut:
        """Why this obligation stands as it does: the rule and the clause of the notice it comes
        from, the triggering event, who must act and how the search up the tree found them
        (vacant seats skipped, the operators at the root), how the due date was counted, and every
        step it went through with its cause (an event, the daily tick, an operator's waiver).
        Its responsible person, whoever it was escalated to, and whoever sees its organisation may
        ask; 404 when there is no such obligation."""
        runtime = request.app.state.runtime
        async with runtime.snapshots() as session:
            _, rows = await list_obligations(session, ObligationFilter(obligation_id=obligation_id), limit=1, offset=0)
            if not rows:
                raise HTTPException(404, f"no obligation {obligation_id!r}")
            row = rows[0]
            if seen.caller.person_id not in (row["responsible_id"], row["escalated_to_id"]):
                await seen.require_org(row["org_id"])
            # Read through the projection's own rows, as the rules read them; nothing is written.
            found = await explain(BatchUnitOfWork(session, runtime.settings, policy), obligation_id, policy)
        if found is None:  # gone between the two reads: never, obligations are not deleted
            raise HTTPException(404, f"no obligation {obligation_id!r}")
        return answer(found, row)

    @router.get("/coverage/people/{person_id}/explanation", response_model=CoverageExplanationOut)
    async def coverage_explanation(
        request: Request, person_id: str, seen: Seen, year: Annotated[int | None, Query(ge=1921, le=2200)] = None
    ) -> CoverageExplanationOut:
        """A member's coverage for a year (COV-MEMBER): their state, and each talk they took part in —
        what it counted towards, or why it did not count (a collective talk where policy does not count
        them, the member only talking, not a member then, no talker on their organisation's committee).
        The member themselves, or whoever sees their organisation, may ask."""
        runtime, now = request.app.state.runtime, today()
        year = year or now.year
        async with runtime.snapshots() as session:
            found = await coverage_of(CoverageQueries(session, policy.time_zone), policy, org_id=None, subtree=False, year=year, today=now, person_id=person_id)
            [row] = found.rows["COV-MEMBER"] or [None]
            if person_id != seen.caller.person_id:
                if row is None:
                    raise HTTPException(404, f"{person_id!r} is not counted as a member in {year}")
                await seen.require_org(row["org_id"])
            judged = await explain_coverage(BatchUnitOfWork(session, runtime.settings, policy), person_id, year, policy)
        if judged is None:
            raise HTTPException(404, f"no person {person_id!r}")
        clause = CLAUSES["COV-MEMBER"]
        return CoverageExplanationOut(
            person_id=person_id, year=year, talks=row["talks"] if row else 0, target=policy.coverage_target_talks,
            state=row["state"] if row else None, next_meeting=row.get("next_meeting") if row else None,
            at_risk_days_left=policy.at_risk_days_left, minimum_talks=policy.coverage_min_talks,
            collective_talks_count=policy.collective_talks_count,
            clause=ClauseOut(notice=NOTICE, section=clause.section, name=clause.name, quote=clause.quote),
            talks_judged=[
                TalkCountedOut(
                    talk_id=j.talk.talk_id, held_at=local(j.talk.held_at), mode=j.talk.mode, talker_ids=sorted(j.talk.talker_ids),
                    talkee_ids=sorted(j.talk.talkee_ids), not_member_because=j.not_member_because,
                    credits=[CreditOut(rule_id=c.rule_id, person_id=c.person_id, counterpart_id=c.counterpart_id, org_id=c.org_id) for c in j.credits],
                )
                for j in sorted(judged, key=lambda j: j.talk.held_at)
            ],
        )  # fmt: skip

    return router
