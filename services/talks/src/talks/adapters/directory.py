"""Talks' own view of the other services, kept by its consumer: the registry's (who belongs where,
who holds which seat) from registry.events, and compliance's obligations from compliance.obligations.
The handlers are plain upserts of that view, so they stay here beside the tables; the use cases read
the view through `SqlDirectory` and `SqlObligations` (ports `Directory`, `Obligations`)."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.bulk import upserted
from kernel.consumer import Handler
from kernel.tree import ancestors
from talk_contracts import OBLIGATION_TRANSITIONS, ParsedEvent
from talk_contracts import data as d
from talks.adapters import orm
from talks.adapters.repository import SqlRepository


async def apply(session: AsyncSession, event: ParsedEvent) -> None:
    data = event.data
    match data:
        case d.OrgRegistered() | d.OrgMoved():
            stmt = insert(orm.orgs).values(org_id=data.org_id, parent_id=data.parent_id)
            await session.execute(stmt.on_conflict_do_update(index_elements=["org_id"], set_={"parent_id": data.parent_id}))
        case d.MemberJoined():
            stmt = insert(orm.members).values(person_id=data.person_id, name=data.name, org_id=data.org_id, active=True)
            await session.execute(
                stmt.on_conflict_do_update(index_elements=["person_id"], set_={"name": data.name, "org_id": data.org_id, "active": True})
            )
        case d.MemberTransferred():
            await session.execute(update(orm.members).where(orm.members.c.person_id == data.person_id).values(org_id=data.to_org_id))
        case d.MemberLeft():
            await session.execute(update(orm.members).where(orm.members.c.person_id == data.person_id).values(active=False))
        case d.RoleEnded():
            r = orm.roles
            await session.execute(delete(r).where(r.c.org_id == data.org_id, r.c.person_id == data.person_id, r.c.role == data.role))
        case d.RoleAssigned():
            r = orm.roles  # the registry publishes the end of a displaced secretary's seat itself
            await session.execute(insert(r).values(org_id=data.org_id, person_id=data.person_id, role=data.role).on_conflict_do_nothing())


LATEST = "talks.latest_obligations"  # the batch's latest state of each obligation, in the session's info


async def obligation_changed(session: AsyncSession, event: ParsedEvent) -> None:
    """The latest state of a must-talk obligation (a subject's events arrive in order: one key). Kept
    for the batch and written by `ObligationsInBulk.finish_batch` in one statement."""
    data: d.ObligationChanged = event.data
    values = {"rule_id": data.rule_id, "subject_id": data.subject_id, "responsible_id": data.responsible_id,
              "due_date": data.due_date, "status": data.status, "fulfilled_by": data.fulfilled_by}  # fmt: skip
    latest = session.info.get(LATEST)
    if latest is not None:
        latest[data.obligation_id] = values  # a later event of it in the batch replaces an earlier one
    else:  # a consumer without the hooks: written at once
        await _upsert(session, {data.obligation_id: values})
    if data.rule_id == "REQ" and data.status in ("fulfilled", "fulfilled_late"):  # the request is met
        r = orm.talk_requests
        met = update(r).where(r.c.event_id == data.trigger_event_id, r.c.closed_by.is_(None))
        await session.execute(met.values(closed_by=data.fulfilled_by, closed_at=event.envelope.time))


class ObligationsInBulk:
    """Batch hooks: a batch's obligation states written together (thousands of obligation events a
    second reach talks when compliance is busy; one upsert each was most of talks' consumer)."""

    async def start_batch(self, session: AsyncSession, events: list[ParsedEvent]) -> None:
        session.info[LATEST] = {}

    async def finish_batch(self, session: AsyncSession) -> None:
        latest = session.info.pop(LATEST, {})
        if latest:
            await _upsert(session, latest)


async def _upsert(session: AsyncSession, latest: dict[str, dict]) -> None:
    rows = [{"obligation_id": ob, **values} for ob, values in latest.items()]
    await session.execute(*upserted(orm.obligations, rows, "obligation_id"))


ROUTES: dict[str, Handler] = dict.fromkeys(
    ["org.registered.v1", "org.moved.v1", "member.joined.v1", "member.transferred.v1", "member.left.v1", "role.assigned.v1", "role.ended.v1"],
    apply,
) | dict.fromkeys(
    [f"obligation.{t}.v1" for t in OBLIGATION_TRANSITIONS],
    obligation_changed,
)


class SqlDirectory(SqlRepository):
    async def orgs_of(self, people: Sequence[str]) -> dict[str, str]:
        m = orm.members
        return dict(await self._pairs(select(m.c.person_id, m.c.org_id).where(m.c.person_id.in_(people), m.c.active)))

    async def ancestry(self, org_ids: Sequence[str]) -> dict[str, str | None]:
        up = ancestors(orm.orgs, org_ids)
        return dict(await self._pairs(select(up.c.org_id, up.c.parent_id).distinct()))

    async def secretaries(self, org_ids: Sequence[str]) -> dict[str, str]:
        r = orm.roles
        return dict(await self._pairs(select(r.c.org_id, r.c.person_id).where(r.c.org_id.in_(org_ids), r.c.role == "secretary")))

    async def seats_of(self, person_id: str) -> dict[str, str]:
        r = orm.roles
        return dict(await self._pairs(select(r.c.org_id, r.c.role).where(r.c.person_id == person_id)))

    async def names(self, people: Sequence[str]) -> dict[str, str]:
        m = orm.members
        return dict(await self._pairs(select(m.c.person_id, m.c.name).where(m.c.person_id.in_(people), m.c.name.is_not(None))))

    async def members_of(self, org_id: str) -> list[str]:
        m = orm.members
        return await self._scalars(select(m.c.person_id).where(m.c.org_id == org_id, m.c.active))


class SqlObligations(SqlRepository):
    async def of_subject(self, person_id: str, start: date, end: date) -> list[dict]:
        o = orm.obligations
        return await self._all(select(o).where(o.c.subject_id == person_id, o.c.due_date >= start, o.c.due_date < end).order_by(o.c.due_date))
