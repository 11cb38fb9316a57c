"""Must-talk obligations: opened from triggers, moved along their life cycle, fulfilled by talks
(SPEC §3.2–3.4). Pure."""

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from compliance.domain.policy import Policy
from compliance.domain.responsibility import Responsibility
from compliance.domain.triggers import Trigger

OPEN_STATES = frozenset({"open", "due_soon", "overdue", "escalated", "reassigned"})
# The life cycle by date; `reassigned` keeps the stage's clock running from `open`.
STAGES = ("due_soon", "overdue", "escalated")
_RANK = {"open": 0, "reassigned": 0, "due_soon": 1, "overdue": 2, "escalated": 3}
_NAMESPACE = uuid.UUID("6f1d3c5e-2b7a-4c1e-9a43-7d0c5b8e2f10")


@dataclass(frozen=True)
class Obligation:
    obligation_id: str
    rule_id: str
    subject_id: str
    responsible_id: str | None  # None: falls to the operators
    responsible_org_id: str | None  # whose secretary seat the responsibility comes from
    org_id: str  # the subject's organisation: what subtree filters and roll-ups group by
    due_date: date
    status: str
    trigger_event_id: str
    triggered_at: datetime
    trigger_ref: str | None = None
    escalated_to_id: str | None = None
    fulfilled_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES


def obligation_id(rule_id: str, subject_id: str, trigger_event_id: str) -> str:
    """Deterministic, so a replay of the log rebuilds the very same obligations."""
    return str(uuid.uuid5(_NAMESPACE, f"{rule_id}|{subject_id}|{trigger_event_id}"))


def open_obligation(
    trigger: Trigger, rule_id: str, responsibility: Responsibility, subject_org_id: str, trigger_event_id: str, policy: Policy
) -> Obligation:
    return Obligation(
        obligation_id=obligation_id(rule_id, trigger.subject_id, trigger_event_id),
        rule_id=rule_id,
        subject_id=trigger.subject_id,
        responsible_id=responsibility.responsible_id,
        responsible_org_id=responsibility.org_id,
        org_id=subject_org_id,
        due_date=trigger.at.date() + timedelta(days=policy.due_days[rule_id]),
        status="open",
        trigger_event_id=trigger_event_id,
        triggered_at=trigger.at,
        trigger_ref=trigger.ref,
    )


def stage_date(ob: Obligation, stage: str, policy: Policy) -> date:
    return {
        "due_soon": ob.due_date - timedelta(days=policy.due_soon_days),
        "overdue": ob.due_date,
        "escalated": ob.due_date + timedelta(days=policy.escalate_after_days),
    }[stage]


def stages_reached(ob: Obligation, today: date, policy: Policy) -> list[str]:
    """The life-cycle stages the obligation enters by `today`, in order (each is published once)."""
    if not ob.is_open:
        return []
    return [s for s in STAGES if _RANK[s] > _RANK[ob.status] and stage_date(ob, s, policy) <= today]


@dataclass(frozen=True)
class Talk:
    talk_id: str
    held_at: datetime
    mode: str
    talker_ids: frozenset[str]
    talkee_ids: frozenset[str]

    @property
    def is_individual(self) -> bool:
        # A many-to-many talk is a collective one (attachment 2).
        return self.mode in ("one_to_one", "one_to_many")


def fulfilled_by(obligation: Obligation, talk: Talk) -> Obligation | None:
    """SPEC §3.3: an individual talk between the subject and the responsible person, held at or after
    the trigger, fulfils the obligation; after the due date it is fulfilled late. A requested talk
    (REQ) may be held either way round."""
    if not (obligation.is_open and talk.is_individual) or talk.held_at < obligation.triggered_at:
        return None
    subject, responsible = obligation.subject_id, obligation.responsible_id
    between = subject in talk.talkee_ids and responsible in talk.talker_ids
    if obligation.rule_id == "REQ":
        between = between or (responsible in talk.talkee_ids and subject in talk.talker_ids)
    if not between:
        return None
    late = talk.held_at.date() > obligation.due_date
    return replace(obligation, status="fulfilled_late" if late else "fulfilled", fulfilled_by=talk.talk_id)
