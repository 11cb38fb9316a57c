"""What changed facts touch, settled again (SPEC §6): every obligation a change may have moved,
settled from the facts as they now stand; the talks whose credits may have changed, counted again;
triggers that waited for their person, decided now; vacant seats, reported once. Pure."""

import json
from collections.abc import Iterable
from datetime import date

from compliance.domain import history
from compliance.domain.changes import Change, CreditsSaved, HeldReleased, Unsettled, VacancyFilled, VacancyReported
from compliance.domain.coverage import credits_of_talk
from compliance.domain.decisions import absences_trigger, open_for, settled
from compliance.domain.obligations import Obligation
from compliance.domain.policy import Policy
from compliance.domain.responsibility import NOW, PERSON, Answer, escalation_target
from compliance.domain.triggers import triggers_of
from compliance.domain.view import View
from talk_contracts import parse_event


def settle_again(u: Unsettled, view: View, policy: Policy, today: date) -> list[Change]:
    """Every obligation the changed facts may touch, settled from the facts as they now stand."""
    touched: dict[str, Obligation] = {}
    for subject in sorted(u.subjects):
        touched.update((ob.obligation_id, ob) for ob in view.obligations_of(subject, u.since))
    for org in sorted(u.orgs):
        touched.update((ob.obligation_id, ob) for ob in view.obligations_through(org, u.since))
    for ob_id in sorted(u.obligation_ids):
        if (ob := view.obligation(ob_id)) is not None:
            touched[ob_id] = ob
    changes: list[Change] = []
    for ob_id in sorted(touched):
        ob = touched[ob_id]
        talks = None
        if u.talk is not None:  # the one new fact; whichever fulfils it now stays a candidate
            current = view.talk(ob.fulfilled_by) if ob.fulfilled_by else None
            talks = sorted({u.talk, *([current] if current else [])}, key=lambda t: (t.held_at, t.talk_id))
        changes += settled(ob, ob, view, policy, today, talks)
    for person in sorted(u.credit_people):
        for talk in view.talks_of(person, u.since):
            changes.append(CreditsSaved(talk.talk_id, talk.held_at, credits_of_talk(talk, view, policy)))
    for person in sorted(u.held_people):
        changes += release_held(person, view, policy, today)
    return changes


def release_held(person_id: str, view: View, policy: Policy, today: date) -> list[Change]:
    """Triggers that arrived before their person did, decided now that the person is known."""
    held = view.held(person_id)
    if not held:
        return []
    changes: list[Change] = [HeldReleased(person_id)]
    for _, payload in held:
        event = parse_event(json.loads(payload))
        if event.envelope.type == "conduct.attendance_recorded.v1":
            triggers = [absences_trigger(event, policy)]  # the streak was counted when it came
        else:
            triggers = triggers_of(event.data, event.envelope.time, policy)
        changes += open_for([t for t in triggers if t.subject_id == person_id], event, view, policy, today)
    return changes


def vacancies(org_ids: Iterable[str], view: View, today: date) -> list[Change]:
    """Secretary seats vacant now are reported once to the parent's secretary (operators at the
    root); a seat filled again is forgotten, so that its next vacancy is reported too (SPEC §2)."""
    changes: list[Change] = []
    for org_id in sorted(set(org_ids)):
        vacant = history.secretary_at(view.secretaries_at(org_id), NOW) is None
        known = view.vacant_since(org_id)
        if vacant and known is None and view.org(org_id) is not None:
            target = escalation_target(Answer(PERSON, None, org_id), "", NOW, view)
            changes.append(VacancyReported(org_id, view.parent_of(org_id), target.person_id, today))
        elif not vacant and known is not None:
            changes.append(VacancyFilled(org_id))
    return changes
