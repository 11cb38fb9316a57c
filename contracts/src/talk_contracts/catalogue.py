"""Every v1 event type: its data model, its family (and so its topic) and its Kafka key (SPEC §6, §9)."""

from dataclasses import dataclass

from pydantic import BaseModel

from talk_contracts import data as d
from talk_contracts.topics import FAMILIES, Topic
from talk_contracts.vocabulary import OBLIGATION_TRANSITIONS


@dataclass(frozen=True)
class EventType:
    name: str  # without version, e.g. "member.joined"
    version: int
    family: str
    model: type[BaseModel]
    key_field: str  # the data field whose value is the Kafka key: the person, else the organisation
    fallback_key: str | None = None  # the field keying an event whose `key_field` is empty (v1 data)

    @property
    def type(self) -> str:
        """The CloudEvents `type` attribute, e.g. `member.joined.v1`."""
        return f"{self.name}.v{self.version}"

    @property
    def topic(self) -> Topic:
        return FAMILIES[self.family]

    def key_of(self, data: BaseModel) -> str:
        key = getattr(data, self.key_field)
        if key is None and self.fallback_key is not None:
            key = getattr(data, self.fallback_key)
        return str(key)

    def key_of_dict(self, data: dict) -> str:
        """The key of an event's `data` as it travels (already valid: no second validation)."""
        key = data.get(self.key_field)
        if key is None and self.fallback_key is not None:
            key = data.get(self.fallback_key)
        return str(key)


def _t(name: str, family: str, model: type[BaseModel], key_field: str = "person_id", fallback_key: str | None = None) -> EventType:
    return EventType(name=name, version=1, family=family, model=model, key_field=key_field, fallback_key=fallback_key)


_TYPES = [
    _t("org.registered", "registry", d.OrgRegistered, "org_id"),
    _t("org.moved", "registry", d.OrgMoved, "org_id"),
    _t("org.dissolved", "registry", d.OrgDissolved, "org_id"),
    _t("member.joined", "registry", d.MemberJoined),
    _t("member.transferred", "registry", d.MemberTransferred),
    _t("member.left", "registry", d.MemberLeft),
    _t("member.contact_changed", "registry", d.MemberContactChanged),
    # (v2) Role events are keyed by the organisation: a seat's hand-over (the new holder, the end of
    # the one displaced) stays in order.
    _t("role.assigned", "registry", d.RoleAssigned, "org_id"),
    _t("role.ended", "registry", d.RoleEnded, "org_id"),
    _t("cadre.job_changed", "cadre", d.CadreJobChanged),
    _t("cadre.promoted", "cadre", d.CadrePromoted),
    _t("discipline.action_recorded", "discipline", d.DisciplineActionRecorded),
    _t("discipline.adverse_report_received", "discipline", d.DisciplineAdverseReportReceived),
    # (v2) A retraction is keyed by the person, so it follows the action it retracts; a v1 one,
    # without the person, by its case reference.
    _t("discipline.action_retracted", "discipline", d.DisciplineActionRetracted, "person_id", "case_ref"),
    _t("conduct.observation_recorded", "conduct", d.ConductObservationRecorded),
    _t("conduct.attendance_recorded", "conduct", d.ConductAttendanceRecorded),
    _t("dues.arrears_recorded", "conduct", d.DuesArrearsRecorded),
    _t("appraisal.rated", "conduct", d.AppraisalRated),
    _t("welfare.hardship_reported", "conduct", d.WelfareHardshipReported),
    _t("honours.commendation_awarded", "conduct", d.HonoursCommendationAwarded),
    _t("talk.recorded", "talks", d.TalkRecorded, "talk_id"),
    _t("talk.requested", "talks", d.TalkRequested),
    _t("meeting.scheduled", "talks", d.MeetingScheduled, "org_id"),
    _t("follow_up.due", "talks", d.FollowUp, "owner_id"),
    _t("follow_up.overdue", "talks", d.FollowUp, "owner_id"),
    _t("follow_up.completed", "talks", d.FollowUp, "owner_id"),
    *(
        _t(f"obligation.{transition}", "compliance", d.ObligationChanged, "subject_id")
        for transition in OBLIGATION_TRANSITIONS
    ),
    _t("secretary.vacant", "compliance", d.SecretaryVacant, "org_id"),
    _t("meeting.approaching", "compliance", d.MeetingApproaching, "org_id"),
    _t("alert.delivered", "notify", d.AlertOutcome),
    _t("alert.failed", "notify", d.AlertOutcome),
]

CATALOGUE: dict[str, EventType] = {t.type: t for t in _TYPES}


def event_type(type_attr: str) -> EventType:
    """The catalogue entry of a CloudEvents `type` attribute; KeyError when unknown."""
    return CATALOGUE[type_attr]
