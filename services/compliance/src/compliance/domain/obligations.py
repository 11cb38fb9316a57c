"""Must-talk obligations: opening them from triggers and fulfilling them with talks (SPEC §3.2–3.4)."""

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from compliance.domain.policy import Policy
from compliance.domain.responsibility import Responsibility

OPEN_STATES = frozenset({"open", "due_soon", "overdue", "escalated", "reassigned"})
_NAMESPACE = uuid.UUID("6f1d3c5e-2b7a-4c1e-9a43-7d0c5b8e2f10")

# Trigger kinds that choose between an M rule and a C rule by the subject's roles.
DISCIPLINE = ("M4", "C5")


@dataclass(frozen=True)
class Obligation:
    obligation_id: str
    rule_id: str
    subject_id: str
    responsible_id: str | None
    org_id: str
    due_date: date
    status: str
    trigger_event_id: str
    triggered_at: datetime
    fulfilled_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES


def obligation_id(rule_id: str, subject_id: str, trigger_event_id: str) -> str:
    """Deterministic, so a replay of the log rebuilds the very same obligations."""
    return str(uuid.uuid5(_NAMESPACE, f"{rule_id}|{subject_id}|{trigger_event_id}"))


def choose_rule(pair: tuple[str, str], is_committee: bool) -> str:
    """The M rule for an ordinary member, the C rule for anyone holding a committee role."""
    member_rule, committee_rule = pair
    return committee_rule if is_committee else member_rule


def open_obligation(
    rule_id: str,
    subject_id: str,
    responsibility: Responsibility,
    subject_org_id: str,
    trigger_event_id: str,
    triggered_at: datetime,
    policy: Policy,
) -> Obligation:
    return Obligation(
        obligation_id=obligation_id(rule_id, subject_id, trigger_event_id),
        rule_id=rule_id,
        subject_id=subject_id,
        responsible_id=responsibility.responsible_id,
        org_id=subject_org_id,  # the subject's organisation: what subtree filters and roll-ups group by
        due_date=triggered_at.date() + timedelta(days=policy.due_days[rule_id]),
        status="open",
        trigger_event_id=trigger_event_id,
        triggered_at=triggered_at,
    )


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
    """SPEC §3.3: an individual talk between the subject and the responsible secretary, held at or
    after the trigger, fulfils the obligation; after the due date it is fulfilled late."""
    if not (obligation.is_open and talk.is_individual):
        return None
    if obligation.subject_id not in talk.talkee_ids or obligation.responsible_id not in talk.talker_ids:
        return None
    if talk.held_at < obligation.triggered_at:
        return None
    late = talk.held_at.date() > obligation.due_date
    return replace(obligation, status="fulfilled_late" if late else "fulfilled", fulfilled_by=talk.talk_id)
