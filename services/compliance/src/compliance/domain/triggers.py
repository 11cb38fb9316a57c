"""Which must-talk obligations an event calls for (SPEC §3.2). Pure: event data in, triggers out.

A trigger names the subject and either one rule, or an (M, C) pair decided by the subject's seats on
the trigger's date (discipline and `rule_violation` → M4/C5, adverse report → M4/C3, hardship and
`emotional_fluctuation` → M5/C6).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from compliance.domain.history import Person, Seat, committee_on
from compliance.domain.obligations import Trigger
from compliance.domain.policy import Policy
from talk_contracts import data as d
from talk_contracts.calendar import local_date, start_of

M3_OBSERVATIONS = frozenset({
    "superstition", "unreasonable_petition", "mass_incident", "fighting", "gambling",
    "dues_underpaid", "absent_from_activities", "duties_unfulfilled",
})  # fmt: skip
OBSERVATION_RULES: dict[str, tuple[str, ...]] = {
    "vanguard_lacking": ("M1",),
    "weak_org_concept": ("M2",),
    "rule_violation": ("M4", "C5"),
    "emotional_fluctuation": ("M5", "C6"),
    "ineffective_performance": ("C4",),
    "low_spirit": ("C7",),
} | dict.fromkeys(M3_OBSERVATIONS, ("M3",))
WEAK_RATINGS = frozenset({"basically_qualified", "unqualified"})
# C1 and C2 are about a seat being left or taken: a seat held the day before, or taken on, the
# effective date counts (SPEC §2).
_AROUND_THE_DATE = frozenset({"C1", "C2"})


def triggers_of(data: BaseModel, at: datetime, policy: Policy) -> list[Trigger]:
    """The triggers of one event (`at`: the event's time); none for events that trigger nothing.
    Attendance is not here: three absences in a row need the history (see `absence_streak`)."""
    tz = policy.zone
    day = local_date(at, tz)

    def on(*rules: str, subject: str | None = None, ref: str | None = None, leader: str | None = None) -> Trigger:
        return Trigger(subject or data.person_id, rules, day, at, ref=ref, leader_id=leader)

    match data:
        case d.DisciplineActionRecorded():
            return [on("M4", "C5", ref=data.case_ref)]
        case d.DisciplineAdverseReportReceived():
            return [on("M4", "C3", ref=data.case_ref)]
        case d.WelfareHardshipReported():
            return [on("M5", "C6")]
        case d.HonoursCommendationAwarded():
            return [on("M6")]
        case d.DuesArrearsRecorded() if data.months >= policy.arrears_months:
            return [on("M3")]
        case d.AppraisalRated() if data.rating in WEAK_RATINGS:
            return [on("M3")]
        case d.ConductObservationRecorded(kind="conflict"):  # one obligation per party
            return [on("C8", subject=p) for p in dict.fromkeys([data.person_id, *(data.counterpart_ids or [])])]
        case d.ConductObservationRecorded() if data.kind in OBSERVATION_RULES:
            return [on(*OBSERVATION_RULES[data.kind])]
        case d.CadreJobChanged() | d.CadrePromoted():
            rule = "C1" if isinstance(data, d.CadreJobChanged) else "C2"
            return [Trigger(data.person_id, (rule,), data.effective_date, start_of(data.effective_date, tz))]
        case d.TalkRequested():
            return [on("REQ", ref=data.request_id, leader=data.leader_id)]
    return []


def absence_streak(streak: int, present: bool, policy: Policy) -> tuple[int, bool]:
    """M2 after `absences_in_a_row` absences from organisational life in a row; the streak then restarts."""
    if present:
        return 0, False
    streak += 1
    if streak >= policy.absences_in_a_row:
        return 0, True
    return streak, False


def choose_rule(trigger: Trigger, subject: Person, seats: Sequence[Seat], tz: ZoneInfo) -> tuple[str, bool]:
    """The rule the subject's seats on the trigger's date call for, and whether the trigger is
    refused: a C rule alone about someone holding no committee seat (SPEC §3.2). An M rule alone
    opens the M rule whoever the subject is; REQ is every member's."""
    days = [subject.clamp(trigger.day, tz)]
    if _AROUND_THE_DATE & set(trigger.rules):
        days.append(subject.clamp(trigger.day - timedelta(days=1), tz))
    committee = committee_on(seats, days, tz)
    if len(trigger.rules) == 2:
        member_rule, committee_rule = trigger.rules
        return (committee_rule if committee else member_rule), False
    rule = trigger.rules[0]
    return rule, rule.startswith("C") and not committee
