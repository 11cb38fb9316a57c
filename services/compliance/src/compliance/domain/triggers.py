"""Which must-talk obligations an event calls for (SPEC §3.2). Pure: event data in, triggers out.

A trigger names the subject and either one rule, or an (M, C) pair decided by the subject's roles
at the trigger's time (discipline → M4/C5, adverse report → M4/C3, hardship → M5/C6).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from pydantic import BaseModel

from compliance.domain.policy import Policy
from talk_contracts import data as d

M3_OBSERVATIONS = frozenset({"superstition", "unreasonable_petition", "mass_incident", "fighting", "gambling"})
SINGLE_RULE_OBSERVATIONS = {
    "vanguard_lacking": "M1",
    "weak_org_concept": "M2",
    "ineffective_performance": "C4",
    "low_spirit": "C7",
} | dict.fromkeys(M3_OBSERVATIONS, "M3")
WEAK_RATINGS = frozenset({"basically_qualified", "unqualified"})


@dataclass(frozen=True)
class Trigger:
    subject_id: str
    rules: tuple[str, str] | tuple[str]  # (M, C) chosen by roles, or the one rule
    at: datetime  # when the situation arose: due dates count from here
    ref: str | None = None  # the source's case reference: a retraction cancels by it
    leader_id: str | None = None  # REQ: the leader asked is responsible, not the secretary


def _on(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def triggers_of(data: BaseModel, at: datetime, policy: Policy) -> list[Trigger]:
    """The triggers of one event (`at` is the event's time); none for events that trigger nothing.

    Attendance is not here: three absences in a row need the history (see `absence_streak`)."""
    match data:
        case d.DisciplineActionRecorded():
            return [Trigger(data.person_id, ("M4", "C5"), at, ref=data.case_ref)]
        case d.DisciplineAdverseReportReceived():
            return [Trigger(data.person_id, ("M4", "C3"), at, ref=data.case_ref)]
        case d.WelfareHardshipReported():
            return [Trigger(data.person_id, ("M5", "C6"), at)]
        case d.HonoursCommendationAwarded():
            return [Trigger(data.person_id, ("M6",), at)]
        case d.DuesArrearsRecorded() if data.months >= policy.arrears_months:
            return [Trigger(data.person_id, ("M3",), at)]
        case d.AppraisalRated() if data.rating in WEAK_RATINGS:
            return [Trigger(data.person_id, ("M3",), at)]
        case d.ConductObservationRecorded(kind="conflict"):
            parties = [data.person_id, *(data.counterpart_ids or [])]
            return [Trigger(p, ("C8",), at) for p in dict.fromkeys(parties)]  # one obligation per party
        case d.ConductObservationRecorded() if data.kind in SINGLE_RULE_OBSERVATIONS:
            return [Trigger(data.person_id, (SINGLE_RULE_OBSERVATIONS[data.kind],), at)]
        case d.CadreJobChanged():
            return [Trigger(data.person_id, ("C1",), _on(data.effective_date))]
        case d.CadrePromoted():
            return [Trigger(data.person_id, ("C2",), _on(data.effective_date))]
        case d.TalkRequested():
            return [Trigger(data.person_id, ("REQ",), at, ref=data.request_id, leader_id=data.leader_id)]
    return []


def absence_streak(streak: int, present: bool, policy: Policy) -> tuple[int, bool]:
    """M2 after `absences_in_a_row` absences from organisational life in a row; the streak then restarts."""
    if present:
        return 0, False
    streak += 1
    if streak >= policy.absences_in_a_row:
        return 0, True
    return streak, False


def rule_for(trigger: Trigger, is_committee: bool) -> str:
    """The M rule for an ordinary member, the C rule for anyone holding a committee role."""
    if len(trigger.rules) == 1:
        return trigger.rules[0]
    member_rule, committee_rule = trigger.rules
    return committee_rule if is_committee else member_rule
