"""Membership and seats over time (SPEC §2, §3.1, §3.5). Pure.

Both are half-open intervals [since, until) of instants. A person's membership is a run of
*stretches*, one per organisation: a transfer ends one stretch and starts the next at the same
instant; leaving ends the last one; joining again starts a new one and keeps the old history.
Seats are kept per organisation; a person may hold several.

Before the registry first knew a person (their first stretch), they are taken to have been as it
first knew them: a trigger dated before the city was loaded still has a subject, an organisation and
seats (SPEC §2, "a trigger reported late ... falls on today's holder").
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from compliance.domain.evolve import evolve
from talk_contracts import COMMITTEE_ROLES
from talk_contracts.calendar import local_date

ROLE_RANK = {"secretary": 0, "deputy_secretary": 1, "committee_member": 2}


@dataclass(frozen=True)
class Seat:
    org_id: str
    person_id: str
    role: str
    since: datetime
    until: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.until is None

    def held_at(self, at: datetime) -> bool:
        return self.since <= at and (self.until is None or at < self.until)

    def held_on(self, day: date, tz: ZoneInfo) -> bool:
        """Held during the day (a seat taken that day counts; one ended that day does not)."""
        return local_date(self.since, tz) <= day and (self.until is None or local_date(self.until, tz) > day)


@dataclass(frozen=True)
class Stretch:
    """Membership of one organisation over [since, until)."""

    org_id: str
    since: datetime
    until: datetime | None = None
    left_reason: str | None = None  # set when the membership itself ended here (not a transfer)


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    status: str
    stretches: tuple[Stretch, ...]  # in time order

    @property
    def current(self) -> Stretch | None:
        last = self.stretches[-1] if self.stretches else None
        return last if last is not None and last.until is None else None

    @property
    def first_since(self) -> datetime:
        return self.stretches[0].since

    def stretch_at(self, at: datetime) -> Stretch | None:
        """The stretch holding the instant; before the first one, the first one (see above)."""
        if at < self.first_since:
            return self.stretches[0]
        for stretch in self.stretches:
            if stretch.since <= at and (stretch.until is None or at < stretch.until):
                return stretch
        return None

    def org_at(self, at: datetime) -> str | None:
        stretch = self.stretch_at(at)
        return stretch.org_id if stretch else None

    def member_on(self, day: date, tz: ZoneInfo) -> bool:
        """A member during `day` (before the registry first knew them: yes)."""
        if day < local_date(self.first_since, tz):
            return True
        return any(
            local_date(s.since, tz) <= day and (s.until is None or local_date(s.until, tz) > day) for s in self.stretches
        )

    def leaving_after(self, at: datetime) -> Stretch | None:
        """The first stretch ending a membership (not a transfer) after `at`."""
        for stretch in self.stretches:
            if stretch.left_reason is not None and stretch.until is not None and stretch.until > at:
                return stretch
        return None

    def clamp(self, day: date, tz: ZoneInfo) -> date:
        """A date no earlier than the registry's first knowledge of the person."""
        return max(day, local_date(self.first_since, tz))


# What a membership event does to the history (the registry's events, applied in the person's order).
def joined(person: Person | None, person_id: str, org_id: str, name: str, status: str, at: datetime) -> Person:
    """A new member, or a member joining again: a new stretch; the history before it is kept. A
    `member.joined` for someone still a member only updates their name and status."""
    if person is None:
        return Person(person_id, name, status, (Stretch(org_id, at),))
    if person.current is not None:
        return evolve(person, name=name, status=status)
    at = max(at, person.stretches[-1].until or at)
    return evolve(person, name=name, status=status, stretches=(*person.stretches, Stretch(org_id, at)))


def transferred(person: Person, to_org_id: str, at: datetime) -> Person:
    current = person.current
    if current is None or current.org_id == to_org_id:
        return person
    at = max(at, current.since)
    return evolve(person, stretches=(*person.stretches[:-1], evolve(current, until=at), Stretch(to_org_id, at)))


def left(person: Person, reason: str, at: datetime) -> Person:
    current = person.current
    if current is None:
        return person
    at = max(at, current.since)
    return evolve(person, stretches=(*person.stretches[:-1], evolve(current, until=at, left_reason=reason)))


# What a role event does to an organisation's seats (SPEC §2: at most one secretary).
def assigned(seats: Sequence[Seat], org_id: str, person_id: str, role: str, at: datetime) -> tuple[Seat, ...]:
    """The person takes the seat. One secretary at a time: a secretary still seated is unseated at
    that instant (the registry publishes that end itself; this keeps older logs right too)."""
    if any(s.person_id == person_id and s.role == role and s.is_open for s in seats):
        return tuple(seats)
    out = [
        evolve(s, until=max(at, s.since)) if role == "secretary" and s.role == "secretary" and s.is_open else s
        for s in seats
    ]
    return _in_order([*out, Seat(org_id, person_id, role, at)])


def ended(seats: Sequence[Seat], person_id: str, role: str, at: datetime) -> tuple[Seat, ...]:
    return _in_order(
        evolve(s, until=max(at, s.since)) if s.person_id == person_id and s.role == role and s.is_open else s
        for s in seats
    )


def _in_order(seats: Iterable[Seat]) -> tuple[Seat, ...]:
    """One order for a history, however it was built (equal histories compare equal)."""
    return tuple(sorted(seats, key=lambda s: (s.since, s.person_id, s.role)))


# Reading seats.
def secretary_at(seats: Iterable[Seat], at: datetime) -> str | None:
    """Who holds the secretary seat at the instant (the latest appointed, should data overlap)."""
    held = [s for s in seats if s.role == "secretary" and s.held_at(at)]
    return max(held, key=lambda s: (s.since, s.person_id)).person_id if held else None


def committee_on(seats: Iterable[Seat], days: Iterable[date], tz: ZoneInfo) -> bool:
    """Whether any committee seat is held on one of the days (SPEC §3.2: M or C)."""
    days = list(days)
    return any(s.role in COMMITTEE_ROLES and s.held_on(d, tz) for s in seats for d in days)


def boundaries(seats: Iterable[Seat], after: datetime) -> list[datetime]:
    """The instants after `after` at which any of the seats begins or ends."""
    return [t for s in seats for t in (s.since, s.until) if t is not None and t > after]
