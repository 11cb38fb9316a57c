"""Reads and writes of the compliance projection, inside the caller's transaction."""

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.adapters import orm
from compliance.domain.coverage import Credit
from compliance.domain.obligations import OPEN_STATES, Obligation, Talk
from kernel.tree import ancestors


class ProjectionRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    # organisation tree ---------------------------------------------------------------------
    async def upsert_org(self, org_id: str, parent_id: str | None, name: str | None = None, kind: str | None = None):
        values = {"org_id": org_id, "parent_id": parent_id, "name": name or org_id, "kind": kind or "branch"}
        stmt = insert(orm.orgs).values(values)
        changed = {"parent_id": stmt.excluded.parent_id}
        if name is not None:
            changed |= {"name": stmt.excluded.name, "kind": stmt.excluded.kind}
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["org_id"], set_=changed))

    async def ancestry(self, org_id: str) -> dict[str, str | None]:
        """org id -> parent id for the organisation and all its ancestors."""
        chain = ancestors(orm.orgs, [org_id])
        rows = (await self.session.execute(select(chain.c.org_id, chain.c.parent_id))).all()
        return {r.org_id: r.parent_id for r in rows}

    # members and roles ------------------------------------------------------------------------
    async def upsert_member(self, person_id: str, org_id: str, name: str, status: str, at: datetime) -> None:
        stmt = insert(orm.members).values(person_id=person_id, org_id=org_id, name=name, status=status, joined_at=at)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["person_id"],
                set_={"org_id": stmt.excluded.org_id, "name": stmt.excluded.name, "status": stmt.excluded.status},
            )
        )

    async def member_org(self, person_id: str) -> str | None:
        m = orm.members
        return await self.session.scalar(select(m.c.org_id).where(m.c.person_id == person_id, m.c.left_at.is_(None)))

    async def move_member(self, person_id: str, org_id: str) -> None:
        m = orm.members
        await self.session.execute(update(m).where(m.c.person_id == person_id).values(org_id=org_id))

    async def mark_left(self, person_id: str, at: datetime) -> None:
        m = orm.members
        await self.session.execute(update(m).where(m.c.person_id == person_id).values(left_at=at))

    async def assign_role(self, org_id: str, person_id: str, role: str, at: datetime) -> None:
        r = orm.roles
        if role == "secretary":  # one secretary at a time: a new holder ends the old one's term
            await self.session.execute(
                update(r).where(r.c.org_id == org_id, r.c.role == "secretary", r.c.until.is_(None)).values(until=at)
            )
        await self.end_role(org_id, person_id, role, at)
        await self.session.execute(insert(r).values(org_id=org_id, person_id=person_id, role=role, since=at))

    async def end_role(self, org_id: str, person_id: str, role: str, at: datetime) -> None:
        r = orm.roles
        await self.session.execute(
            update(r)
            .where(r.c.org_id == org_id, r.c.person_id == person_id, r.c.role == role, r.c.until.is_(None))
            .values(until=at)
        )

    def _held_on(self, at: datetime):
        r = orm.roles
        return and_(r.c.since <= at, or_(r.c.until.is_(None), r.c.until > at))

    async def roles_on(self, person_id: str, at: datetime) -> dict[str, str]:
        """organisation id -> the person's role there on the date (the senior one if several)."""
        r = orm.roles
        rows = (await self.session.execute(select(r.c.org_id, r.c.role).where(r.c.person_id == person_id, self._held_on(at)))).all()
        rank = {"secretary": 0, "deputy_secretary": 1, "committee_member": 2}
        out: dict[str, str] = {}
        for row in sorted(rows, key=lambda x: rank[x.role], reverse=True):
            out[row.org_id] = row.role
        return out

    async def secretaries_on(self, org_ids: Iterable[str], at: datetime) -> dict[str, str | None]:
        r = orm.roles
        ids = list(org_ids)
        rows = (
            await self.session.execute(
                select(r.c.org_id, r.c.person_id).where(r.c.org_id.in_(ids), r.c.role == "secretary", self._held_on(at))
            )
        ).all()
        found = {row.org_id: row.person_id for row in rows}
        return {org: found.get(org) for org in ids}

    # obligations ------------------------------------------------------------------------------
    async def add_obligation(self, ob: Obligation) -> bool:
        """Insert; False when it exists already (the same trigger seen again)."""
        stmt = insert(orm.obligations).values(asdict(ob)).on_conflict_do_nothing().returning(orm.obligations.c.obligation_id)
        return (await self.session.scalar(stmt)) is not None

    async def _open_where(self, *conditions, skip_locked: bool = False) -> list[Obligation]:
        o = orm.obligations
        cols = [o.c[f] for f in Obligation.__dataclass_fields__]
        stmt = select(*cols).where(o.c.status.in_(OPEN_STATES), *conditions).order_by(o.c.obligation_id)
        rows = (await self.session.execute(stmt.with_for_update(skip_locked=skip_locked))).all()
        return [Obligation(**row._mapping) for row in rows]

    async def open_obligations_of(self, subject_ids: Iterable[str]) -> list[Obligation]:
        return await self._open_where(orm.obligations.c.subject_id.in_(list(subject_ids)))

    async def open_obligations_by_ref(self, ref: str) -> list[Obligation]:
        return await self._open_where(orm.obligations.c.trigger_ref == ref)

    async def open_obligations_near(self, org_id: str, person_id: str | None = None) -> list[Obligation]:
        """Open obligations whose responsibility a role change at `org_id` may move: of the person,
        of the organisation's members and committee, and those the organisation's secretary holds."""
        o, r = orm.obligations, orm.roles
        committee = select(r.c.person_id).where(r.c.org_id == org_id, r.c.until.is_(None))
        below = select(orm.orgs.c.org_id).where(orm.orgs.c.parent_id == org_id)
        child_secretaries = select(r.c.person_id).where(r.c.org_id.in_(below), r.c.role == "secretary", r.c.until.is_(None))
        return await self._open_where(
            or_(
                o.c.subject_id == (person_id or ""),
                o.c.org_id == org_id,
                o.c.responsible_org_id == org_id,
                o.c.subject_id.in_(committee),
                o.c.subject_id.in_(child_secretaries),
            )
        )

    async def open_obligations_due_by(self, day) -> list[Obligation]:
        """Candidates for the life cycle: due soon or past due on `day` (locked; other ticks skip them)."""
        return await self._open_where(orm.obligations.c.due_date <= day, skip_locked=True)

    async def save(self, ob: Obligation) -> None:
        o = orm.obligations
        await self.session.execute(
            update(o)
            .where(o.c.obligation_id == ob.obligation_id)
            .values(
                status=ob.status,
                fulfilled_by=ob.fulfilled_by,
                responsible_id=ob.responsible_id,
                responsible_org_id=ob.responsible_org_id,
                org_id=ob.org_id,
                escalated_to_id=ob.escalated_to_id,
                updated_at=func.now(),
            )
        )

    # attendance -------------------------------------------------------------------------------
    async def absences(self, person_id: str) -> int:
        a = orm.attendance_streaks
        return await self.session.scalar(select(a.c.absences).where(a.c.person_id == person_id)) or 0

    async def set_absences(self, person_id: str, absences: int) -> None:
        stmt = insert(orm.attendance_streaks).values(person_id=person_id, absences=absences)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["person_id"], set_={"absences": absences}))

    # coverage ---------------------------------------------------------------------------------
    async def add_credits(self, talk_id: str, held_at: datetime, credits: list[Credit]) -> None:
        if not credits:
            return
        rows = [asdict(c) | {"talk_id": talk_id, "year": held_at.year, "held_at": held_at} for c in credits]
        await self.session.execute(insert(orm.coverage_credits).values(rows).on_conflict_do_nothing())

    async def remember_talk(self, talk: Talk) -> None:
        stmt = insert(orm.talks_seen).values(
            talk_id=talk.talk_id, held_at=talk.held_at, mode=talk.mode,
            talker_ids=sorted(talk.talker_ids), talkee_ids=sorted(talk.talkee_ids),
        )  # fmt: skip
        await self.session.execute(stmt.on_conflict_do_nothing())

    async def talks_with(self, person_id: str, since: datetime) -> list[Talk]:
        """Talks held at or after `since` in which the person took part, oldest first."""
        t = orm.talks_seen
        rows = await self.session.execute(
            select(t)
            .where(t.c.held_at >= since, or_(t.c.talkee_ids.any(person_id), t.c.talker_ids.any(person_id)))
            .order_by(t.c.held_at, t.c.talk_id)
        )
        return [
            Talk(r.talk_id, r.held_at, r.mode, frozenset(r.talker_ids), frozenset(r.talkee_ids)) for r in rows
        ]

    async def schedule_meeting(self, meeting_id: str, org_id: str, day, kind: str) -> None:
        stmt = insert(orm.meetings).values(meeting_id=meeting_id, org_id=org_id, date=day, kind=kind)
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=["meeting_id"], set_={"date": stmt.excluded.date, "kind": stmt.excluded.kind})
        )

    # triggers about unknown people --------------------------------------------------------------
    async def hold(self, event_id: str, person_id: str, payload: str) -> None:
        stmt = insert(orm.held_events).values(event_id=event_id, person_id=person_id, payload=payload)
        await self.session.execute(stmt.on_conflict_do_nothing())

    async def held_too_long(self, before: datetime) -> list:
        h = orm.held_events
        stmt = select(h).where(h.c.reported_at.is_(None), h.c.held_at < before).order_by(h.c.held_at)
        return (await self.session.execute(stmt.with_for_update(skip_locked=True))).all()

    async def mark_reported(self, event_id: str, person_id: str, at: datetime) -> None:
        h = orm.held_events
        await self.session.execute(
            update(h).where(h.c.event_id == event_id, h.c.person_id == person_id).values(reported_at=at)
        )

    async def new_vacancies(self, org_ids: Iterable[str], since) -> list[str]:
        """Record vacant seats; returns those not known to be vacant before."""
        ids = list(org_ids)
        if not ids:
            return []
        stmt = insert(orm.vacancies).values([{"org_id": o, "since": since} for o in ids]).on_conflict_do_nothing()
        return list((await self.session.execute(stmt.returning(orm.vacancies.c.org_id))).scalars())

    async def seat_filled(self, org_id: str) -> None:
        await self.session.execute(orm.vacancies.delete().where(orm.vacancies.c.org_id == org_id))

    async def release_held(self, person_id: str) -> list[str]:
        h = orm.held_events
        rows = await self.session.execute(
            h.delete().where(h.c.person_id == person_id).returning(h.c.payload, h.c.held_at, h.c.event_id)
        )
        return [r.payload for r in sorted(rows.all(), key=lambda r: (r.held_at, r.event_id))]
