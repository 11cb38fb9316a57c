"""Annual coverage (SPEC §3.1): who had the talks the regulation asks for this calendar year. Pure.

A talk earns *credits*, judged by the seats and memberships held when it was held: COV-MEMBER for a
member talked with by a committee member of the organisation they then belonged to; COV-SECRETARY
for a subordinate organisation's secretary talked with by the parent's secretary or a parent
committee member; COV-COMMITTEE for two committee members of one organisation talking with each
other. A credit belongs to the person, so a member transferred in June keeps May's talk; the year is
the talk's year in the deployment's calendar.
"""

from dataclasses import dataclass
from datetime import date

from compliance.domain.obligations import Talk
from compliance.domain.policy import Policy
from compliance.domain.view import View
from talk_contracts import COMMITTEE_ROLES
from talk_contracts.calendar import local_date

RULES = (MEMBER, SECRETARY, COMMITTEE) = ("COV-MEMBER", "COV-SECRETARY", "COV-COMMITTEE")  # in the order answers list them


@dataclass(frozen=True)
class Credit:
    rule_id: str
    person_id: str  # for a committee pair: the smaller id of the two
    counterpart_id: str
    org_id: str
    year: int


@dataclass(frozen=True)
class CoverageState:
    talks: int
    target: int
    state: str  # covered | pending | at_risk


def counts_towards_coverage(talk: Talk, policy: Policy) -> bool:
    """Collective talks count only where policy says so (default: no)."""
    return not talk.is_collective or policy.collective_talks_count


def credits_of_talk(talk: Talk, view: View, policy: Policy) -> tuple[Credit, ...]:
    """What the talk counts towards (nothing, if it does not count towards coverage at all)."""
    if not counts_towards_coverage(talk, policy):
        return ()
    at, year = talk.held_at, local_date(talk.held_at, policy.zone).year

    def committee_of(person_id: str) -> set[str]:
        return {s.org_id for s in view.seats_of(person_id) if s.held_at(at) and s.role in COMMITTEE_ROLES}

    found: dict[Credit, None] = {}
    for talkee in sorted(talk.talkee_ids):
        person = view.person(talkee)
        stretch = person.stretch_at(at) if person else None
        talkee_seats = [s for s in view.seats_of(talkee) if s.held_at(at) and s.role in COMMITTEE_ROLES]
        for talker in sorted(talk.talker_ids - {talkee}):
            theirs = committee_of(talker)
            if stretch is not None and stretch.org_id in theirs:
                found[Credit("COV-MEMBER", talkee, talker, stretch.org_id, year)] = None
            for seat in talkee_seats:
                if seat.role == "secretary" and view.parent_of(seat.org_id) in theirs:
                    found[Credit("COV-SECRETARY", talkee, talker, seat.org_id, year)] = None
                if seat.org_id in theirs:
                    low, high = sorted((talker, talkee))
                    found[Credit("COV-COMMITTEE", low, high, seat.org_id, year)] = None
    return tuple(found)


def why_not_member_credit(talk: Talk, person_id: str, view: View, policy: Policy) -> str | None:
    """Why the talk does not count towards the person's COV-MEMBER (None: it does), judged as
    credits_of_talk judges it: collective talks only where policy says so; the person a talkee; a
    member then; talked with by a committee member of the organisation they then belonged to."""
    if not counts_towards_coverage(talk, policy):
        return "collective_not_counted"
    if person_id not in talk.talkee_ids:
        return "not_a_talkee"
    person = view.person(person_id)
    stretch = person.stretch_at(talk.held_at) if person else None
    if stretch is None:
        return "not_a_member_then"
    for talker in talk.talker_ids - {person_id}:
        if any(s.org_id == stretch.org_id and s.held_at(talk.held_at) and s.role in COMMITTEE_ROLES for s in view.seats_of(talker)):
            return None
    return "no_committee_talker"


def coverage_state(talks: int, year: int, today: date, policy: Policy, next_meeting: date | None = None) -> CoverageState:
    """`covered` with the minimum number of talks (and only by the number of talks: the counted
    answers split each organisation's people at `policy.coverage_min_talks` in the database); else
    as `uncovered_state` says."""
    state = "covered" if talks >= policy.coverage_min_talks else uncovered_state(year, today, policy, next_meeting)
    return CoverageState(talks=talks, target=policy.coverage_target_talks, state=state)


def uncovered_state(year: int, today: date, policy: Policy, next_meeting: date | None = None) -> str:
    """Someone not covered yet: `at_risk` when fewer than `at_risk_days_left` days remain before the
    year ends or before the organisation's next scheduled organisational-life meeting (SPEC §3.6);
    `pending` otherwise. The same for everyone of one organisation, whatever their talks."""
    deadline = date(year, 12, 31)
    if next_meeting is not None and today <= next_meeting < deadline:
        deadline = next_meeting
    return "at_risk" if (deadline - today).days < policy.at_risk_days_left else "pending"
