"""(v2, SPEC §3.2) C rules are about committee members and subordinate secretaries (§三.2): a
trigger with only a C rule about someone who holds no committee seat on the trigger's date is
refused here, with a 422 saying so. In C8, a named counterpart who is an ordinary member is skipped
and reported (a warning with the accepted event); the other parties' obligations open. Pure.

The date is the deployment's calendar; for C1/C2 a seat held the day before, or taken on, the
effective date counts. Someone the registry does not know yet is not judged (compliance holds the
trigger until they arrive, and judges it then).
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from registry.domain.invariants import Seat, Snapshot
from talk_contracts import COMMITTEE_ROLES
from talk_contracts import data as d
from talk_contracts.calendar import local_date

C_ONLY_OBSERVATIONS = {"ineffective_performance": "C4", "low_spirit": "C7", "conflict": "C8"}


def _held_on(seat: Seat, day: date, tz: ZoneInfo) -> bool:
    return local_date(seat.since, tz) <= day and (seat.until is None or local_date(seat.until, tz) > day)


def _ordinary(person_id: str, days: Iterable[date], state: Snapshot, tz: ZoneInfo) -> bool:
    """Known to the registry and without a committee seat on any of the days."""
    if person_id not in state.members:
        return False
    days = list(days)
    seats = [s for s in state.seats if s.person_id == person_id and s.role in COMMITTEE_ROLES]
    return not any(_held_on(s, day, tz) for s in seats for day in days)


def out_of_scope(data: BaseModel, at: datetime, state: Snapshot, tz: ZoneInfo) -> tuple[str | None, list[str]]:
    """(why the event is refused, or None; the counterparts skipped, with why)."""
    match data:
        case d.ConductObservationRecorded() if data.kind in C_ONLY_OBSERVATIONS:
            rule, days = C_ONLY_OBSERVATIONS[data.kind], [local_date(at, tz)]
        case d.CadreJobChanged() | d.CadrePromoted():
            rule = "C1" if isinstance(data, d.CadreJobChanged) else "C2"
            days = [data.effective_date - timedelta(days=1), data.effective_date]
        case _:
            return None, []
    why = f"{rule} ({getattr(data, 'kind', None) or getattr(data, 'change', '')}) is about committee members (§三.2): {{}} holds no committee seat on {days[-1]}"
    if _ordinary(data.person_id, days, state, tz):
        return why.format(data.person_id), []
    counterparts = getattr(data, "counterpart_ids", None) or []
    return None, [why.format(p) + "; skipped" for p in dict.fromkeys(counterparts) if _ordinary(p, days, state, tz)]
