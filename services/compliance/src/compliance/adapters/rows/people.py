"""People: their membership history, absences in a row, and triggers waiting for them."""

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.adapters import orm
from compliance.adapters.rows.loaded import Loaded, Write, any_of
from compliance.domain.history import Person, Stretch
from kernel.bulk import inserted, upserted


class PeopleRows:
    def __init__(self, complete: bool = False):
        self.people_loaded = Loaded("person", complete)
        self.absences_loaded = Loaded("absences", complete)
        self.held_loaded = Loaded("held", complete)
        self._people: dict[str, Person | None] = {}
        self._absences: dict[str, int] = {}
        self._held: dict[str, list[tuple[str, str]]] = {}
        self._dirty_people: set[str] = set()
        self._dirty_absences: set[str] = set()
        self._holds: list[dict] = []
        self._released: set[str] = set()

    # reading ----------------------------------------------------------------------------------
    def person(self, person_id: str) -> Person | None:
        self.people_loaded.need(person_id)
        return self._people.get(person_id)

    def absences(self, person_id: str) -> int:
        self.absences_loaded.need(person_id)
        return self._absences.get(person_id, 0)

    def held(self, person_id: str) -> Sequence[tuple[str, str]]:
        self.held_loaded.need(person_id)
        return self._held.get(person_id, [])

    def orgs_belonged(self) -> set[str]:
        """Every organisation the people loaded belonged to."""
        return {s.org_id for p in self._people.values() if p for s in p.stretches}

    # changing ---------------------------------------------------------------------------------
    def changed_people(self) -> set[str]:
        """Those whose membership this transaction changed."""
        return set(self._dirty_people)

    def save_person(self, person: Person) -> None:
        self._people[person.person_id] = person
        self.people_loaded.add([person.person_id])
        self._dirty_people.add(person.person_id)

    def save_absences(self, person_id: str, absences: int) -> None:
        self._absences[person_id] = absences
        self.absences_loaded.add([person_id])
        self._dirty_absences.add(person_id)

    def hold(self, person_id: str, event_id: str, payload: str) -> None:
        mine = self._held.setdefault(person_id, [])
        if all(e != event_id for e, _ in mine):  # held twice (redelivered before the person came): once
            mine.append((event_id, payload))
            self._holds.append({"event_id": event_id, "person_id": person_id, "payload": payload})

    def release(self, person_id: str) -> None:
        self._held[person_id] = []
        self.held_loaded.add([person_id])
        self._holds = [h for h in self._holds if h["person_id"] != person_id]
        self._released.add(person_id)

    # loading ----------------------------------------------------------------------------------
    async def load_people(self, conn: AsyncConnection, person_ids: Iterable[str]) -> None:
        missing = self.people_loaded.missing(person_ids)
        if not missing:
            return
        found: dict[str, tuple[str, str, list[Stretch]]] = {}  # person -> name, status, stretches
        for r in await conn.execute(_PEOPLE, {"people": missing}):
            found.setdefault(r.person_id, (r.name, r.status, []))[2].append(Stretch(r.org_id, r.since, r.until, r.left_reason))
        for person_id in missing:
            if person_id in self._dirty_people:
                continue
            if person_id in found:
                name, status, stretches = found[person_id]
                self._people[person_id] = Person(person_id, name, status, tuple(stretches))
            else:
                self._people[person_id] = None
        self.people_loaded.add(missing)

    async def load_absences(self, conn: AsyncConnection, person_ids: Iterable[str]) -> None:
        missing = self.absences_loaded.missing(person_ids)
        if not missing:
            return
        for r in await conn.execute(_ABSENCES, {"people": missing}):
            self._absences.setdefault(r.person_id, r.absences)
        self.absences_loaded.add(missing)

    async def load_held(self, conn: AsyncConnection, person_ids: Iterable[str]) -> None:
        missing = self.held_loaded.missing(person_ids)
        if not missing:
            return
        found: dict[str, list[tuple[str, str]]] = {p: [] for p in missing}
        for r in await conn.execute(_HELD, {"people": missing}):
            found[r.person_id].append((r.event_id, r.payload))
        for person_id, held in found.items():
            kept = self._held.get(person_id, [])  # held in this transaction already
            self._held[person_id] = held + [h for h in kept if all(h[0] != e for e, _ in held)]
        self.held_loaded.add(missing)

    # writing back -----------------------------------------------------------------------------
    def flushed(self) -> None:
        """What was changed is now what the tables hold."""
        self._dirty_people, self._dirty_absences, self._holds, self._released = set(), set(), [], set()

    def writes(self) -> Write:
        """What is changed, to be written by the function returned."""
        dirty = sorted(self._dirty_people)
        people = [self._people[p] for p in dirty]
        summaries = [_summary(p) for p in people]
        stretches = [{"person_id": p.person_id, **vars(s)} for p in people for s in p.stretches]
        absences = [{"person_id": p, "absences": self._absences[p]} for p in sorted(self._dirty_absences)]
        released, holds = sorted(self._released), list(self._holds)

        async def write(conn: AsyncConnection) -> None:
            if summaries:
                await conn.execute(*upserted(orm.members, summaries, "person_id"))
                await conn.execute(_STRETCHES_GONE, {"people": dirty})
                await conn.execute(*inserted(orm.memberships, stretches))
            if absences:
                await conn.execute(*upserted(orm.attendance_streaks, absences, "person_id"))
            if released:
                await conn.execute(_RELEASED, {"people": released})
            if holds:
                await conn.execute(insert(orm.held_events).on_conflict_do_nothing(), holds)

        return write


# Statements built once (kernel.bulk says why), their arrays given when run.
_m, _s, _a, _h = orm.members.c, orm.memberships.c, orm.attendance_streaks.c, orm.held_events.c
# One statement, the member's row beside each stretch: someone without a stretch is nobody yet
# (a live batch makes some forty round trips, each costing more than its rows).
_PEOPLE = (
    select(_m.person_id, _m.name, _m.status, _s.org_id, _s.since, _s.until, _s.left_reason)
    .join_from(orm.members, orm.memberships, _s.person_id == _m.person_id)
    .where(any_of(_m.person_id, "people"))
    .order_by(_s.since)
)
_ABSENCES = select(_a.person_id, _a.absences).where(any_of(_a.person_id, "people"))
_HELD = select(_h.person_id, _h.event_id, _h.payload).where(any_of(_h.person_id, "people")).order_by(_h.held_at, _h.event_id)
_STRETCHES_GONE = orm.memberships.delete().where(any_of(_s.person_id, "people"))
_RELEASED = orm.held_events.delete().where(any_of(_h.person_id, "people"))


def _summary(person: Person) -> dict:
    """The person as the read side asks about them: where they belong now (or last), since when, and
    whether they have left."""
    last = person.stretches[-1]
    return {
        "person_id": person.person_id,
        "org_id": last.org_id,
        "name": person.name,
        "status": person.status,
        "joined_at": person.first_since,
        "left_at": last.until,
    }
