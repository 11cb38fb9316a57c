"""An obligation explained (SPEC §2, §3; issue 18): what the pure rules decided, asked again of the
projection as it now stands, and the history recorded as it happened."""

from dataclasses import dataclass

from compliance.application.messagebus import decided
from compliance.application.ports import UnitOfWork
from compliance.domain.explanation import DueDate, Walk, due_date, escalation, responsibility
from compliance.domain.obligations import Obligation, Transition
from compliance.domain.policy import Policy
from compliance.domain.regulation import CLAUSES, Clause


@dataclass(frozen=True)
class Explanation:
    obligation: Obligation
    clause: Clause | None
    responsibility: Walk | None
    escalation: Walk | None
    due: DueDate
    history: list[Transition]
    names: dict[str, str]  # person and organisation ids met above -> their names


async def explain(uow: UnitOfWork, obligation_id: str, policy: Policy) -> Explanation | None:
    """None when there is no such obligation."""
    [ob] = await decided(uow, lambda view: [view.obligation(obligation_id)])
    if ob is None:
        return None
    walk, up = await decided(uow, lambda view: [responsibility(ob, view), escalation(ob, view)])
    history = await uow.transitions(obligation_id)
    people = {ob.subject_id, ob.responsible_id, ob.escalated_to_id, ob.leader_id}
    orgs = {ob.org_id, ob.responsible_org_id}
    for w in (walk, up):
        if w is not None:
            people |= {w.person_id, *(s.holder_id for s in w.steps)}
            orgs |= {w.org_id, w.start_org_id, *(s.org_id for s in w.steps)}
    for step in history:
        people |= {step.responsible_id, step.previous_responsible_id, step.escalated_to_id}
        orgs.add(step.responsible_org_id)
    [names] = await decided(uow, lambda view: [_names(view, people - {None}, orgs - {None})])
    return Explanation(ob, CLAUSES.get(ob.rule_id), walk, up, due_date(ob, policy), history, names)


def _names(view, people: set[str], orgs: set[str]) -> dict[str, str]:
    found = {}
    for person_id in sorted(people):
        person = view.person(person_id)
        if person is not None:
            found[person_id] = person.name
    for org_id in sorted(orgs):
        org = view.org(org_id)
        if org is not None:
            found[org_id] = org.name
    return found
