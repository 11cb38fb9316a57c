"""People and their roles: a projection of registry events, and each person's own preferences."""

from collections.abc import Sequence
from datetime import time

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters import orm
from notify.adapters.repositories import record
from notify.domain.people import Person

p, r = orm.people, orm.roles


class SqlPeople:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def upsert(self, person_id: str, name: str, email: str | None, phone: str | None) -> None:
        stmt = insert(p).values(person_id=person_id, name=name, email=email, phone=phone)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["person_id"],
                set_={"name": stmt.excluded.name, "email": stmt.excluded.email, "phone": stmt.excluded.phone},
            )
        )

    async def change_contact(self, person_id: str, email: str | None, phone: str | None) -> None:
        await self.session.execute(update(p).where(p.c.person_id == person_id).values(email=email, phone=phone))

    async def get(self, person_id: str) -> Person | None:
        row = (await self.session.execute(select(p).where(p.c.person_id == person_id))).first()
        return None if row is None else record(Person, row)

    async def get_many(self, person_ids: set[str]) -> dict[str, Person]:
        if not person_ids:
            return {}
        rows = await self.session.execute(select(p).where(p.c.person_id.in_(sorted(person_ids))))
        return {row.person_id: record(Person, row) for row in rows}

    async def names_of(self, person_ids: set[str]) -> dict[str, str]:
        if not person_ids:
            return {}
        rows = await self.session.execute(select(p.c.person_id, p.c.name).where(p.c.person_id.in_(sorted(person_ids))))
        return dict(rows.tuples().all())

    async def set_preferences(
        self, person_id: str, channels: Sequence[str], quiet_start: time | None, quiet_end: time | None, digest: bool
    ) -> bool:
        preferences = {"channels": list(channels), "quiet_start": quiet_start, "quiet_end": quiet_end, "digest": digest}
        updated = await self.session.execute(update(p).where(p.c.person_id == person_id).values(**preferences).returning(p.c.person_id))
        return updated.first() is not None

    async def digest_subscribers(self, holding_role: str) -> list[str]:
        holders = select(r.c.person_id).where(r.c.role == holding_role)
        return list((await self.session.execute(select(p.c.person_id).where(p.c.digest, p.c.person_id.in_(holders)))).scalars())


class SqlRoles:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def assign(self, org_id: str, person_id: str, role: str) -> None:
        await self.session.execute(insert(r).values(org_id=org_id, person_id=person_id, role=role).on_conflict_do_nothing())

    async def end(self, org_id: str, person_id: str, role: str) -> None:
        await self.session.execute(r.delete().where(r.c.org_id == org_id, r.c.person_id == person_id, r.c.role == role))

    async def vacate(self, org_id: str, role: str) -> None:
        await self.session.execute(r.delete().where(r.c.org_id == org_id, r.c.role == role))
