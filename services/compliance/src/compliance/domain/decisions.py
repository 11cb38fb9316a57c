"""Compliance's rules as pure decisions: for each event type, `decide(event, view, policy, today)`
returns the changes it makes (SPEC §2–§3.6). The routing table is at the bottom.

An event first records the facts it states (a seat taken, a member transferred, a talk held …);
what those facts may touch is named in an `Unsettled` and settled again by `settle_again` once the
facts are in the view (resettling.py). Neither reads a clock nor does any I/O: `today` is handed in.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from compliance.domain import history
from compliance.domain.changes import (
    AbsencesSaved,
    Change,
    CreditsSaved,
    MeetingSaved,
    ObligationSaved,
    OrgSaved,
    PersonSaved,
    RetractionSaved,
    SeatsSaved,
    TalkSaved,
    TriggerHeld,
    TriggerRefused,
    Unsettled,
)  # fmt: skip
from compliance.domain.coverage import credits_of_talk
from compliance.domain.evolve import evolve
from compliance.domain.obligations import Obligation, Retraction, Talk, Trigger, new_obligation
from compliance.domain.policy import Policy
from compliance.domain.responsibility import LEADER, OPERATORS_AT, PLACED
from compliance.domain.settlement import settle
from compliance.domain.tree import Org
from compliance.domain.triggers import absence_streak, choose_rule, triggers_of
from compliance.domain.view import View
from talk_contracts import ParsedEvent
from talk_contracts import data as d
from talk_contracts.calendar import local_date, start_of

Decide = Callable[[ParsedEvent, View, Policy, date], list[Change]]
EPOCH = datetime(1921, 7, 1, tzinfo=UTC)  # before anything the projection can hold
REFUSED = "a C rule about someone holding no committee seat on the trigger's date"


def settled(before: Obligation | None, after: Obligation, view: View, policy: Policy, today: date, talks=None) -> list[Change]:
    settled = settle(after, view, policy, today, talks)
    if before is not None and settled == before:
        return []
    return [ObligationSaved(settled, before)]


def _day_before(at: datetime, policy: Policy) -> datetime:
    """From where a change of seats or membership at `at` may change what a trigger opened: which
    rule, whether anything (both are judged by dates; C1/C2 look a day back)."""
    return start_of(local_date(at, policy.zone) - timedelta(days=1), policy.zone)


# the organisation tree -----------------------------------------------------------------------
def org_registered(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    data: d.OrgRegistered = event.data
    before = view.org(data.org_id)
    changes: list[Change] = [OrgSaved(Org(data.org_id, data.parent_id, data.name, data.kind))]
    if before is None or before.parent_id != data.parent_id:  # read before its parent was known, or moved
        changes.append(_moved(data.org_id, EPOCH if before is None else event.envelope.time, view))
    return changes


def org_moved(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    data: d.OrgMoved = event.data
    before = view.org(data.org_id) or Org(data.org_id, None, data.org_id, "branch")
    return [OrgSaved(evolve(before, parent_id=data.parent_id)), _moved(data.org_id, event.envelope.time, view)]


def _moved(org_id: str, at: datetime, view: View) -> Unsettled:
    """The organisation now answers to another parent: its secretaries' obligations, those read
    through its seat, and those whose subject's seats were chosen between by where it sits (rule 5)
    are settled again (the tree is not versioned: the new parent counts throughout)."""
    secretaries = {s.person_id for s in view.secretaries_at(org_id)}
    return Unsettled(at, subjects=frozenset(secretaries), orgs=frozenset({org_id, PLACED + org_id}))


# people ----------------------------------------------------------------------------------------
def member_joined(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    data: d.MemberJoined = event.data
    before = view.person(data.person_id)
    at = event.envelope.time
    person = history.joined(before, data.person_id, data.org_id, data.name, data.status, at)
    first = before is None
    # Before the registry first knew of them, a person is taken as it then knew them (history.py):
    # their first joining reaches back to whatever was read about them before it.
    since = EPOCH if first else _day_before(at, policy)
    return [
        PersonSaved(person),
        Unsettled(since, subjects=frozenset({data.person_id}), credit_people=frozenset({data.person_id}),
                  held_people=frozenset({data.person_id}) if first else frozenset()),
    ]  # fmt: skip


def member_transferred(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    """Open obligations follow the member to the new responsible secretary (SPEC §3.5)."""
    data: d.MemberTransferred = event.data
    return _person_changed(data.person_id, lambda p: history.transferred(p, data.to_org_id, event.envelope.time), event, view, policy)


def member_left(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    """Leaving cancels what is open and takes the person out of coverage (SPEC §3.5); the registry
    ends each of their seats itself."""
    data: d.MemberLeft = event.data
    return _person_changed(data.person_id, lambda p: history.left(p, data.reason, event.envelope.time), event, view, policy)


def _person_changed(person_id: str, change: Callable, event: ParsedEvent, view: View, policy: Policy) -> list[Change]:
    before = view.person(person_id)
    if before is None:
        return []  # nothing known to change (the registry refuses these; a topic may not)
    # Membership on a date decides whether a trigger of that date opens anything: from the day on.
    since = _day_before(event.envelope.time, policy)
    return [PersonSaved(change(before)), Unsettled(since, subjects=frozenset({person_id}), credit_people=frozenset({person_id}))]


def role_changed(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    """A seat taken or left: the people whose seats changed, and every obligation whose
    responsibility was read from this seat, are settled again; talks since count again."""
    data: d.RoleAssigned = event.data
    at = event.envelope.time
    before = tuple(view.seats_at(data.org_id))
    if event.envelope.type == "role.assigned.v1":
        after = history.assigned(before, data.org_id, data.person_id, data.role, at)
    else:
        after = history.ended(before, data.person_id, data.role, at)
    if after == before:
        return []
    moved = frozenset(s.person_id for s in set(before) ^ set(after))
    since = _day_before(at, policy)
    if data.role == "secretary":  # every search for a responsible secretary that read this seat
        through = Unsettled(since, orgs=frozenset({data.org_id}))
    else:  # another seat matters only to the operators' obligations (its holder may fulfil them) and to a leader asked
        keys = [OPERATORS_AT + data.org_id, *(LEADER + person for person in moved)]
        through = Unsettled(since, orgs=frozenset(keys))
    return [
        SeatsSaved(data.org_id, after),
        Unsettled(since, subjects=moved, credit_people=moved, vacancies=frozenset({data.org_id})),
        through,
    ]  # fmt: skip


# must-talk triggers (SPEC §3.2) ---------------------------------------------------------------
def trigger(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    return open_for(triggers_of(event.data, event.envelope.time, policy), event, view, policy, today)


def attendance_recorded(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    """M2 after three absences from organisational life in a row."""
    data: d.ConductAttendanceRecorded = event.data
    streak, triggered = absence_streak(view.absences(data.person_id), data.present, policy)
    changes: list[Change] = [AbsencesSaved(data.person_id, streak)]
    if triggered:
        changes += open_for([absences_trigger(event, policy)], event, view, policy, today)
    return changes


def absences_trigger(event: ParsedEvent, policy: Policy) -> Trigger:
    at = event.envelope.time
    return Trigger(event.data.person_id, ("M2",), local_date(at, policy.zone), at)


def open_for(triggers: Iterable[Trigger], event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    """The obligations the triggers call for; a trigger about someone unknown waits for them."""
    changes: list[Change] = []
    for t in triggers:
        subject = view.person(t.subject_id)
        if subject is None:
            changes.append(TriggerHeld(t.subject_id, event.id, event.envelope.model_dump_json()))
            continue
        rule, refused = choose_rule(t, subject, view.seats_of(t.subject_id), policy.zone)
        ob = new_obligation(t, rule, event.id, policy, event_type=event.envelope.type, source=event.envelope.source)
        existing = view.obligation(ob.obligation_id)
        saved = settled(existing, existing or ob, view, policy, today)
        changes += saved
        if refused and existing is None:
            reason = f"{REFUSED}: {rule} about {t.subject_id}"
            changes.append(TriggerRefused(event.id, event.envelope.type, event.envelope.to_json_bytes().decode(), t.subject_id, reason))
        for change in saved:  # a vacant seat met on the way up is reported (once the batch is applied)
            changes.append(Unsettled(t.at, vacancies=frozenset(change.obligation.paths)))
    return changes


def action_retracted(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    """The source withdrew the case: what it opened is cancelled, unless a talk already fulfilled it.
    Kept as a fact, so an action read after its retraction is cancelled too (SPEC §9)."""
    data: d.DisciplineActionRetracted = event.data
    retraction = Retraction(data.case_ref, data.person_id, event.envelope.time, event.id)
    touched = {ob.obligation_id for ob in view.obligations_by_ref(data.case_ref) if data.person_id in (None, ob.subject_id)}
    return [RetractionSaved(retraction), Unsettled(event.envelope.time, obligation_ids=frozenset(touched))]


def waived(obligation: Obligation, reason: str, at: datetime, view: View, policy: Policy, today: date) -> list[Change]:
    """An operator closes an obligation of theirs with a reason (SPEC §2)."""
    return settled(obligation, evolve(obligation, waived_at=at, waived_reason=reason), view, policy, today)


def obligation_waived(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    """A replay reads back the operators' waivers from compliance's own topic."""
    data: d.ObligationChanged = event.data
    ob = view.obligation(data.obligation_id)
    if ob is None or ob.waived_at is not None:
        return []
    return waived(ob, data.reason or "", event.envelope.time, view, policy, today)


# talks and meetings --------------------------------------------------------------------------
def talk_recorded(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    """Its credits towards coverage, and the obligations of its participants settled again."""
    data: d.TalkRecorded = event.data
    talk = Talk(data.talk_id, data.held_at, data.mode, frozenset(data.talker_ids), frozenset(data.talkee_ids))
    return [
        TalkSaved(talk),
        CreditsSaved(talk.talk_id, talk.held_at, credits_of_talk(talk, view, policy)),
        Unsettled(talk.held_at, obligation_ids=frozenset(ob.obligation_id for ob in _may_be_met(talk, view, policy)), talk=talk),
    ]


def _may_be_met(talk: Talk, view: View, policy: Policy) -> list[Obligation]:
    """The obligations a talk may fulfil: its talkee's (and, for a request, its talker's), not closed
    before it was held, triggered no later than its date allows."""
    day = local_date(talk.held_at, policy.zone)
    found = [ob for s in talk.talkee_ids for ob in view.obligations_of(s, talk.held_at)]
    if len(talk.talkee_ids) == 1:  # a request may be met either way round
        found += [ob for s in talk.talker_ids for ob in view.obligations_of(s, talk.held_at, "REQ")]
    return [
        ob for ob in found
        if (ob.closed_at is None or ob.closed_at > talk.held_at) and ob.trigger_date - timedelta(days=policy.window(ob.rule_id)) <= day
    ]  # fmt: skip


def meeting_scheduled(event: ParsedEvent, view: View, policy: Policy, today: date) -> list[Change]:
    data: d.MeetingScheduled = event.data
    return [MeetingSaved(data.meeting_id, data.org_id, data.date, data.kind)]


TRIGGER_TYPES = (
    "discipline.action_recorded.v1",
    "discipline.adverse_report_received.v1",
    "conduct.observation_recorded.v1",
    "dues.arrears_recorded.v1",
    "appraisal.rated.v1",
    "welfare.hardship_reported.v1",
    "honours.commendation_awarded.v1",
    "cadre.job_changed.v1",
    "cadre.promoted.v1",
    "talk.requested.v1",
)

ROUTES: dict[str, Decide] = {
    "org.registered.v1": org_registered,
    "org.moved.v1": org_moved,
    "member.joined.v1": member_joined,
    "member.transferred.v1": member_transferred,
    "member.left.v1": member_left,
    "role.assigned.v1": role_changed,
    "role.ended.v1": role_changed,
    "conduct.attendance_recorded.v1": attendance_recorded,
    "discipline.action_retracted.v1": action_retracted,
    "talk.recorded.v1": talk_recorded,
    "meeting.scheduled.v1": meeting_scheduled,
    **dict.fromkeys(TRIGGER_TYPES, trigger),
}

# Read back from compliance's own topic by a replay only: the live service applied them when the
# operator acted (see application.waivers).
REPLAYED = {"obligation.waived.v1": obligation_waived}
