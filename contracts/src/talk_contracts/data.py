"""The `data` of every v1 event type of SPEC §9. Ids are opaque strings from the source system."""

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

Id = str
OrgKind = Literal["city_committee", "working_committee", "party_committee", "general_branch", "branch"]
Role = Literal["secretary", "deputy_secretary", "committee_member"]
SanctionKind = Literal["warning", "serious_warning", "removal_from_party_post", "probation_within_party", "expulsion"]
ObservationKind = Literal[
    "vanguard_lacking",
    "weak_org_concept",
    "superstition",
    "unreasonable_petition",
    "mass_incident",
    "fighting",
    "gambling",
    "ineffective_performance",
    "low_spirit",
    "conflict",
    # (v2) more of §三.1's situations: M3 (不足额交纳党费, 组织活动不能认真及时参加, 党员义务履行不够到位),
    # M4/C5 (违反党纪国法、村规民约, before any formal action), M5/C6 (思想波动、情绪低落)
    "dues_underpaid",
    "absent_from_activities",
    "duties_unfulfilled",
    "rule_violation",
    "emotional_fluctuation",
]
TalkMode = Literal["one_to_one", "one_to_many", "many_to_many"]
TalkKind = Literal["regular", "ad_hoc", "requested", "must_talk"]
RuleId = Literal[
    "COV-MEMBER", "COV-SECRETARY", "COV-COMMITTEE",
    "M1", "M2", "M3", "M4", "M5", "M6",
    "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8",
    "REQ",
]  # fmt: skip
# `reassigned` is a transition, not a resting status since v2; old rows may still carry it.
ObligationStatus = Literal[
    "open", "due_soon", "overdue", "escalated", "reassigned", "fulfilled", "fulfilled_late", "cancelled", "waived"
]
ResponsibleKind = Literal["person", "operators"]


class Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


NonEmpty = Field(min_length=1, max_length=200)


# registry -------------------------------------------------------------------------------------
class OrgRegistered(Data):
    org_id: Id = NonEmpty
    name: str = Field(min_length=1, max_length=500)
    kind: OrgKind
    parent_id: Id | None


class OrgMoved(Data):
    org_id: Id = NonEmpty
    parent_id: Id | None


class OrgDissolved(Data):
    org_id: Id = NonEmpty


class MemberJoined(Data):
    person_id: Id = NonEmpty
    name: str = Field(min_length=1, max_length=500)
    org_id: Id = NonEmpty
    status: Literal["probationary", "full"]
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)


class MemberTransferred(Data):
    person_id: Id = NonEmpty
    from_org_id: Id = NonEmpty
    to_org_id: Id = NonEmpty


class MemberLeft(Data):
    person_id: Id = NonEmpty
    reason: Literal["deceased", "expelled", "withdrew", "transferred_out", "other"]


class MemberContactChanged(Data):
    person_id: Id = NonEmpty
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)


class RoleAssigned(Data):
    org_id: Id = NonEmpty
    person_id: Id = NonEmpty
    role: Role


class RoleEnded(RoleAssigned):
    pass


# cadre ----------------------------------------------------------------------------------------
class CadreJobChanged(Data):
    person_id: Id = NonEmpty
    change: Literal["departure", "retirement", "post_change"]
    effective_date: date
    post: str | None = None


class CadrePromoted(Data):
    person_id: Id = NonEmpty
    kind: Literal["promotion", "new_leading_post", "reserve_listed"]
    effective_date: date
    post: str | None = None


# discipline -----------------------------------------------------------------------------------
class DisciplineActionRecorded(Data):
    person_id: Id = NonEmpty
    case_ref: str = NonEmpty
    action: Literal["criticism", "notified_criticism", "organizational_handling", "sanction"]
    sanction: SanctionKind | None = None


class DisciplineAdverseReportReceived(Data):
    person_id: Id = NonEmpty
    case_ref: str = NonEmpty


class DisciplineActionRetracted(Data):
    """(v2) Names the person, so it is keyed like (and follows) the action it retracts. A v1
    retraction without `person_id` is still accepted: it matches the case reference alone."""

    person_id: Id | None = Field(default=None, min_length=1, max_length=200)
    case_ref: str = NonEmpty


# conduct --------------------------------------------------------------------------------------
class ConductObservationRecorded(Data):
    person_id: Id = NonEmpty
    kind: ObservationKind
    counterpart_ids: list[Id] | None = None


class ConductAttendanceRecorded(Data):
    person_id: Id = NonEmpty
    org_id: Id = NonEmpty
    meeting_date: date
    present: bool


class DuesArrearsRecorded(Data):
    person_id: Id = NonEmpty
    months: int = Field(ge=0, le=1200)


class AppraisalRated(Data):
    person_id: Id = NonEmpty
    year: int = Field(ge=1921, le=2200)
    rating: Literal["excellent", "qualified", "basically_qualified", "unqualified"]


class WelfareHardshipReported(Data):
    person_id: Id = NonEmpty
    kind: Literal["work", "life", "family", "health"]


class HonoursCommendationAwarded(Data):
    person_id: Id = NonEmpty
    title: str = Field(min_length=1, max_length=500)


# talks ----------------------------------------------------------------------------------------
class TalkRecorded(Data):
    """Metadata of a recorded talk. Content never leaves the talks service (SPEC §4)."""

    talk_id: Id = NonEmpty
    held_at: AwareDatetime  # (v2) with its offset: which day (and year) it was held depends on it
    mode: TalkMode
    kind: TalkKind
    talker_ids: list[Id] = Field(min_length=1)
    talkee_ids: list[Id] = Field(min_length=1)
    rule_ids: list[RuleId] = []
    confidential: bool = False


class TalkRequested(Data):
    request_id: Id = NonEmpty
    person_id: Id = NonEmpty
    leader_id: Id = NonEmpty

    @model_validator(mode="after")
    def _not_oneself(self) -> "TalkRequested":
        if self.leader_id == self.person_id:  # (v2) an obligation nobody could fulfil
            raise ValueError("a member cannot ask themselves for a talk: leader_id equals person_id")
        return self


class MeetingScheduled(Data):
    meeting_id: Id = NonEmpty
    org_id: Id = NonEmpty
    date: date
    kind: Literal["mid_year", "year_end", "other"]


class FollowUp(Data):
    talk_id: Id = NonEmpty
    follow_up_id: Id = NonEmpty
    owner_id: Id = NonEmpty
    due_date: date


# compliance -----------------------------------------------------------------------------------
class ObligationChanged(Data):
    obligation_id: Id = NonEmpty
    rule_id: RuleId
    subject_id: Id = NonEmpty
    # (v2) who must act: a person, or the operators of `responsible_org_id`'s subtree (never nobody)
    responsible_kind: ResponsibleKind = "person"
    responsible_id: Id | None
    responsible_org_id: Id | None = None  # the seat's organisation, or where the search stopped
    org_id: Id = NonEmpty
    due_date: date
    status: ObligationStatus
    trigger_event_id: Id = NonEmpty
    escalated_to_id: Id | None = None
    previous_responsible_id: Id | None = None
    fulfilled_by: Id | None = None  # the talk that met it
    reason: str | None = Field(default=None, max_length=500)  # why it was cancelled or waived


class MeetingApproaching(Data):
    """(v2, SPEC §3.6) An organisational-life meeting is 14 (then 3) days away and coverage that
    should come before it is missing: told to the organisation's secretary (operators if vacant)."""

    meeting_id: Id = NonEmpty
    org_id: Id = NonEmpty
    date: date
    days_before: int = Field(ge=0)
    secretary_id: Id | None = None
    uncovered_members: int = Field(ge=0)
    uncovered_secretaries: int = Field(ge=0)
    uncovered_pairs: int = Field(ge=0)


class SecretaryVacant(Data):
    org_id: Id = NonEmpty
    parent_org_id: Id | None
    parent_secretary_id: Id | None = None
    since: date


# notify ---------------------------------------------------------------------------------------
class AlertOutcome(Data):
    alert_id: Id = NonEmpty
    obligation_id: Id | None = None
    person_id: Id = NonEmpty
    channel: Literal["inbox", "email", "webhook"]
    reason: str | None = None
