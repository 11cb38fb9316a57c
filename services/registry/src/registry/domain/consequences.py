"""What the registry publishes itself when an event has consequences for its own facts (SPEC §3.5,
v2): consumers never have to infer them. Pure.

- A new secretary while another holds the seat: the displaced one's `role.ended` (published first,
  so the seat's events, keyed by organisation, read as a hand-over).
- A member leaves (dies, withdraws …): a `role.ended` for each seat they held.
- An `expulsion` sanction of a member: `member.left` with reason `expelled`, then the ends of their seats.
"""

from dataclasses import dataclass, field

from pydantic import BaseModel

from registry.domain.invariants import Snapshot
from talk_contracts import data as d


@dataclass(frozen=True)
class Consequences:
    before: list[BaseModel] = field(default_factory=list)  # published before the event itself
    after: list[BaseModel] = field(default_factory=list)  # and after it


def consequences(data: BaseModel, state: Snapshot) -> Consequences:
    """Judged against the state as the batch has left it, before `data` is applied."""
    match data:
        case d.RoleAssigned(role="secretary"):
            displaced = [s for s in state.current_seats(org_id=data.org_id, role="secretary") if s.person_id != data.person_id]
            return Consequences(before=[d.RoleEnded(org_id=s.org_id, person_id=s.person_id, role=s.role) for s in displaced])
        case d.MemberLeft():
            return Consequences(after=_seats_ended(data.person_id, state))
        case d.DisciplineActionRecorded(sanction="expulsion"):
            member = state.members.get(data.person_id)
            if member is None or not member.active:
                return Consequences()
            return Consequences(after=[d.MemberLeft(person_id=data.person_id, reason="expelled"), *_seats_ended(data.person_id, state)])
    return Consequences()


def _seats_ended(person_id: str, state: Snapshot) -> list[BaseModel]:
    return [d.RoleEnded(org_id=s.org_id, person_id=person_id, role=s.role) for s in state.current_seats(person_id=person_id)]
