"""Which talk fulfils a must-talk obligation, and when (SPEC §3.3). Pure.

A talk fulfils when the subject is its only talkee and a talker answers for the subject (REQ: the
requester and the leader either way round); a collective talk never does. It counts from the
instant a talker answers for the subject on or after the talk, so a talk already held with someone
who *becomes* responsible later (a hand-over, a transfer) counts from then, and whatever order the
talk and the seat changes arrive in, the same talk fulfils. Of several, the one that counts first
decides; its date against the due date says whether it was on time.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from compliance.domain.obligations import Talk
from compliance.domain.responsibility import PERSON, Period
from compliance.domain.view import View
from talk_contracts import COMMITTEE_ROLES
from talk_contracts.calendar import local_date


def partners(talk: Talk, subject_id: str, either_way: bool) -> frozenset[str]:
    """Who, in this talk, talked with the subject individually."""
    if talk.is_collective:
        return frozenset()
    found: set[str] = set()
    if talk.talkee_ids == {subject_id}:
        found |= talk.talker_ids
    if either_way and subject_id in talk.talker_ids and len(talk.talkee_ids) == 1:
        found |= talk.talkee_ids
    return frozenset(found - {subject_id})


def counts_from(talk: Talk, with_: frozenset[str], periods: Sequence[Period], view: View) -> datetime | None:
    """The first instant, on or after the talk, at which one of `with_` answers for the subject.
    While the operators answer (at the root), any committee member of that organisation does."""
    for period in periods:  # in time order: the first that qualifies is the earliest
        if period.end is not None and period.end <= talk.held_at:
            continue
        lo = max(period.start, talk.held_at)
        answer = period.answer
        if answer.kind == PERSON:
            if answer.person_id in with_:
                return lo
            continue
        seated = [
            max(lo, seat.since)
            for seat in view.seats_at(answer.org_id)
            if seat.person_id in with_ and seat.role in COMMITTEE_ROLES and (seat.until is None or seat.until > lo)
        ]
        seated = [at for at in seated if period.end is None or at < period.end]
        if seated:
            return min(seated)
    return None


def first_fulfilling(
    talks: Iterable[Talk], subject_id: str, either_way: bool, from_day: date, periods: Sequence[Period], view: View, tz: ZoneInfo
) -> tuple[datetime, Talk] | None:
    """The talk that fulfils first, with the instant it counts from; talks before `from_day` (the
    trigger's date; C1: 30 days earlier) do not qualify."""
    best: tuple[datetime, Talk] | None = None
    for talk in talks:
        if local_date(talk.held_at, tz) < from_day:
            continue
        with_ = partners(talk, subject_id, either_way)
        at = counts_from(talk, with_, periods, view) if with_ else None
        if at is not None and (best is None or (at, talk.held_at, talk.talk_id) < (best[0], best[1].held_at, best[1].talk_id)):
            best = (at, talk)
    return best
