"""The intake's repositories over the registry's tables, all in the unit of work's session
(see unit_of_work.py): the ports of registry.application.ports, in SQL."""

from functools import cache

from sqlalchemy import Text, any_, func, or_, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.bulk import arrays, unnested
from kernel.outbox import stage
from kernel.settings import CommonSettings
from kernel.tree import ancestors
from registry.adapters import orm
from registry.adapters.state import apply_registry_event
from registry.domain.event_ids import published_id
from registry.domain.invariants import Member, Org, Seat, Snapshot
from talk_contracts import CloudEvent, ParsedEvent


@cache
def _accepted(columns: tuple[str, ...]):
    """The events recorded as accepted, a duplicate (the same source and id again) skipped: the
    senders' ids of those recorded."""
    a = orm.accepted_events
    return unnested(a, columns).on_conflict_do_nothing().returning(a.c.sender_id)


class AcceptedEventsTable:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def record(self, events: list[ParsedEvent]) -> set[str]:
        legacy = await self._legacy([e.id for e in events])
        rows = [
            {"event_id": published_id(e.envelope.source, e.id), "sender_id": e.id, "type": e.envelope.type, "source": e.envelope.source}
            for e in events
            if e.id not in legacy
        ]
        if not rows:
            return set()
        return set((await self._session.execute(_accepted(tuple(rows[0])), arrays(orm.accepted_events, rows))).scalars())

    async def seen(self, events: list[ParsedEvent]) -> set[str]:
        a = orm.accepted_events
        by_source: dict[str, list[str]] = {}
        for e in events:
            by_source.setdefault(e.envelope.source, []).append(e.id)
        found = await self._legacy([e.id for e in events])
        # One `= ANY(array)` per source (an import has one): a row-valued IN of thousands of pairs
        # exceeds PostgreSQL's stack depth.
        for source, ids in by_source.items():
            query = select(a.c.sender_id).where(a.c.source == source, a.c.sender_id == any_(array(ids, type_=Text)))
            found |= set((await self._session.execute(query)).scalars())
        return found

    async def _legacy(self, ids: list[str]) -> set[str]:
        """Ids accepted before ids were per source (migration 0002: their event_id is the sender's
        own, and their source whatever the sender wrote then): still duplicates, from any system."""
        a = orm.accepted_events
        query = select(a.c.sender_id).where(a.c.event_id == any_(array(ids, type_=Text)), a.c.event_id == a.c.sender_id)  # by primary key
        return set((await self._session.execute(query)).scalars())


class RegistryTables:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def snapshot(self, org_ids: set[str], person_ids: set[str]) -> Snapshot:
        """The touched organisations with their ancestors (for cycles) and active member counts
        (for dissolution), and the touched people."""
        m = orm.members
        state = Snapshot()
        if org_ids:
            up = ancestors(orm.orgs, org_ids, "dissolved_at")
            for row in await self._session.execute(select(up.c.org_id, up.c.parent_id, up.c.dissolved_at).distinct()):
                state.orgs[row.org_id] = Org(row.parent_id, row.dissolved_at is not None)
            counts = await self._session.execute(
                select(m.c.org_id, func.count()).where(m.c.org_id.in_(org_ids), m.c.left_at.is_(None)).group_by(m.c.org_id)
            )
            state.member_counts = {org: n for org, n in counts.all()}
        if person_ids:
            for row in await self._session.execute(select(m.c.person_id, m.c.org_id, m.c.left_at).where(m.c.person_id.in_(person_ids))):
                state.members[row.person_id] = Member(row.org_id, row.left_at is None)
        # Seats: the people's with their history (which seats they held on a date), and who holds the
        # organisations' seats now (a new secretary displaces one).
        r = orm.roles.c
        touched = or_(r.person_id.in_(person_ids), (r.org_id.in_(org_ids)) & (r.until.is_(None)))
        rows = await self._session.execute(select(r.org_id, r.person_id, r.role, r.since, r.until).where(touched).order_by(r.since, r.id))
        state.seats = list(dict.fromkeys(Seat(x.org_id, x.person_id, x.role, x.since, x.until) for x in rows))
        return state

    async def apply(self, event: ParsedEvent) -> None:
        await apply_registry_event(self._session, event)


class OutboxTable:
    def __init__(self, session: AsyncSession, settings: CommonSettings):
        self._session = session
        self._settings = settings

    async def stage(self, events: list[CloudEvent]) -> None:
        await stage(self._session, orm.outbox, self._settings, events)
