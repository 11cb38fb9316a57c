"""Must-talk obligations: what a trigger leaves to be done, and the changes each one publishes
(SPEC §3.2–3.4). Pure. How an obligation's state follows from the facts: settlement.py."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from compliance.domain.evolve import evolve
from compliance.domain.policy import Policy
from talk_contracts import OPEN_STATUSES

_NAMESPACE = uuid.UUID("6f1d3c5e-2b7a-4c1e-9a43-7d0c5b8e2f10")
STAGES = ("open", "due_soon", "overdue", "escalated")
CLOSED = {"fulfilled": "fulfilled", "fulfilled_late": "fulfilled", "cancelled": "cancelled", "waived": "waived"}


@dataclass(frozen=True)
class Trigger:
    """A situation that calls for a talk with `subject_id` (SPEC §3.2)."""

    subject_id: str
    rules: tuple[str, ...]  # (M, C), chosen by the subject's seats on `day`; or the one rule
    day: date  # the trigger's date: its effective_date, else the local date of its time
    at: datetime  # its instant (00:00 local of an effective date)
    ref: str | None = None  # the source's case reference: a retraction cancels by it
    leader_id: str | None = None  # REQ: the leader asked


@dataclass(frozen=True)
class Talk:
    talk_id: str
    held_at: datetime
    mode: str
    talker_ids: frozenset[str]
    talkee_ids: frozenset[str]

    @property
    def is_collective(self) -> bool:
        return self.mode == "many_to_many"  # attachment 2


@dataclass(frozen=True)
class Retraction:
    """The source withdrew its action or report `ref` (about `person_id`, or any person for a v1 retraction)."""

    ref: str
    person_id: str | None
    at: datetime
    event_id: str


@dataclass(frozen=True)
class Obligation:
    # what the trigger said (never changes)
    obligation_id: str
    subject_id: str
    rules: tuple[str, ...]
    trigger_event_id: str
    trigger_date: date
    triggered_at: datetime
    due_date: date  # kept when a correction of seats changes the rule (SPEC §2)
    trigger_ref: str | None = None
    leader_id: str | None = None
    trigger_type: str = ""  # the triggering event's type and the system it came from (explanations)
    trigger_source: str = ""
    # what an operator decided (SPEC §2: operators' obligations only)
    waived_at: datetime | None = None
    waived_reason: str | None = None
    # what follows from the facts (settlement)
    rule_id: str = ""
    status: str = "open"
    responsible_kind: str = "person"
    responsible_id: str | None = None
    responsible_org_id: str | None = None
    org_id: str = ""  # the subject's organisation: now, or when it closed
    escalated_to_id: str | None = None
    fulfilled_by: str | None = None
    closed_at: datetime | None = None
    reason: str | None = None  # why it was cancelled or waived
    # organisations whose secretary seat its responsibility was read from: a change of one of those
    # seats settles it again (View.obligations_through)
    paths: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def obligation_id(rules: tuple[str, ...], subject_id: str, trigger_event_id: str) -> str:
    """Deterministic, so a replay rebuilds the very same obligations; named by the trigger's first
    rule, so a correction of seats that turns M4 into C5 keeps the id (SPEC §2)."""
    return str(uuid.uuid5(_NAMESPACE, f"{rules[0]}|{subject_id}|{trigger_event_id}"))


def new_obligation(trigger: Trigger, rule_id: str, trigger_event_id: str, policy: Policy, *, event_type: str = "", source: str = "") -> Obligation:
    return Obligation(
        obligation_id=obligation_id(trigger.rules, trigger.subject_id, trigger_event_id),
        trigger_type=event_type,
        trigger_source=source,
        subject_id=trigger.subject_id,
        rules=trigger.rules,
        trigger_event_id=trigger_event_id,
        trigger_date=trigger.day,
        triggered_at=trigger.at,
        due_date=trigger.day + timedelta(days=policy.due_days[rule_id]),
        trigger_ref=trigger.ref,
        leader_id=trigger.leader_id,
        rule_id=rule_id,
    )


def stage_on(due: date, today: date, policy: Policy) -> str:
    """SPEC §3.4: due soon 3 days before; overdue the day after the due date (a talk on the due date
    is on time); escalated 7 days after it."""
    if today >= due + timedelta(days=policy.escalate_after_days):
        return "escalated"
    if today > due:
        return "overdue"
    if today >= due - timedelta(days=policy.due_soon_days):
        return "due_soon"
    return "open"


def stage_changes_on(today: date, policy: Policy) -> dict[str, date]:
    """For the daily tick: an open obligation whose stage may move today has a due date on or before
    these (per stage it has not reached yet)."""
    return {
        "due_soon": today + timedelta(days=policy.due_soon_days),
        "overdue": today - timedelta(days=1),
        "escalated": today - timedelta(days=policy.escalate_after_days),
    }


Announcement = tuple[str, Obligation, str | None]  # transition, the obligation as it then stood, previous responsible


@dataclass(frozen=True)
class Cause:
    """What moved an obligation: an event (its id, type, source and time), or, with no event, the
    daily tick, an operator's waiver, or the end of a batch (seats judged once it is applied)."""

    kind: str  # event | tick | waiver | batch
    event_id: str | None = None
    event_type: str | None = None
    source: str | None = None
    time: datetime | None = None
# Reasons for which a trigger opens nothing (SPEC §3.2, §3.5): nobody was told, nobody is told.
NOT_OPENED = frozenset({"not_member", "not_committee"})


def public(ob: Obligation) -> tuple:
    """What consumers see of an obligation (the fields of its events)."""
    return (
        ob.rule_id, ob.status, ob.responsible_kind, ob.responsible_id, ob.responsible_org_id, ob.org_id,
        ob.due_date, ob.escalated_to_id, ob.fulfilled_by, ob.reason,
    )  # fmt: skip


def announcements(before: Obligation | None, after: Obligation) -> list[Announcement]:
    """What consumers are told of a change, in order; the last one carries the new state."""
    if before is not None and public(before) == public(after):
        return []
    if not after.is_open:
        if after.reason in NOT_OPENED and (before is None or not before.is_open):
            return []
        return [(CLOSED[after.status], after, None)]
    if before is None or not before.is_open:
        steps: list[Announcement] = [("opened", evolve(after, status="open", escalated_to_id=None), None)]
        current = "open"
    else:
        steps, current = [], before.status if before.status in STAGES else "open"
        holder = lambda ob: (ob.rule_id, ob.responsible_kind, ob.responsible_id, ob.responsible_org_id, ob.org_id)  # noqa: E731
        if holder(before) != holder(after):
            steps.append(("reassigned", evolve(after, status=current), before.responsible_id))
        elif current == after.status == "escalated":
            steps.append(("escalated", after, None))  # a new target above the responsible one is told too
    for stage in STAGES[STAGES.index(current) + 1 : STAGES.index(after.status) + 1]:
        steps.append((stage, evolve(after, status=stage, escalated_to_id=after.escalated_to_id if stage == "escalated" else None), None))
    if not steps:
        return [("reassigned", after, before.responsible_id if before else None)]
    transition, _, previous = steps[-1]
    steps[-1] = (transition, after, previous)
    return steps


@dataclass(frozen=True)
class Transition:
    """A step an obligation went through, recorded as it was told (ComplianceBus.finish_batch)."""

    obligation_id: str
    transition: str  # opened | due_soon | overdue | escalated | reassigned | fulfilled | cancelled | waived
    status: str
    rule_id: str
    responsible_kind: str
    responsible_id: str | None
    responsible_org_id: str | None
    previous_responsible_id: str | None
    escalated_to_id: str | None
    due_date: date
    fulfilled_by: str | None  # the talk
    reason: str | None
    cause: Cause
    recorded_at: datetime | None = None  # when the projection wrote it (None until stored)


def transitions(told: list[Announcement], cause: Cause) -> list[Transition]:
    return [
        Transition(ob.obligation_id, step, ob.status, ob.rule_id, ob.responsible_kind, ob.responsible_id, ob.responsible_org_id,
                   previous, ob.escalated_to_id, ob.due_date, ob.fulfilled_by, ob.reason, cause)
        for step, ob, previous in told
    ]  # fmt: skip
