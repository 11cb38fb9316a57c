"""The rows of the compliance projection one transaction touches, held in memory.

Why: applying events one SQL round trip at a time caps the projection at a few hundred events a
second (issue 6 measured ~10 round trips per event). Here a batch's rows are loaded in a handful of
bulk queries (`preload`), the handlers read and change them in memory, and `flush` writes every
change back in bulk at the end of the same transaction.

Rules that keep it equal to applying the events one by one in SQL:
- a row is loaded before it is first read or changed; a read of something not preloaded loads it
  then (slower, never wrong);
- rows loaded later never overwrite the in-memory version (it holds this transaction's changes);
- each kind of row remembers which keys it has loaded completely (a person's roles, an
  organisation's roles, a person's open obligations, a person's talks since a date).
It lives in `session.info`, so it goes when the transaction's session goes (a rollback drops it).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.adapters import orm
from compliance.adapters.change_feed import announce
from compliance.domain.coverage import Credit
from compliance.domain.obligations import OPEN_STATES, Obligation, Talk
from kernel.outbox import stage
from kernel.settings import CommonSettings
from kernel.tree import ancestors
from talk_contracts import CloudEvent

_KEY = "compliance.working_set"
_ROLE_RANK = {"secretary": 0, "deputy_secretary": 1, "committee_member": 2}
_OB_COLUMNS = [orm.obligations.c[f] for f in Obligation.__dataclass_fields__]


@dataclass
class OrgRow:
    parent_id: str | None
    name: str
    kind: str


@dataclass
class MemberRow:
    org_id: str
    name: str
    status: str
    joined_at: datetime
    left_at: datetime | None = None


@dataclass(eq=False)
class RoleRow:
    id: int | None  # None until flushed
    org_id: str
    person_id: str
    role: str
    since: datetime
    until: datetime | None = None

    def held_on(self, at: datetime) -> bool:
        return self.since <= at and (self.until is None or self.until > at)


@dataclass
class _Held:
    event_id: str
    payload: str


@dataclass
class WorkingSet:
    session: AsyncSession
    settings: CommonSettings
    _orgs: dict[str, OrgRow | None] = field(default_factory=dict)
    _children_loaded: set[str] = field(default_factory=set)
    _members: dict[str, MemberRow | None] = field(default_factory=dict)
    _roles: dict[int, RoleRow] = field(default_factory=dict)  # loaded rows by id
    _roles_by_person: dict[str, list[RoleRow]] = field(default_factory=dict)  # a key here: loaded in full
    _roles_by_org: dict[str, list[RoleRow]] = field(default_factory=dict)
    _seats_by_org: dict[str, list[RoleRow]] = field(default_factory=dict)  # the secretary rows only
    _new_roles: list[RoleRow] = field(default_factory=list)
    _ended_roles: set[RoleRow] = field(default_factory=set)  # loaded rows whose term ended here
    _obligations: dict[str, Obligation] = field(default_factory=dict)
    _by_subject: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _by_org: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # org or responsible org, ever
    _subjects_loaded: set[str] = field(default_factory=set)
    _near_loaded: set[str] = field(default_factory=set)
    _refs_loaded: set[str] = field(default_factory=set)
    _triggers_loaded: set[str] = field(default_factory=set)
    _talks: dict[str, Talk] = field(default_factory=dict)
    _talks_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _talks_since: dict[str, datetime] = field(default_factory=dict)  # talks held since then are loaded
    _absences: dict[str, int] = field(default_factory=dict)
    _vacancies: dict[str, date | None] = field(default_factory=dict)
    _held: dict[str, list[_Held]] = field(default_factory=dict)  # loaded for release
    # what flush() writes
    _dirty_orgs: set[str] = field(default_factory=set)
    _dirty_members: set[str] = field(default_factory=set)
    _dirty_obligations: set[str] = field(default_factory=set)
    _new_talks: list[Talk] = field(default_factory=list)
    _credits: list[dict] = field(default_factory=list)
    _meetings: dict[str, dict] = field(default_factory=dict)
    _holds: list[dict] = field(default_factory=list)
    _released: set[str] = field(default_factory=set)
    _dirty_absences: set[str] = field(default_factory=set)
    _vacancy_changes: set[str] = field(default_factory=set)
    _outbox: list[CloudEvent] = field(default_factory=list)

    @classmethod
    def of(cls, session: AsyncSession, settings: CommonSettings) -> "WorkingSet":
        """The transaction's working set (one per session)."""
        if _KEY not in session.info:
            session.info[_KEY] = cls(session, settings)
        return session.info[_KEY]

    async def _execute(self, stmt, rows: list[dict] | None = None):
        # The transaction's connection directly: Core statements need none of the ORM session's work.
        conn = await self.session.connection()
        return await conn.execute(stmt, rows) if rows is not None else await conn.execute(stmt)

    async def _rows(self, stmt) -> list:
        return (await self._execute(stmt)).all()

    # bulk loading ------------------------------------------------------------------------------
    async def preload(
        self,
        people: set[str],
        orgs: set[str],
        trigger_event_ids: set[str],
        talks_since: dict[str, datetime],
        role_changes_at: set[str],
        movers: set[str],
    ) -> None:
        """Everything a batch about these people and organisations is likely to read, in ~15 queries."""
        await self.load_people(people, orgs)
        await self.load_surroundings(role_changes_at)
        await self._load_vacancies(o for o, row in self._orgs.items() if row is not None)
        await self._load_open_obligations(subjects=people)
        await self._load_obligations_of_triggers(trigger_event_ids)
        await self.load_talks(talks_since)
        moving: dict[str, datetime] = {}  # a moved obligation looks for talks that meet it
        for ob in await self.open_obligations_of(movers):
            moving[ob.subject_id] = min(ob.triggered_at, moving.get(ob.subject_id, ob.triggered_at))
        await self.load_talks(moving)
        await self._load_absences(people)
        await self.load_held(people)

    async def load_people(self, people: Iterable[str], orgs: Iterable[str] = ()) -> None:
        """The people's membership and roles, and the organisations above them with their seats."""
        people = set(people)
        await self._load_members(people)
        await self._load_roles(people=people)
        role_orgs = {r.org_id for p in people for r in self._roles_by_person[p]}
        member_orgs = {m.org_id for p in people if (m := self._members[p])}
        await self._load_orgs({*orgs, *role_orgs, *member_orgs})
        await self._load_roles(seats=[o for o, row in self._orgs.items() if row is not None])  # on the way up

    async def _load_orgs(self, org_ids: Iterable[str]) -> None:
        missing = [o for o in org_ids if o not in self._orgs]
        if not missing:
            return
        chain = ancestors(orm.orgs, missing, "name", "kind")
        for r in await self._rows(select(chain.c.org_id, chain.c.parent_id, chain.c.name, chain.c.kind)):
            self._orgs.setdefault(r.org_id, OrgRow(r.parent_id, r.name, r.kind))
        for o in missing:
            self._orgs.setdefault(o, None)

    async def _load_children(self, org_ids: Iterable[str]) -> None:
        missing = [o for o in org_ids if o not in self._children_loaded]
        if not missing:
            return
        o = orm.orgs.c
        for r in await self._rows(select(o.org_id, o.parent_id, o.name, o.kind).where(o.parent_id.in_(missing))):
            self._orgs.setdefault(r.org_id, OrgRow(r.parent_id, r.name, r.kind))
        self._children_loaded.update(missing)

    async def _load_members(self, people: Iterable[str]) -> None:
        missing = [p for p in people if p not in self._members]
        if not missing:
            return
        m = orm.members.c
        stmt = select(m.person_id, m.org_id, m.name, m.status, m.joined_at, m.left_at).where(m.person_id.in_(missing))
        for r in await self._rows(stmt):
            self._members[r.person_id] = MemberRow(r.org_id, r.name, r.status, r.joined_at, r.left_at)
        for p in missing:
            self._members.setdefault(p, None)

    async def _load_roles(self, people: Iterable[str] = (), orgs: Iterable[str] = (), seats: Iterable[str] = ()) -> None:
        """All roles of the people and of the organisations, and the secretary seats of `seats`."""
        people = [p for p in people if p not in self._roles_by_person]
        orgs = [o for o in orgs if o not in self._roles_by_org]
        seats = {o for o in [*orgs, *seats] if o not in self._seats_by_org}
        if not people and not orgs and not seats:
            return
        r = orm.roles.c
        stmt = select(r.id, r.org_id, r.person_id, r.role, r.since, r.until).where(
            or_(r.person_id.in_(people), r.org_id.in_(orgs), and_(r.org_id.in_(seats), r.role == "secretary"))
        )
        for p in people:
            self._roles_by_person[p] = []
        for o in orgs:
            self._roles_by_org[o] = []
        for o in seats:
            self._seats_by_org[o] = []
        wanted_people, wanted_orgs = set(people), set(orgs)
        for row in await self._rows(stmt.order_by(r.id)):
            kept = self._roles.get(row.id)
            if kept is None:
                kept = self._roles[row.id] = RoleRow(row.id, row.org_id, row.person_id, row.role, row.since, row.until)
            if row.person_id in wanted_people:
                self._roles_by_person[row.person_id].append(kept)
            if row.org_id in wanted_orgs:
                self._roles_by_org[row.org_id].append(kept)
            if row.org_id in seats and row.role == "secretary":
                self._seats_by_org[row.org_id].append(kept)

    async def _load_vacancies(self, org_ids: Iterable[str]) -> None:
        missing = [o for o in org_ids if o not in self._vacancies]
        if not missing:
            return
        v = orm.vacancies.c
        for r in await self._rows(select(v.org_id, v.since).where(v.org_id.in_(missing))):
            self._vacancies[r.org_id] = r.since
        for o in missing:
            self._vacancies.setdefault(o, None)

    async def _load_absences(self, people: Iterable[str]) -> None:
        missing = [p for p in people if p not in self._absences]
        if not missing:
            return
        a = orm.attendance_streaks.c
        for r in await self._rows(select(a.person_id, a.absences).where(a.person_id.in_(missing))):
            self._absences[r.person_id] = r.absences
        for p in missing:
            self._absences.setdefault(p, 0)

    def _keep(self, ob: Obligation) -> None:
        if ob.obligation_id not in self._obligations:  # the in-memory one holds this transaction's changes
            self._obligations[ob.obligation_id] = ob
            self._by_subject[ob.subject_id].add(ob.obligation_id)
            self._index_orgs(ob)

    def _index_orgs(self, ob: Obligation) -> None:
        self._by_org[ob.org_id].add(ob.obligation_id)
        if ob.responsible_org_id is not None:
            self._by_org[ob.responsible_org_id].add(ob.obligation_id)

    async def _load_obligations(self, *conditions, only_open: bool = True, skip_locked: bool = False) -> list[Obligation]:
        o = orm.obligations.c
        where = [o.status.in_(OPEN_STATES)] if only_open else []
        stmt = select(*_OB_COLUMNS).where(*where, *conditions).order_by(o.obligation_id)
        # Locked for the transaction: the scheduler's tick skips what a consumer holds, and the other way round.
        obs = [Obligation(**row._mapping) for row in await self._rows(stmt.with_for_update(skip_locked=skip_locked))]
        for ob in obs:
            self._keep(ob)
        return obs

    async def _load_open_obligations(self, subjects: Iterable[str]) -> None:
        missing = [s for s in subjects if s not in self._subjects_loaded]
        if missing:
            await self._load_obligations(orm.obligations.c.subject_id.in_(missing))
            self._subjects_loaded.update(missing)

    async def _load_near(self, org_ids: Iterable[str]) -> list[Obligation]:
        """Open obligations of an organisation's members or held by its secretary."""
        missing = [o for o in org_ids if o not in self._near_loaded]
        if not missing:
            return []
        o = orm.obligations.c
        self._near_loaded.update(missing)
        return await self._load_obligations(or_(o.org_id.in_(missing), o.responsible_org_id.in_(missing)))

    async def load_surroundings(self, org_ids: Iterable[str]) -> None:
        """What a role change at these organisations reads (see open_obligations_near), in bulk."""
        org_ids = set(org_ids)
        await self._load_roles(orgs=org_ids)
        await self._load_children(org_ids)
        children = {o for o, row in self._orgs.items() if row is not None and row.parent_id in org_ids}
        await self._load_roles(seats=children)
        near = await self._load_near(org_ids)
        holders = {r.person_id for o in org_ids for r in self._roles_by_org[o] if r.until is None}
        holders |= {r.person_id for o in children for r in self._seats_by_org[o] if r.until is None}
        await self.load_people(holders | {ob.subject_id for ob in near})
        await self._load_open_obligations(holders)

    async def _load_obligations_of_triggers(self, event_ids: Iterable[str]) -> None:
        missing = [e for e in event_ids if e not in self._triggers_loaded]
        if missing:
            await self._load_obligations(orm.obligations.c.trigger_event_id.in_(missing), only_open=False)
            self._triggers_loaded.update(missing)

    async def load_talks(self, since_of: dict[str, datetime]) -> None:
        """The talks each person took part in since the date given for them."""
        wanted = {p: s for p, s in since_of.items() if p not in self._talks_since or self._talks_since[p] > s}
        if not wanted:
            return
        t, p = orm.talks_seen.c, orm.talk_participants.c
        stmt = (
            select(t.talk_id, t.held_at, t.mode, t.talker_ids, t.talkee_ids)
            .join(orm.talk_participants, p.talk_id == t.talk_id)
            .where(p.person_id.in_(list(wanted)), p.held_at >= min(wanted.values()))
            .distinct()
        )
        for r in await self._rows(stmt):
            if r.talk_id not in self._talks:
                self._index_talk(Talk(r.talk_id, r.held_at, r.mode, frozenset(r.talker_ids), frozenset(r.talkee_ids)))
        self._talks_since.update(wanted)

    def _index_talk(self, talk: Talk) -> None:
        self._talks[talk.talk_id] = talk
        for person in talk.talker_ids | talk.talkee_ids:
            self._talks_of[person].add(talk.talk_id)

    # organisation tree ---------------------------------------------------------------------
    async def upsert_org(self, org_id: str, parent_id: str | None, name: str | None = None, kind: str | None = None):
        await self._load_orgs([org_id])
        row = self._orgs[org_id]
        if row is None:
            self._orgs[org_id] = OrgRow(parent_id, name or org_id, kind or "branch")
        else:
            row.parent_id = parent_id
            if name is not None:
                row.name, row.kind = name, kind or "branch"
        self._dirty_orgs.add(org_id)

    async def ancestry(self, org_id: str) -> dict[str, str | None]:
        """org id -> parent id for the organisation and all its ancestors."""
        out: dict[str, str | None] = {}
        org = org_id
        while org is not None and org not in out:
            await self._load_orgs([org])
            row = self._orgs[org]
            if row is None:
                break
            out[org] = row.parent_id
            org = row.parent_id
        return out

    async def children(self, org_id: str) -> list[str]:
        await self._load_children([org_id])
        return [o for o, row in self._orgs.items() if row is not None and row.parent_id == org_id]

    # members and roles ------------------------------------------------------------------------
    async def upsert_member(self, person_id: str, org_id: str, name: str, status: str, at: datetime) -> None:
        await self._load_members([person_id])
        row = self._members[person_id]
        if row is None:
            self._members[person_id] = MemberRow(org_id, name, status, at)
        else:  # a re-join keeps the first joining date and any date of leaving
            row.org_id, row.name, row.status = org_id, name, status
        self._dirty_members.add(person_id)

    async def member_org(self, person_id: str) -> str | None:
        await self._load_members([person_id])
        row = self._members[person_id]
        return row.org_id if row is not None and row.left_at is None else None

    async def move_member(self, person_id: str, org_id: str) -> None:
        await self._load_members([person_id])
        if (row := self._members[person_id]) is not None:
            row.org_id = org_id
            self._dirty_members.add(person_id)

    async def mark_left(self, person_id: str, at: datetime) -> None:
        await self._load_members([person_id])
        if (row := self._members[person_id]) is not None:
            row.left_at = at
            self._dirty_members.add(person_id)

    async def assign_role(self, org_id: str, person_id: str, role: str, at: datetime) -> None:
        await self._load_roles(people=[person_id], orgs=[org_id])
        if role == "secretary":  # one secretary at a time: a new holder ends the old one's term
            for row in self._seats_by_org[org_id]:
                if row.until is None:
                    self._end(row, at)
        await self.end_role(org_id, person_id, role, at)
        row = RoleRow(None, org_id, person_id, role, at)
        self._new_roles.append(row)
        self._roles_by_org[org_id].append(row)
        if role == "secretary":
            self._seats_by_org[org_id].append(row)
        self._roles_by_person[person_id].append(row)

    async def end_role(self, org_id: str, person_id: str, role: str, at: datetime) -> None:
        await self._load_roles(people=[person_id])
        for row in self._roles_by_person[person_id]:
            if row.org_id == org_id and row.role == role and row.until is None:
                self._end(row, at)

    def _end(self, row: RoleRow, at: datetime) -> None:
        row.until = at
        if row.id is not None:
            self._ended_roles.add(row)

    async def roles_on(self, person_id: str, at: datetime) -> dict[str, str]:
        """organisation id -> the person's role there on the date (the senior one if several)."""
        if person_id not in self._roles_by_person:
            await self._load_roles(people=[person_id])
        held = [r for r in self._roles_by_person[person_id] if r.held_on(at)]
        out: dict[str, str] = {}
        for row in sorted(held, key=lambda x: _ROLE_RANK[x.role], reverse=True):
            out[row.org_id] = row.role
        return out

    async def secretaries_on(self, org_ids: Iterable[str], at: datetime) -> dict[str, str | None]:
        ids = list(org_ids)
        await self._load_roles(seats=ids)
        out: dict[str, str | None] = {}
        for org in ids:
            holders = [r.person_id for r in self._seats_by_org[org] if r.held_on(at)]
            out[org] = holders[-1] if holders else None
        return out

    async def current_holders(self, org_id: str, secretary_only: bool = False) -> set[str]:
        """Who holds a seat (any committee role, or the secretary's) at the organisation now."""
        if secretary_only:
            await self._load_roles(seats=[org_id])
            return {r.person_id for r in self._seats_by_org[org_id] if r.until is None}
        await self._load_roles(orgs=[org_id])
        return {r.person_id for r in self._roles_by_org[org_id] if r.until is None}

    # obligations ------------------------------------------------------------------------------
    async def add_obligation(self, ob: Obligation) -> bool:
        """Keep a new obligation; False when it exists already (the same trigger seen again)."""
        await self._load_obligations_of_triggers([ob.trigger_event_id])
        if ob.obligation_id in self._obligations:
            return False
        self._keep(ob)
        self._dirty_obligations.add(ob.obligation_id)
        return True

    def _open(self, ids: Iterable[str]) -> list[Obligation]:
        obs = (self._obligations[i] for i in ids)
        return sorted((ob for ob in obs if ob.is_open), key=lambda ob: ob.obligation_id)

    async def open_obligations_of(self, subject_ids: Iterable[str]) -> list[Obligation]:
        subjects = set(subject_ids)
        await self._load_open_obligations(subjects)
        return self._open(i for s in subjects for i in self._by_subject.get(s, ()))

    async def open_obligations_by_ref(self, ref: str) -> list[Obligation]:
        if ref not in self._refs_loaded:
            await self._load_obligations(orm.obligations.c.trigger_ref == ref)
            self._refs_loaded.add(ref)
        return self._open(i for i, ob in self._obligations.items() if ob.trigger_ref == ref)

    async def open_obligations_near(self, org_id: str, person_id: str | None = None) -> list[Obligation]:
        """Open obligations whose responsibility a role change at `org_id` may move: of the person,
        of the organisation's members and committee, and those the organisation's secretary holds."""
        await self._load_near([org_id])
        subjects = await self.current_holders(org_id)
        for child in await self.children(org_id):
            subjects |= await self.current_holders(child, secretary_only=True)
        if person_id is not None:
            subjects.add(person_id)
        await self._load_open_obligations(subjects)
        candidates = self._by_org.get(org_id, set()).union(*(self._by_subject.get(s, ()) for s in subjects))
        return self._open(
            i
            for i in candidates
            if (ob := self._obligations[i]).org_id == org_id or ob.responsible_org_id == org_id or ob.subject_id in subjects
        )

    async def open_obligations_due_by(self, day: date) -> list[Obligation]:
        """Candidates for the life cycle: due soon or past due on `day` (locked; other ticks skip them)."""
        obs = await self._load_obligations(orm.obligations.c.due_date <= day, skip_locked=True)
        return [self._obligations[ob.obligation_id] for ob in obs]

    async def save(self, ob: Obligation) -> None:
        self._obligations[ob.obligation_id] = ob
        self._index_orgs(ob)
        self._dirty_obligations.add(ob.obligation_id)

    # attendance -------------------------------------------------------------------------------
    async def absences(self, person_id: str) -> int:
        await self._load_absences([person_id])
        return self._absences[person_id]

    async def set_absences(self, person_id: str, absences: int) -> None:
        self._absences[person_id] = absences
        self._dirty_absences.add(person_id)

    # coverage and talks ------------------------------------------------------------------------
    async def add_credits(self, talk_id: str, held_at: datetime, credits: list[Credit]) -> None:
        self._credits += [vars(c) | {"talk_id": talk_id, "year": held_at.year, "held_at": held_at} for c in credits]

    async def remember_talk(self, talk: Talk) -> None:
        if talk.talk_id not in self._talks:  # as in the table: the first record of a talk id stays
            self._index_talk(talk)
            self._new_talks.append(talk)

    async def talks_with(self, person_id: str, since: datetime) -> list[Talk]:
        """Talks held at or after `since` in which the person took part, oldest first."""
        await self.load_talks({person_id: since})
        talks = [self._talks[i] for i in self._talks_of.get(person_id, ())]
        return sorted((t for t in talks if t.held_at >= since), key=lambda t: (t.held_at, t.talk_id))

    async def schedule_meeting(self, meeting_id: str, org_id: str, day, kind: str) -> None:
        self._meetings[meeting_id] = {"meeting_id": meeting_id, "org_id": org_id, "date": day, "kind": kind}

    # triggers about unknown people --------------------------------------------------------------
    async def hold(self, event_id: str, person_id: str, payload: str) -> None:
        self._holds.append({"event_id": event_id, "person_id": person_id, "payload": payload})

    async def load_held(self, people: Iterable[str]) -> None:
        missing = [p for p in people if p not in self._held]
        if not missing:
            return
        h = orm.held_events.c
        stmt = select(h.person_id, h.event_id, h.payload).where(h.person_id.in_(missing)).order_by(h.held_at, h.event_id)
        for p in missing:
            self._held[p] = []
        for r in await self._rows(stmt):
            self._held[r.person_id].append(_Held(r.event_id, r.payload))

    async def release_held(self, person_id: str) -> list[str]:
        """The triggers held for the person, oldest first; they are no longer held."""
        await self.load_held([person_id])
        mine = [h for h in self._holds if h["person_id"] == person_id]
        self._holds = [h for h in self._holds if h["person_id"] != person_id]
        released = self._held[person_id] + [_Held(h["event_id"], h["payload"]) for h in mine]
        self._held[person_id] = []
        self._released.add(person_id)
        seen: set[str] = set()  # a trigger held twice (redelivered before its person came) once
        return [h.payload for h in released if not (h.event_id in seen or seen.add(h.event_id))]

    async def new_vacancies(self, org_ids: Iterable[str], since: date) -> list[str]:
        """Record vacant seats; returns those not known to be vacant before."""
        ids = list(dict.fromkeys(org_ids))
        await self._load_vacancies(ids)
        new = [o for o in ids if self._vacancies[o] is None]
        for o in new:
            self._vacancies[o] = since
            self._vacancy_changes.add(o)
        return new

    async def seat_filled(self, org_id: str) -> None:
        self._vacancies[org_id] = None
        self._vacancy_changes.add(org_id)

    # the transaction's outgoing events ----------------------------------------------------------
    def publish(self, event: CloudEvent) -> None:
        self._outbox.append(event)

    # writing back ------------------------------------------------------------------------------
    async def flush(self) -> None:
        """Write every change in bulk; called once, last in the transaction."""
        s = await self.session.connection()
        if self._dirty_orgs:
            stmt = insert(orm.orgs)
            rows = [{"org_id": o, **vars(self._orgs[o])} for o in self._dirty_orgs]
            changed = {c: stmt.excluded[c] for c in ("parent_id", "name", "kind")}
            await s.execute(stmt.on_conflict_do_update(index_elements=["org_id"], set_=changed), rows)
        if self._dirty_members:
            stmt = insert(orm.members)
            rows = [{"person_id": p, **vars(self._members[p])} for p in self._dirty_members]
            changed = {c: stmt.excluded[c] for c in ("org_id", "name", "status", "left_at")}
            await s.execute(stmt.on_conflict_do_update(index_elements=["person_id"], set_=changed), rows)
        await self._flush_roles()
        if self._dirty_obligations:
            stmt = insert(orm.obligations)
            rows = [dict(vars(self._obligations[i])) for i in sorted(self._dirty_obligations)]
            mutable = ("status", "fulfilled_by", "responsible_id", "responsible_org_id", "org_id", "escalated_to_id")
            changed = {c: stmt.excluded[c] for c in mutable} | {"updated_at": func.now()}
            await s.execute(stmt.on_conflict_do_update(index_elements=["obligation_id"], set_=changed), rows)
        if self._credits:
            await s.execute(insert(orm.coverage_credits).on_conflict_do_nothing(), self._credits)
        if self._new_talks:
            rows = [
                {"talk_id": t.talk_id, "held_at": t.held_at, "mode": t.mode,
                 "talker_ids": sorted(t.talker_ids), "talkee_ids": sorted(t.talkee_ids)}
                for t in self._new_talks
            ]  # fmt: skip
            await s.execute(insert(orm.talks_seen).on_conflict_do_nothing(), rows)
            taking_part = [
                {"person_id": person, "held_at": t.held_at, "talk_id": t.talk_id}
                for t in self._new_talks
                for person in t.talker_ids | t.talkee_ids
            ]
            await s.execute(insert(orm.talk_participants).on_conflict_do_nothing(), taking_part)
        if self._meetings:
            stmt = insert(orm.meetings)
            changed = {"date": stmt.excluded.date, "kind": stmt.excluded.kind}
            await s.execute(stmt.on_conflict_do_update(index_elements=["meeting_id"], set_=changed), list(self._meetings.values()))
        await self._flush_held()
        if self._dirty_absences:
            stmt = insert(orm.attendance_streaks)
            rows = [{"person_id": p, "absences": self._absences[p]} for p in self._dirty_absences]
            await s.execute(stmt.on_conflict_do_update(index_elements=["person_id"], set_={"absences": stmt.excluded.absences}), rows)
        if self._vacancy_changes:
            v = orm.vacancies
            await s.execute(v.delete().where(v.c.org_id.in_(list(self._vacancy_changes))))
            rows = [{"org_id": o, "since": self._vacancies[o]} for o in self._vacancy_changes if self._vacancies[o]]
            if rows:
                await s.execute(insert(v), rows)
        await stage(s, orm.outbox, self.settings, self._outbox)
        if self._dirty_obligations or self._new_talks:
            await announce(s, obligations=len(self._dirty_obligations), talks=len(self._new_talks))
        del self.session.info[_KEY]  # flushed: anything after this starts from the tables again

    async def _flush_roles(self) -> None:
        r = orm.roles
        ended = [{"b_id": x.id, "b_until": x.until} for x in self._ended_roles]
        if ended:
            stmt = (
                update(r)
                .where(and_(r.c.id == bindparam("b_id"), r.c.until.is_(None)))
                .values(until=bindparam("b_until"))
            )
            await self._execute(stmt, ended)
        if self._new_roles:
            rows = [{k: v for k, v in vars(x).items() if k != "id"} for x in self._new_roles]
            await self._execute(insert(r), rows)

    async def _flush_held(self) -> None:
        h = orm.held_events
        if self._released:
            await self._execute(h.delete().where(h.c.person_id.in_(list(self._released))))
        if self._holds:
            await self._execute(insert(h).on_conflict_do_nothing(), self._holds)
