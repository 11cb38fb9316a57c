"""The organisation tree, its seats (by organisation and by person), vacancies and meetings."""

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import ARRAY, Text, bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.adapters import orm
from compliance.adapters.ancestry import keep_ancestry
from compliance.adapters.rows.loaded import Loaded, Write, any_of
from compliance.domain.history import Seat
from compliance.domain.tree import Org
from kernel.bulk import inserted
from kernel.tree import ancestors


class TreeRows:
    def __init__(self, complete: bool = False):
        self.orgs_loaded = Loaded("org", complete)
        self.seats_at_loaded = Loaded("seats_at", complete)
        self.seats_of_loaded = Loaded("seats_of", complete)
        self.secretaries_loaded = Loaded("secretaries_at", complete)
        self.vacancies_loaded = Loaded("vacancy", complete)
        self._orgs: dict[str, Org | None] = {}
        self._by_org: dict[str, tuple[Seat, ...]] = {}
        self._by_person: dict[str, list[Seat]] = {}
        self._secretaries: dict[str, list[Seat]] = {}  # of organisations whose other seats are not loaded
        self._secretary_seats: dict[str, list[Seat]] = {}  # of `_by_org`, picked once: every walk up the tree asks
        self._vacancies: dict[str, date | None] = {}
        self._meetings: dict[str, dict] = {}
        self._dirty_orgs: set[str] = set()
        self._dirty_seats: set[str] = set()
        self._stored_seats: dict[str, frozenset[Seat]] = {}
        self._dirty_vacancies: set[str] = set()

    # reading (domain.view.View) --------------------------------------------------------------
    def org(self, org_id: str) -> Org | None:
        self.orgs_loaded.need(org_id)
        return self._orgs.get(org_id)

    def parent_of(self, org_id: str) -> str | None:
        org = self.org(org_id)
        return org.parent_id if org else None

    def seats_at(self, org_id: str) -> Sequence[Seat]:
        self.seats_at_loaded.need(org_id)
        return self._by_org.get(org_id, ())

    def secretaries_at(self, org_id: str) -> Sequence[Seat]:
        if self.seats_at_loaded.has(org_id):
            picked = self._secretary_seats.get(org_id)
            if picked is None:
                picked = self._secretary_seats[org_id] = [s for s in self._by_org.get(org_id, ()) if s.role == "secretary"]
            return picked
        self.secretaries_loaded.need(org_id)
        return self._secretaries.get(org_id, [])

    def seats_of(self, person_id: str) -> Sequence[Seat]:
        self.seats_of_loaded.need(person_id)
        return self._by_person.get(person_id, [])

    def vacant_since(self, org_id: str) -> date | None:
        self.vacancies_loaded.need(org_id)
        return self._vacancies.get(org_id)

    def known_orgs(self) -> list[str]:
        """Every organisation asked about (registered or not yet)."""
        return list(self._orgs)

    def orgs_seated(self) -> set[str]:
        """The organisations of every seat of the people loaded."""
        return {s.org_id for seats in self._by_person.values() for s in seats}

    # changing -----------------------------------------------------------------------------------
    def save_org(self, org: Org) -> None:
        self._orgs[org.org_id] = org
        self.orgs_loaded.add([org.org_id])
        self._dirty_orgs.add(org.org_id)

    def _set_seats(self, org_id: str, seats: tuple[Seat, ...]) -> None:
        """An organisation's seats, the one place they change: its secretaries are picked again when next asked."""
        self._by_org[org_id] = seats
        self._secretary_seats.pop(org_id, None)

    def save_seats(self, org_id: str, seats: tuple[Seat, ...]) -> None:
        before = self._by_org.get(org_id, ())
        self._stored_seats.setdefault(org_id, frozenset(before))  # as in the table, for writing the difference
        self._set_seats(org_id, seats)
        self.seats_at_loaded.add([org_id])
        for person in {s.person_id for s in (*before, *seats)}:
            if self.seats_of_loaded.has(person):
                mine = [s for s in self._by_person.get(person, []) if s.org_id != org_id]
                self._by_person[person] = mine + [s for s in seats if s.person_id == person]
        self._dirty_seats.add(org_id)

    def set_vacancy(self, org_id: str, since: date | None) -> None:
        self._vacancies[org_id] = since
        self.vacancies_loaded.add([org_id])
        self._dirty_vacancies.add(org_id)

    def save_meeting(self, meeting_id: str, org_id: str, day: date, kind: str) -> None:
        self._meetings[meeting_id] = {"meeting_id": meeting_id, "org_id": org_id, "date": day, "kind": kind}

    def changed_seats(self) -> set[str]:
        """The organisations whose seats this transaction changed."""
        return set(self._dirty_seats)

    @property
    def changed(self) -> bool:
        return bool(self._dirty_orgs or self._dirty_seats or self._dirty_vacancies or self._meetings)

    # loading ------------------------------------------------------------------------------------
    async def load_orgs(self, conn: AsyncConnection, org_ids: Iterable[str]) -> None:
        """The organisations and all their ancestors."""
        missing = self.orgs_loaded.missing(org_ids)
        if not missing:
            return
        for r in await conn.execute(_CHAINS, {"orgs": missing}):
            if r.org_id not in self._dirty_orgs:
                self._orgs[r.org_id] = Org(r.org_id, r.parent_id, r.name, r.kind)
            self.orgs_loaded.add([r.org_id])
        self.orgs_loaded.add(missing)

    async def load_seats_at(self, conn: AsyncConnection, org_ids: Iterable[str]) -> None:
        missing = self.seats_at_loaded.missing(org_ids)
        if not missing:
            return
        found: dict[str, list[Seat]] = {o: [] for o in missing}
        for seat in await _seats(conn, _SEATS_AT, missing):
            found[seat.org_id].append(seat)
        for org_id, seats in found.items():
            self._set_seats(org_id, tuple(seats))
        self.seats_at_loaded.add(missing)

    async def load_secretaries(self, conn: AsyncConnection, org_ids: Iterable[str]) -> None:
        """The secretary seats of organisations up the chains (a committee's history is longer)."""
        missing = [o for o in self.secretaries_loaded.missing(org_ids) if not self.seats_at_loaded.has(o)]
        if not missing:
            return
        found: dict[str, list[Seat]] = {o: [] for o in missing}
        for seat in await _seats(conn, _SECRETARIES_AT, missing):
            found[seat.org_id].append(seat)
        self._secretaries.update(found)
        self.secretaries_loaded.add(missing)

    async def load_seats_of(self, conn: AsyncConnection, person_ids: Iterable[str]) -> None:
        missing = self.seats_of_loaded.missing(person_ids)
        if not missing:
            return
        found: dict[str, list[Seat]] = {p: [] for p in missing}
        for seat in await _seats(conn, _SEATS_OF, missing):
            if seat.org_id not in self._dirty_seats:  # changed here: the in-memory seats are the truth
                found[seat.person_id].append(seat)
        for org_id in self._dirty_seats:
            for seat in self._by_org[org_id]:
                if seat.person_id in found:
                    found[seat.person_id].append(seat)
        self._by_person.update(found)
        self.seats_of_loaded.add(missing)

    async def load_vacancies(self, conn: AsyncConnection, org_ids: Iterable[str]) -> None:
        missing = self.vacancies_loaded.missing(org_ids)
        if not missing:
            return
        for row in await conn.execute(_VACANCIES, {"ids": missing}):
            self._vacancies[row.org_id] = row.since
        self.vacancies_loaded.add(missing)

    # writing back -------------------------------------------------------------------------------
    def flushed(self) -> None:
        """What was changed is now what the tables hold."""
        self._dirty_orgs, self._dirty_seats, self._stored_seats, self._dirty_vacancies, self._meetings = set(), set(), {}, set(), {}

    def writes(self) -> Write:
        """What is changed, to be written by the function returned."""
        stmt = insert(orm.orgs)
        orgs = [vars(self._orgs[o]) for o in sorted(self._dirty_orgs)]
        ancestry = set(self._dirty_orgs)
        gone, seated = [], []  # the seats' difference only: a committee's history grows all year
        for org_id in sorted(self._dirty_seats):
            before, after = self._stored_seats.get(org_id, frozenset()), set(self._by_org[org_id])
            gone += [{"o": s.org_id, "p": s.person_id, "r": s.role, "s": s.since} for s in before - after]
            seated += [vars(s) for s in sorted(after - before, key=lambda s: (s.since, s.person_id, s.role))]
        vacated = sorted(self._dirty_vacancies)
        vacancies = [{"org_id": o, "since": self._vacancies[o]} for o in vacated if self._vacancies[o] is not None]
        meetings = list(self._meetings.values())

        async def write(conn: AsyncConnection) -> None:
            if orgs:
                changed = {c: stmt.excluded[c] for c in ("parent_id", "name", "kind")}
                await conn.execute(stmt.on_conflict_do_update(index_elements=["org_id"], set_=changed), orgs)
                await keep_ancestry(conn, ancestry)
            if gone:
                r = orm.roles.c
                one = (r.org_id == bindparam("o")) & (r.person_id == bindparam("p")) & (r.role == bindparam("r")) & (r.since == bindparam("s"))
                await conn.execute(orm.roles.delete().where(one), gone)
            if seated:
                await conn.execute(*inserted(orm.roles, seated))
            if vacated:
                await conn.execute(_VACATED, {"ids": vacated})
            if vacancies:
                await conn.execute(insert(orm.vacancies), vacancies)
            if meetings:
                m = insert(orm.meetings)
                changed = {"org_id": m.excluded.org_id, "date": m.excluded.date, "kind": m.excluded.kind}
                await conn.execute(m.on_conflict_do_update(index_elements=["meeting_id"], set_=changed), meetings)

        return write


async def _seats(conn: AsyncConnection, stmt, ids: list[str]) -> list[Seat]:
    return [Seat(*row) for row in await conn.execute(stmt, {"ids": ids})]


# Statements built once (kernel.bulk says why), their arrays given when run.
_chain = ancestors(orm.orgs, bindparam("orgs", type_=ARRAY(Text)), "name", "kind")
_CHAINS = select(_chain.c.org_id, _chain.c.parent_id, _chain.c.name, _chain.c.kind).distinct()
_r, _v = orm.roles.c, orm.vacancies.c
_seat = select(_r.org_id, _r.person_id, _r.role, _r.since, _r.until).order_by(_r.since, _r.id)  # in the order they were taken
_SEATS_AT = _seat.where(any_of(_r.org_id, "ids"))
_SECRETARIES_AT = _seat.where(any_of(_r.org_id, "ids"), _r.role == "secretary")
_SEATS_OF = _seat.where(any_of(_r.person_id, "ids"))
_VACANCIES = select(_v.org_id, _v.since).where(any_of(_v.org_id, "ids"))
_VACATED = orm.vacancies.delete().where(any_of(_v.org_id, "ids"))
