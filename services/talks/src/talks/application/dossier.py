"""A member's yearly dossier for party-spirit analysis and democratic appraisal (SPEC §4): the talks
held with them, the must-talks they were the subject of and how each was met, and their follow-up
measures. Metadata only; shown to those who may read the member's records, and audited."""

from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from talks.adapters import directory, orm
from talks.domain.access import content_access

MET = {"fulfilled": "met", "fulfilled_late": "met late", "cancelled": "cancelled"}


async def dossier(sessions: async_sessionmaker, person_id: str, year: int, reader: str | None, auditors: frozenset[str]) -> dict | None:
    t, o, f = orm.talks, orm.obligations, orm.follow_ups
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    async with sessions() as session, session.begin():  # the audit row commits, granted or not
        orgs = await directory.orgs_of(session, [person_id])
        if person_id not in orgs:
            return None
        parent_of = await directory.ancestry(session, [orgs[person_id]])
        basis = content_access(reader, [], [person_id], orgs, parent_of, await directory.secretaries(session, list(parent_of)), auditors)
        await session.execute(
            insert(orm.content_reads).values(talk_id=f"dossier:{person_id}:{year}", reader_id=reader, granted=basis is not None, basis=basis or "not entitled")
        )
    if basis is None:
        raise PermissionError(f"{reader or 'an anonymous caller'} may not read the dossier of {person_id}")
    async with sessions() as session:
        talks = (
            await session.execute(
                select(t.c.talk_id, t.c.held_at, t.c.kind, t.c.mode, t.c.rule_ids, t.c.talker_ids, t.c.talkee_ids)
                .where(t.c.talkee_ids.any(person_id), t.c.held_at >= start, t.c.held_at < end)
                .order_by(t.c.held_at)
            )
        ).all()
        obligations = (
            await session.execute(
                select(o).where(o.c.subject_id == person_id, o.c.due_date >= start.date(), o.c.due_date < end.date()).order_by(o.c.due_date)
            )
        ).all()
        follow_ups = (
            await session.execute(
                select(f.c.follow_up_id, f.c.talk_id, f.c.due_date, f.c.completed_at)
                .where(f.c.owner_id == person_id, f.c.due_date >= start.date(), f.c.due_date < end.date())
                .order_by(f.c.due_date)
            )
        ).all()
        name = (await directory.names(session, [person_id])).get(person_id)
    must = [dict(r._mapping) | {"outcome": MET.get(r.status, "open")} for r in obligations]
    return {
        "person_id": person_id,
        "name": name,
        "org_id": orgs[person_id],
        "year": year,
        "talks": [dict(r._mapping) for r in talks],
        "must_talks": must,
        "follow_ups": [dict(r._mapping) | {"done": r.completed_at is not None} for r in follow_ups],
        "summary": {
            "talks": len(talks),
            "must_talks": len(must),
            "met": sum(1 for m in must if m["outcome"] == "met"),
            "met_late": sum(1 for m in must if m["outcome"] == "met late"),
            "open": sum(1 for m in must if m["outcome"] == "open"),
            "follow_ups_done": sum(1 for r in follow_ups if r.completed_at is not None),
            "follow_ups_open": sum(1 for r in follow_ups if r.completed_at is None),
        },
    }
