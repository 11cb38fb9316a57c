"""A small organisation tree with seats and people, as an in-memory view (the rows the service's
decisions read), for table tests of the pure rules."""

from datetime import UTC, datetime

from compliance.adapters.rows.batch import BatchRows
from compliance.domain import changes as c
from compliance.domain.history import Person, Seat, Stretch
from compliance.domain.tree import Org

SINCE = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
# city ─ county ─ town ─ branch (and branch-2 under town)
PARENT = {"city": None, "county": "city", "town": "county", "branch": "town", "branch-2": "town"}
SECRETARIES = {"city": "s-city", "county": "s-county", "town": "s-town", "branch": "s-branch", "branch-2": "s-branch-2"}


def view(seats: dict[str, str | None] | None = None, extra: list[tuple[str, str, str]] = (), people: dict[str, str] | None = None) -> BatchRows:
    """`seats` overrides who holds each secretary seat (None: vacant); `extra` adds (org, person, role);
    `people` maps person -> own organisation (every seat holder is a member of their seat's organisation)."""
    rows = BatchRows(complete=True)
    for org, parent in PARENT.items():
        rows.apply(c.OrgSaved(Org(org, parent, org, "branch")))
    held = {**SECRETARIES, **(seats or {})}
    by_org: dict[str, list[Seat]] = {o: [] for o in PARENT}
    members = dict(people or {})
    for org, holder in held.items():
        if holder:
            by_org[org].append(Seat(org, holder, "secretary", SINCE))
            members.setdefault(holder, org)
    for org, person, role in extra:
        by_org[org].append(Seat(org, person, role, SINCE))
        members.setdefault(person, org)
    for org, seats_of_org in by_org.items():
        rows.apply(c.SeatsSaved(org, tuple(seats_of_org)))
    for person, org in members.items():
        rows.apply(c.PersonSaved(Person(person, person, "full", (Stretch(org, SINCE),))))
    return rows
