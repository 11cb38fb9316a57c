"""What the rules may read (a port): the projection's facts as of the event being decided.

Read-only. Adapters implement it over PostgreSQL, loading a batch's rows in bulk first; an
in-memory implementation runs the same rules in unit tests. An implementation that has not loaded
what is asked raises `NotLoaded` naming it: the caller loads it and decides again (decisions are
pure, so deciding twice is harmless), so a batch loaded too narrowly is slower, never wrong.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the types only: these modules import this one
    from compliance.domain.history import Person, Seat
    from compliance.domain.obligations import Obligation, Retraction, Talk
    from compliance.domain.tree import Org


class NotLoaded(LookupError):
    """The view cannot answer yet: `kind` and `key` say what to load (e.g. ("talks_of", (person, since)))."""

    def __init__(self, kind: str, key: object):
        self.kind, self.key = kind, key
        super().__init__(f"{kind} {key!r} not loaded")


class View(Protocol):
    # the organisation tree and its seats
    def org(self, org_id: str) -> "Org | None": ...
    def parent_of(self, org_id: str) -> str | None: ...
    def seats_at(self, org_id: str) -> "Sequence[Seat]":
        """Every seat of the organisation, past and present."""

    def secretaries_at(self, org_id: str) -> "Sequence[Seat]":
        """Its secretary seats only, past and present (all a search for the responsible secretary reads)."""

    def seats_of(self, person_id: str) -> "Sequence[Seat]":
        """Every seat the person held or holds."""

    def vacant_since(self, org_id: str) -> date | None:
        """When a vacancy of the organisation's secretary seat was reported (None: not reported)."""

    # people
    def person(self, person_id: str) -> "Person | None":
        """Their membership history; None when the registry never told of them."""

    def absences(self, person_id: str) -> int: ...
    def held(self, person_id: str) -> Sequence[tuple[str, str]]:
        """Triggers waiting for the person to be known: (event id, the event as JSON)."""

    # obligations
    def obligation(self, obligation_id: str) -> "Obligation | None": ...
    def obligations_of(self, subject_id: str, since: datetime, rule_id: str | None = None) -> "Sequence[Obligation]":
        """The obligations about the person that are open, or closed at or after `since` (only those
        of `rule_id` when it is given)."""

    def obligations_through(self, org_id: str, since: datetime) -> "Sequence[Obligation]":
        """Obligations whose responsibility was read from the organisation's seat (their `paths`):
        the open ones, and the ones closed at or after `since`."""

    def obligations_by_ref(self, ref: str) -> "Sequence[Obligation]": ...
    def retractions(self, ref: str) -> "Sequence[Retraction]": ...

    # talks
    def talks_of(self, person_id: str, since: datetime) -> "Sequence[Talk]":
        """Talks the person took part in, held at or after `since`."""

    def talk(self, talk_id: str) -> "Talk | None": ...
