"""An obligation's state follows from the facts (SPEC §2, §3.3–3.5). Pure.

`settle` computes it afresh from the trigger, the subject's membership and seats over time, the
seats of the organisations above, the talks, retractions and an operator's waiver — never from the
order in which those arrived. Any event that changes one of those facts settles again every
obligation it may touch (decisions.py says which), so the projection of a set of events is the same
whatever their interleaving across keys (SPEC §6).

- Which rule: the subject's seats on the trigger's date (C1/C2: the day before counts too).
- Who must act: whoever answers for the subject *now* while it is open; once closed, whoever
  answered when it closed.
- Closed by: the first talk that counts (fulfilled, or fulfilled late after the due date); else
  the first of the subject leaving (cancelled), the source retracting (cancelled), an operator
  waiving it (waived). A talk that counts before a retraction keeps it fulfilled.
- Open: its stage by today's date (open, due soon, overdue, escalated to the nearest filled
  secretary seat above the responsible one, else the operators).
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from compliance.domain.evolve import evolve
from compliance.domain.fulfilment import first_fulfilling
from compliance.domain.history import Person
from compliance.domain.obligations import Obligation, Talk, Trigger, stage_on
from compliance.domain.policy import Policy
from compliance.domain.responsibility import LEADER, NOW, OPERATORS, OPERATORS_AT, PERSON, Answer, Period, answer_at, escalation_target, periods, placed_by
from compliance.domain.triggers import choose_rule
from compliance.domain.view import View
from talk_contracts.calendar import local_date, start_of

RETRACTABLE = frozenset({("M4", "C5"), ("M4", "C3")})  # discipline actions and adverse reports


def settle(ob: Obligation, view: View, policy: Policy, today: date, talks: Sequence[Talk] | None = None) -> Obligation:
    """`talks`: when only they may have changed the outcome (a talk just recorded, and whichever
    fulfils the obligation now); otherwise every talk of the subject's since the window opened."""
    tz = policy.zone
    subject = view.person(ob.subject_id)
    if subject is None:  # never: an obligation is opened only about a known person
        return ob
    trigger = Trigger(ob.subject_id, ob.rules, ob.trigger_date, ob.triggered_at, ob.trigger_ref, ob.leader_id)
    rule, refused = choose_rule(trigger, subject, view.seats_of(ob.subject_id), tz)
    if not subject.member_on(ob.trigger_date, tz):
        return evolve(ob, rule_id=rule, **_never_opened(ob, subject, view, "not_member"))  # dated on or after leaving (SPEC §3.5)
    if refused:
        return evolve(ob, rule_id=rule, **_never_opened(ob, subject, view, "not_committee"))
    start = start_of(ob.trigger_date - timedelta(days=policy.window(rule)), tz)
    end, end_status, end_reason = _first_closing(ob, subject, view, start)
    history = periods(subject, start, end, view, ob.leader_id) or [Period(start, end, answer_at(subject, view.seats_of(subject.person_id), start, view, ob.leader_id))]
    paths = {org for p in history for org in p.answer.path}
    paths |= {OPERATORS_AT + p.answer.org_id for p in history if p.answer.kind == OPERATORS and p.answer.org_id}
    paths |= placed_by(subject, view.seats_of(subject.person_id), view)
    if ob.leader_id:
        paths.add(LEADER + ob.leader_id)
    if talks is None:
        talks = view.talks_of(ob.subject_id, start)
    first = first_fulfilling(talks, ob.subject_id, rule == "REQ", start.astimezone(tz).date(), history, view, tz)
    if first is not None:
        at, talk = first
        on_time = local_date(talk.held_at, tz) <= ob.due_date
        status = {"status": "fulfilled" if on_time else "fulfilled_late", "fulfilled_by": talk.talk_id, "reason": None}
        return evolve(ob, rule_id=rule, **status, **_closed(ob, subject, view, policy, history, at, paths))
    if end is not None:
        status = {"status": end_status, "reason": end_reason, "fulfilled_by": None}
        return evolve(ob, rule_id=rule, **status, **_closed(ob, subject, view, policy, history, end, paths))
    answer = history[-1].answer
    stage = stage_on(ob.due_date, today, policy)
    escalated_to = None
    if stage == "escalated":
        target = escalation_target(answer, ob.subject_id, NOW, view)
        paths |= set(target.path)
        escalated_to = target.person_id
    current = subject.current or subject.stretches[-1]
    status = {"status": stage, "escalated_to_id": escalated_to, "fulfilled_by": None, "closed_at": None, "reason": None}
    return evolve(ob, rule_id=rule, **status, **_answered(answer, current.org_id, paths))


def _first_closing(ob: Obligation, subject: Person, view: View, start: datetime) -> tuple[datetime | None, str, str | None]:
    """The earliest of: the subject leaving, the source retracting, an operator waiving."""
    found: list[tuple[datetime, str, str | None]] = []
    leaving = subject.leaving_after(ob.triggered_at)
    if leaving is not None:
        found.append((leaving.until, "cancelled", f"left:{leaving.left_reason}"))
    if ob.trigger_ref is not None and ob.rules in RETRACTABLE:
        for retraction in view.retractions(ob.trigger_ref):
            if retraction.person_id in (None, ob.subject_id):
                found.append((max(retraction.at, start), "cancelled", "retracted"))
    if ob.waived_at is not None:
        found.append((max(ob.waived_at, start), "waived", ob.waived_reason))
    if not found:
        return None, "", None
    return min(found, key=lambda f: f[0])


def _closed(ob: Obligation, subject: Person, view: View, policy: Policy, history: list[Period], at: datetime, paths: set[str]) -> dict:
    """Who answered when it closed, and whether it had been escalated by then."""
    period = next((p for p in history if p.holds(at)), history[-1])
    escalated_to = None
    if local_date(at, policy.zone) >= ob.due_date + timedelta(days=policy.escalate_after_days):
        target = escalation_target(period.answer, ob.subject_id, at, view)
        paths |= set(target.path)
        escalated_to = target.person_id
    stretch = subject.stretch_at(at) or next((s for s in subject.stretches if s.until == at), subject.stretches[-1])
    return {"closed_at": at, "escalated_to_id": escalated_to, **_answered(period.answer, stretch.org_id, paths)}


def _never_opened(ob: Obligation, subject: Person, view: View, reason: str) -> dict:
    """A trigger that opens nothing: kept, cancelled, so that a later correction can open it."""
    answer = answer_at(subject, view.seats_of(subject.person_id), ob.triggered_at, view)
    stretch = subject.stretch_at(ob.triggered_at) or subject.stretches[-1]
    closed = {"status": "cancelled", "reason": reason, "fulfilled_by": None, "escalated_to_id": None, "closed_at": ob.triggered_at}
    return closed | _answered(answer, stretch.org_id, set(answer.path))


def _answered(answer: Answer, org_id: str, paths: set[str]) -> dict:
    return {
        "responsible_kind": answer.kind,
        "responsible_id": answer.person_id if answer.kind == PERSON else None,
        "responsible_org_id": answer.org_id,
        "org_id": org_id,
        "paths": tuple(sorted(paths)),
    }
