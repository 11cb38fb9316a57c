"""An obligation explained (SPEC §2, §3; issue 18): what the pure rules decided, asked again of the
projection as it now stands, and the history recorded as it happened."""

from dataclasses import dataclass
from datetime import date

from compliance.application.messagebus import decided
from compliance.application.ports import UnitOfWork
from compliance.domain.coverage import Credit, credits_of_talk, why_not_member_credit
from compliance.domain.explanation import DueDate, Walk, due_date, escalation, responsibility
from compliance.domain.obligations import Obligation, Talk, Transition
from compliance.domain.policy import Policy
from compliance.domain.regulation import CLAUSES, Clause
from talk_contracts.calendar import local_date, start_of


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


@dataclass(frozen=True)
class TalkJudged:
    """One talk of the person's year: what it counted towards for them, or why it did not count."""

    talk: Talk
    credits: tuple[Credit, ...]  # what it counted towards for the person's own coverage (as member, secretary or pair)
    not_member_because: str | None  # why it earned no COV-MEMBER credit (None: it did)


async def explain_coverage(uow: UnitOfWork, person_id: str, year: int, policy: Policy) -> list[TalkJudged] | None:
    """The talks the person took part in during `year`, each judged (None: no such person)."""
    [person] = await decided(uow, lambda view: [view.person(person_id)])
    if person is None:
        return None
    start = start_of(date(year, 1, 1), policy.zone)

    def judged(view) -> list[TalkJudged]:
        out = []
        for talk in view.talks_of(person_id, start):
            if local_date(talk.held_at, policy.zone).year != year:
                continue
            mine = tuple(c for c in credits_of_talk(talk, view, policy) if _covers(c, person_id))
            out.append(TalkJudged(talk, mine, why_not_member_credit(talk, person_id, view, policy)))
        return out

    [found] = await decided(uow, lambda view: [judged(view)])
    return found


def _covers(credit: Credit, person_id: str) -> bool:
    """The credit counts for the person's own coverage (a talker's credits are their talkees')."""
    if credit.rule_id == "COV-COMMITTEE":
        return person_id in (credit.person_id, credit.counterpart_id)  # a pair: both sides
    return credit.person_id == person_id
