"""Who must act for a person, at an instant and over time (SPEC §2, "一级抓一级，分级负责"). Pure.

1. A person with no committee seat answers to the secretary of their own organisation;
2. a committee member or deputy of O to O's secretary; 3. the secretary of O to the secretary of
O's parent; 4. a vacant seat, or one held by the person themselves, moves the search one level up,
and at the root the obligation falls to the operators; 5. (v2) a person with seats in several
organisations answers by the highest of them (nearest the root; at equal depth a seat in an ancestor
of their own organisation first, then the smaller org_id).

A REQ is answered by the leader the member asked while that leader holds a seat in the member's
organisation or above it, then by the member's responsible secretary (SPEC §3.2).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from compliance.domain.evolve import evolve
from compliance.domain.history import ROLE_RANK, Person, Seat, boundaries, secretary_at
from compliance.domain.tree import chain, depth
from compliance.domain.view import View
from talk_contracts import COMMITTEE_ROLES

PERSON, OPERATORS = "person", "operators"
# Markers in an obligation's paths, beside the organisations whose secretary seat was read:
# "while the operators answered, at this organisation" (its committee may then fulfil it) and "the
# leader a member asked" (their seats decide who answers a REQ). A change of such a seat settles
# the obligation again, found by the marker (View.obligations_through).
OPERATORS_AT = "@"
LEADER = "^"
# And "where this organisation sits in the tree chose between the subject's seats" (rule 5): the
# organisations above each of their seats and their own organisations. A move or a late
# registration of one of them may change the seat that decides (decisions._moved).
PLACED = "~"
# "Now" for questions about the present (the escalation target, a vacancy's parent): after every
# change the projection knows of.
NOW = datetime(9999, 12, 31, tzinfo=UTC)
_MAX_PERIODS = 1000  # a sweep over a history longer than this is bad data, not a city


@dataclass(frozen=True)
class Answer:
    """Who answers for the subject: a person, or the operators of `org_id`'s subtree."""

    kind: str
    person_id: str | None
    org_id: str | None  # the seat's organisation, or where the search stopped
    path: tuple[str, ...] = ()  # organisations whose secretary seat was read, from the start up
    vacant: tuple[str, ...] = ()  # of those, the ones found vacant

    def same_holder(self, other: "Answer") -> bool:
        return (self.kind, self.person_id, self.org_id) == (other.kind, other.person_id, other.org_id)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime | None  # None: still so
    answer: Answer

    def holds(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


def deciding_seat(seats: Sequence[Seat], own_org: str | None, view: View) -> Seat | None:
    """Rule 5: of the seats held, the one that decides (None: no committee seat)."""
    committee = [s for s in seats if s.role in COMMITTEE_ROLES]
    if not committee:
        return None
    own_chain = set(chain(own_org, view.parent_of))
    return min(
        committee,
        key=lambda s: (depth(s.org_id, view.parent_of), s.org_id not in own_chain, s.org_id, ROLE_RANK[s.role]),
    )


def placed_by(subject: Person, subject_seats: Sequence[Seat], view: View) -> set[str]:
    """The organisations whose place in the tree rule 5 reads to choose between the subject's
    committee seats (none with fewer than two), marked PLACED."""
    seats = {s.org_id for s in subject_seats if s.role in COMMITTEE_ROLES}
    if len(seats) < 2:
        return set()
    orgs = seats | {s.org_id for s in subject.stretches}
    return {PLACED + above for org in orgs for above in chain(org, view.parent_of)}


def answer_at(subject: Person, subject_seats: Sequence[Seat], at: datetime, view: View, leader_id: str | None = None) -> Answer:
    own_org = subject.org_at(at)
    if leader_id is not None:
        # A seat of the leader anywhere above the member decides: the whole chain is on the path,
        # so that the leader taking or leaving any of those seats settles the request again.
        above = chain(own_org, view.parent_of)
        leader_seats = [s for s in view.seats_of(leader_id) if s.held_at(at) and s.org_id in above and s.role in COMMITTEE_ROLES]
        if leader_seats:
            seat = min(leader_seats, key=lambda s: (s.org_id, ROLE_RANK[s.role]))
            return Answer(PERSON, leader_id, seat.org_id, tuple(above))
        found = answer_at(subject, subject_seats, at, view)
        return evolve(found, path=tuple(dict.fromkeys([*found.path, *above])))
    seat = deciding_seat([s for s in subject_seats if s.held_at(at)], own_org, view)
    if seat is None:
        start = own_org  # rule 1
    elif seat.role == "secretary":
        start = view.parent_of(seat.org_id)  # rule 3
    else:
        start = seat.org_id  # rule 2
    path: list[str] = []
    vacant: list[str] = []
    for org in chain(start, view.parent_of):
        path.append(org)
        holder = secretary_at(view.secretaries_at(org), at)
        if holder is None:
            vacant.append(org)
        elif holder != subject.person_id:
            return Answer(PERSON, holder, org, tuple(path), tuple(vacant))
    stopped = path[-1] if path else (seat.org_id if seat else own_org)
    # Rule 4, at the root. The organisation where the search stopped is on the path too: its
    # committee may fulfil the operators' obligation, so a change of its seats settles it again.
    return Answer(OPERATORS, None, stopped, tuple(dict.fromkeys([*path, *([stopped] if stopped else [])])), tuple(vacant))


def _next_change(subject: Person, subject_seats: Sequence[Seat], answer: Answer, at: datetime, view: View, leader_id: str | None) -> datetime | None:
    """The first instant after `at` at which the answer may change."""
    found = boundaries(subject_seats, at)
    found += [t for s in subject.stretches for t in (s.since, s.until) if t is not None and t > at]
    for org in answer.path:
        found += boundaries(view.secretaries_at(org), at)
    if leader_id is not None:
        found += boundaries(view.seats_of(leader_id), at)
    return min(found, default=None)


def periods(
    subject: Person, start: datetime, end: datetime | None, view: View, leader_id: str | None = None
) -> list[Period]:
    """Who answered for the subject from `start` until `end` (None: until now and on), as periods."""
    seats = view.seats_of(subject.person_id)
    out: list[Period] = []
    at: datetime | None = start
    while at is not None and (end is None or at < end) and len(out) < _MAX_PERIODS:
        answer = answer_at(subject, seats, at, view, leader_id)
        following = _next_change(subject, seats, answer, at, view, leader_id)
        if out and out[-1].answer.same_holder(answer) and out[-1].answer.path == answer.path:
            out[-1] = evolve(out[-1], end=following)
        else:
            out.append(Period(at, following, answer))
        at = following
    if out and end is not None and (out[-1].end is None or out[-1].end > end):
        out[-1] = evolve(out[-1], end=end)
    return out


def escalation_target(answer: Answer, subject_id: str, at: datetime, view: View) -> Answer:
    """SPEC §2: the nearest filled secretary seat above the responsible one that is not the
    subject's (nor the responsible person's), else the operators."""
    path: list[str] = []
    start = view.parent_of(answer.org_id) if answer.org_id else None
    for org in chain(start, view.parent_of):
        path.append(org)
        holder = secretary_at(view.secretaries_at(org), at)
        if holder is not None and holder not in (subject_id, answer.person_id):
            return Answer(PERSON, holder, org, tuple(path))
    return Answer(OPERATORS, None, path[-1] if path else answer.org_id, tuple(path))
