"""Why an obligation stands as it does: the rule and its clause, who must act and how the search up
the tree found them, how its due date was counted (SPEC §2, §3.2–3.4). Pure: the same functions
settlement uses (responsibility.answer_at, escalation_target), asked again and shown step by step,
so the explanation cannot tell a different story from the one the projection acted on.

What happened to the obligation over time is not derived here: it is recorded as it happens
(messagebus.finish_batch, `Transition`)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from compliance.domain.history import secretary_at
from compliance.domain.obligations import NOT_OPENED, Obligation
from compliance.domain.policy import Policy
from compliance.domain.responsibility import NOW, PERSON, Answer, answer_at, deciding_seat, escalation_target
from compliance.domain.view import View


@dataclass(frozen=True)
class Step:
    """One organisation whose secretary seat was read on the way up."""

    org_id: str
    holder_id: str | None
    outcome: str  # vacant | held_by_subject | held_by_responsible (escalation) | answers | passed


@dataclass(frozen=True)
class Walk:
    """Who answers and why: where the search started, each seat read, where it stopped."""

    at: datetime | None  # the instant asked about; None: now (an open obligation)
    start: str  # member | committee_member | secretary | leader_asked | leader_left
    start_org_id: str | None  # the seat's organisation that chose the start (own organisation for a member)
    steps: tuple[Step, ...]
    kind: str  # person | operators
    person_id: str | None
    org_id: str | None


@dataclass(frozen=True)
class DueDate:
    trigger_date: date
    days: int  # from the trigger's date to the due date
    policy_days: int | None  # what the policy now gives the rule
    due_date: date
    due_soon_from: date
    overdue_from: date
    escalated_from: date
    talk_window_days: int  # a talk this many days before the trigger's date already fulfils (C1)
    time_zone: str


def asked_at(ob: Obligation) -> datetime:
    """Settlement's instant: who answers now while it is open; once closed, who answered then; a
    trigger that opened nothing, who would have answered at its time."""
    if ob.reason in NOT_OPENED:
        return ob.triggered_at
    return ob.closed_at if ob.closed_at is not None else NOW


def responsibility(ob: Obligation, view: View) -> Walk | None:
    """The search up the tree that settlement made for `ob` (None: its subject is not known)."""
    subject = view.person(ob.subject_id)
    if subject is None:
        return None
    at = asked_at(ob)
    seats = view.seats_of(ob.subject_id)
    answer = answer_at(subject, seats, at, view, ob.leader_id)
    own_org = subject.org_at(at) or (subject.stretches[-1].org_id if subject.stretches else None)
    if ob.leader_id is not None and answer.kind == PERSON and answer.person_id == ob.leader_id:
        return Walk(None if at == NOW else at, "leader_asked", answer.org_id, (), PERSON, answer.person_id, answer.org_id)
    seat = deciding_seat([s for s in seats if s.held_at(at)], own_org, view)
    if seat is None:
        start, start_org = "member", own_org
    else:
        start, start_org = ("secretary" if seat.role == "secretary" else "committee_member"), seat.org_id
    if ob.leader_id is not None:
        start = "leader_left"  # the leader asked holds no seat above the member: their secretary answers
    return Walk(None if at == NOW else at, start, start_org, _steps(answer, ob.subject_id, at, view), answer.kind, answer.person_id, answer.org_id)


def escalation(ob: Obligation, view: View) -> Walk | None:
    """Where an escalated obligation went: the nearest filled secretary seat above the responsible
    one that is neither the subject's nor the responsible person's, else the operators."""
    if ob.status != "escalated" and ob.escalated_to_id is None:
        return None
    at = asked_at(ob)
    responsible = Answer(ob.responsible_kind, ob.responsible_id, ob.responsible_org_id)
    target = escalation_target(responsible, ob.subject_id, at, view)
    steps = tuple(_step(org, secretary_at(view.secretaries_at(org), at), target, ob.subject_id, ob.responsible_id) for org in target.path)
    return Walk(None if at == NOW else at, "responsible", ob.responsible_org_id, steps, target.kind, target.person_id, target.org_id)


def _steps(answer: Answer, subject_id: str, at: datetime, view: View) -> tuple[Step, ...]:
    out = []
    for org in answer.path:
        out.append(_step(org, secretary_at(view.secretaries_at(org), at), answer, subject_id))
        if answer.kind == PERSON and org == answer.org_id:
            break  # a REQ's path goes on up the leader's chain: not part of this search
    return tuple(out)


def _step(org: str, holder: str | None, answer: Answer, subject_id: str, responsible_id: str | None = None) -> Step:
    if holder is None:
        return Step(org, None, "vacant")
    if answer.kind == PERSON and org == answer.org_id and holder == answer.person_id:
        return Step(org, holder, "answers")
    if holder == subject_id:
        return Step(org, holder, "held_by_subject")
    if holder == responsible_id:
        return Step(org, holder, "held_by_responsible")
    return Step(org, holder, "passed")


def due_date(ob: Obligation, policy: Policy) -> DueDate:
    """The due date was counted when the obligation opened, from its rule then; a correction of
    seats that changes the rule keeps it (SPEC §2), so `days` may differ from `policy_days`."""
    return DueDate(
        trigger_date=ob.trigger_date, days=(ob.due_date - ob.trigger_date).days, policy_days=policy.due_days.get(ob.rule_id),
        due_date=ob.due_date, due_soon_from=ob.due_date - timedelta(days=policy.due_soon_days),
        overdue_from=ob.due_date + timedelta(days=1), escalated_from=ob.due_date + timedelta(days=policy.escalate_after_days),
        talk_window_days=policy.window(ob.rule_id), time_zone=policy.time_zone,
    )  # fmt: skip
