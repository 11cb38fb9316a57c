"""People: their membership history, absences in a row, and triggers waiting for them."""

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.adapters import orm
from compliance.adapters.rows.loaded import Loaded, Write, among
from compliance.domain.history import Person, Stretch
from kernel.bulk import unnested


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
        # One statement, the member's row beside each stretch: someone without a stretch is nobody yet
        # (a live batch makes some forty round trips, each costing more than its rows).
        m, s = orm.members.c, orm.memberships.c
        stmt = (
            select(m.person_id, m.name, m.status, s.org_id, s.since, s.until, s.left_reason)
            .join_from(orm.members, orm.memberships, s.person_id == m.person_id)
            .where(among(m.person_id, missing))
            .order_by(s.since)
        )
        found: dict[str, tuple[str, str, list[Stretch]]] = {}  # person -> name, status, stretches
        for r in await conn.execute(stmt):
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
        a = orm.attendance_streaks.c
        for r in await conn.execute(select(a.person_id, a.absences).where(among(a.person_id, missing))):
            self._absences.setdefault(r.person_id, r.absences)
        self.absences_loaded.add(missing)

    async def load_held(self, conn: AsyncConnection, person_ids: Iterable[str]) -> None:
        missing = self.held_loaded.missing(person_ids)
        if not missing:
            return
        h = orm.held_events.c
        stmt = select(h.person_id, h.event_id, h.payload).where(among(h.person_id, missing)).order_by(h.held_at, h.event_id)
        found: dict[str, list[tuple[str, str]]] = {p: [] for p in missing}
        for r in await conn.execute(stmt):
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
                stmt = unnested(orm.members, summaries)
                changed = {c: stmt.excluded[c] for c in ("org_id", "name", "status", "joined_at", "left_at")}
                await conn.execute(stmt.on_conflict_do_update(index_elements=["person_id"], set_=changed))
                await conn.execute(orm.memberships.delete().where(among(orm.memberships.c.person_id, dirty)))
                await conn.execute(unnested(orm.memberships, stretches))
            if absences:
                stmt = insert(orm.attendance_streaks)
                await conn.execute(stmt.on_conflict_do_update(index_elements=["person_id"], set_={"absences": stmt.excluded.absences}), absences)
            h = orm.held_events
            if released:
                await conn.execute(h.delete().where(among(h.c.person_id, released)))
            if holds:
                await conn.execute(insert(h).on_conflict_do_nothing(), holds)

        return write


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
