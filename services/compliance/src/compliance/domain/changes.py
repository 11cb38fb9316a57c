"""What a decision changes: facts to keep, obligations settled, messages to send. Plain values;
the unit of work applies them in order, in one transaction with the event's tracking row."""

from dataclasses import dataclass, field
from datetime import date, datetime

from compliance.domain.coverage import Credit
from compliance.domain.history import Person, Seat
from compliance.domain.obligations import Obligation, Retraction, Talk
from compliance.domain.tree import Org


@dataclass(frozen=True)
class OrgSaved:
    org: Org


@dataclass(frozen=True)
class SeatsSaved:
    org_id: str
    seats: tuple[Seat, ...]  # the organisation's whole seat history as it now stands


@dataclass(frozen=True)
class PersonSaved:
    person: Person


@dataclass(frozen=True)
class TalkSaved:
    talk: Talk


@dataclass(frozen=True)
class CreditsSaved:
    talk_id: str
    held_at: datetime
    credits: tuple[Credit, ...]  # replace whatever the talk counted towards before


@dataclass(frozen=True)
class RetractionSaved:
    retraction: Retraction


@dataclass(frozen=True)
class MeetingSaved:
    meeting_id: str
    org_id: str
    date: date
    kind: str


@dataclass(frozen=True)
class AbsencesSaved:
    person_id: str
    absences: int


@dataclass(frozen=True)
class TriggerHeld:
    """About a person the registry has not told of yet: kept, applied when they arrive (SPEC §6)."""

    person_id: str
    event_id: str
    payload: str  # the event as JSON


@dataclass(frozen=True)
class HeldReleased:
    person_id: str


@dataclass(frozen=True)
class TriggerRefused:
    """A C rule alone about someone holding no committee seat (SPEC §3.2): reported as a dead letter
    of the event with this reason (its obligation is kept, cancelled, in case seats are corrected)."""

    event_id: str
    event_type: str
    payload: str  # the event as JSON, as the dead letter carries it
    person_id: str
    reason: str


@dataclass(frozen=True)
class ObligationSaved:
    obligation: Obligation
    before: Obligation | None = None  # as it stood before this change (None: new)


@dataclass(frozen=True)
class VacancyReported:
    org_id: str
    parent_org_id: str | None
    parent_secretary_id: str | None
    since: date


@dataclass(frozen=True)
class VacancyFilled:
    org_id: str


@dataclass(frozen=True)
class MeetingReminded:
    """The reminder `days_before` a meeting was sent (SPEC §3.6), with the coverage it lacked."""

    meeting_id: str
    org_id: str
    date: date
    days_before: int
    secretary_id: str | None
    uncovered: dict[str, int] = field(default_factory=dict)  # per coverage rule


@dataclass(frozen=True)
class Unsettled:
    """Facts changed from `since` on: the obligations they may touch are settled again, the talks'
    credits counted again, held triggers decided again (decisions.settle_again)."""

    since: datetime
    subjects: frozenset[str] = frozenset()  # their obligations
    orgs: frozenset[str] = frozenset()  # obligations whose responsibility was read from these seats
    obligation_ids: frozenset[str] = frozenset()
    credit_people: frozenset[str] = frozenset()  # their talks held since `since`
    held_people: frozenset[str] = frozenset()  # triggers held until these people were known
    vacancies: frozenset[str] = frozenset()  # organisations whose secretary seat may be vacant (checked once the batch is applied)
    # A talk just recorded, when it is the only new fact: each obligation's outcome was settled from
    # every earlier talk, so only this one (and whichever fulfils it now) can change it.
    talk: Talk | None = None


Change = (
    OrgSaved | SeatsSaved | PersonSaved | TalkSaved | CreditsSaved | RetractionSaved | MeetingSaved | AbsencesSaved
    | TriggerHeld | HeldReleased | TriggerRefused | ObligationSaved | VacancyReported | VacancyFilled
    | MeetingReminded | Unsettled
)  # fmt: skip
