"""What a batch will read, worked out from its events before any is decided, so that its rows can
be loaded in a few bulk queries (see adapters.rows). A guess, never a condition of correctness:
whatever it misses is loaded when a decision asks for it."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from compliance.domain.decisions import EPOCH
from compliance.domain.obligations import Obligation, obligation_id
from compliance.domain.policy import Policy
from compliance.domain.responsibility import LEADER, OPERATORS_AT, PLACED
from compliance.domain.triggers import triggers_of
from talk_contracts import ParsedEvent
from talk_contracts.calendar import start_of

PEOPLE_FIELDS = ("person_id", "leader_id")
PEOPLE_LIST_FIELDS = ("talker_ids", "talkee_ids", "counterpart_ids")
ORG_FIELDS = ("org_id", "parent_id", "to_org_id", "from_org_id")
SEAT_EVENTS = ("role.assigned.v1", "role.ended.v1", "org.moved.v1", "org.registered.v1")
CHANGES_OF_PEOPLE = ("role.assigned.v1", "role.ended.v1", "member.joined.v1", "member.transferred.v1", "member.left.v1")


@dataclass
class Needs:
    people: set[str] = field(default_factory=set)  # each with their seats, absences, held triggers
    # (person, rule or None for all) -> their obligations open or closed since
    subjects: dict[tuple[str, str | None], datetime] = field(default_factory=dict)
    orgs: set[str] = field(default_factory=set)  # each with its ancestors and their secretaries
    seat_orgs: set[str] = field(default_factory=set)  # each with all its seats (a seat changes there)
    refs: set[str] = field(default_factory=set)
    obligation_ids: set[str] = field(default_factory=set)
    through: dict[str, datetime] = field(default_factory=dict)  # org -> obligations read through its seat since
    talks: dict[str, datetime] = field(default_factory=dict)  # person -> their talks since
    # People whose seats or membership the batch changes: all their obligations are settled again.
    changed_people: set[str] = field(default_factory=set)

    def talks_since(self, person: str, since: datetime) -> None:
        self.talks[person] = min(since, self.talks.get(person, since))

    def obligations_since(self, person: str, since: datetime, rule_id: str | None = None) -> None:
        self.subjects[person, rule_id] = min(since, self.subjects.get((person, rule_id), since))


@dataclass(frozen=True)
class _Fields:
    """Which of the fields the batch reads an event type's data has (worked out once per type)."""

    people: tuple[str, ...]
    people_lists: tuple[str, ...]
    orgs: tuple[str, ...]
    case_ref: bool
    held_at: bool


@cache
def _fields_of(model: type) -> _Fields:
    has = model.model_fields
    return _Fields(
        tuple(f for f in PEOPLE_FIELDS if f in has), tuple(f for f in PEOPLE_LIST_FIELDS if f in has),
        tuple(f for f in ORG_FIELDS if f in has), "case_ref" in has, "held_at" in has,
    )  # fmt: skip


def needs_of_events(events: Iterable[ParsedEvent], policy: Policy) -> Needs:
    needs = Needs()
    for event in events:
        data, at, kind = event.data, event.envelope.time, event.envelope.type
        f = _fields_of(type(data))
        people = {v for name in f.people if (v := getattr(data, name))}
        for name in f.people_lists:
            people.update(getattr(data, name) or ())
        needs.people |= people
        needs.orgs |= {v for name in f.orgs if (v := getattr(data, name))}
        if f.case_ref and data.case_ref is not None:
            needs.refs.add(data.case_ref)
        if kind in SEAT_EVENTS:
            needs.seat_orgs.add(data.org_id)
            # a first registration reaches back to whatever was read before it (decisions.org_registered)
            since = EPOCH if kind == "org.registered.v1" else at - timedelta(days=2)
            secretary = getattr(data, "role", "secretary") == "secretary"  # other seats: see decisions.role_changed
            keys = [data.org_id] if secretary else [OPERATORS_AT + data.org_id, LEADER + data.person_id]
            if kind in ("org.moved.v1", "org.registered.v1"):  # and whose seats were chosen between by its place (decisions._moved)
                keys.append(PLACED + data.org_id)
            for key in keys:
                needs.through[key] = min(since, needs.through.get(key, since))
        if kind == "conduct.attendance_recorded.v1":
            if data.present:  # only the streak is read: it ends
                continue
            needs.obligation_ids.add(obligation_id(("M2",), data.person_id, event.id))  # may be the third absence in a row
        # A change of seats or membership counts their talks again from the day before, and settles
        # their obligations again from then; a first joining, every talk read about them before it
        # (decisions.member_joined).
        since = EPOCH if kind == "member.joined.v1" else at - timedelta(days=2)
        if f.held_at:  # a talk recorded days after it was held
            since = min(since, data.held_at - timedelta(days=1))
        for person in people:
            needs.talks_since(person, since)
        if kind in CHANGES_OF_PEOPLE:
            needs.changed_people |= people
            for person in people:
                needs.obligations_since(person, since)
        elif kind == "talk.recorded.v1":  # the obligations it may fulfil (decisions._may_be_met)
            for person in data.talkee_ids:
                needs.obligations_since(person, data.held_at)
            for person in data.talker_ids if len(data.talkee_ids) == 1 else ():
                needs.obligations_since(person, data.held_at, "REQ")
        for trigger in triggers_of(data, at, policy):
            needs.obligation_ids.add(obligation_id(trigger.rules, trigger.subject_id, event.id))
            window = max(policy.window(rule) for rule in trigger.rules)
            needs.talks_since(trigger.subject_id, start_of(trigger.day - timedelta(days=window), policy.zone))
    return needs


def needs_of_obligations(obligations: Iterable[Obligation], policy: Policy) -> Needs:
    """What settling these again reads: their people, their talks since the window opened, their seats."""
    needs = Needs()
    for ob in obligations:
        needs.people.add(ob.subject_id)
        if ob.leader_id:
            needs.people.add(ob.leader_id)
        needs.orgs |= set(ob.paths)
        needs.talks_since(ob.subject_id, start_of(ob.trigger_date - timedelta(days=policy.window(ob.rule_id)), policy.zone))
        if ob.trigger_ref:
            needs.refs.add(ob.trigger_ref)
    return needs
