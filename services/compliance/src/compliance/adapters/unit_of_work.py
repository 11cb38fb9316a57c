"""The compliance projection's unit of work over PostgreSQL (application.ports.UnitOfWork): the
transaction's rows in memory (adapters.rows), loaded in bulk, written back in bulk with the outbox."""

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import date, datetime

from sqlalchemy import event, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from compliance.adapters import orm, transitions
from compliance.adapters.change_feed import announce
from compliance.adapters.rollups import keep_counted
from compliance.adapters.rows.batch import BatchRows
from compliance.adapters.rows.loaded import Write
from compliance.adapters.rows.talks import CreditKey
from compliance.adapters.write_behind import WriteBehind, WriteBehindFailed
from compliance.application.preload import Needs, needs_of_obligations
from compliance.domain.changes import Change, TriggerRefused
from compliance.domain.obligations import Transition, stage_changes_on
from compliance.domain.policy import Policy
from compliance.domain.view import NotLoaded, View
from kernel.logging import get_logger
from kernel.outbox import stage, stage_raw
from kernel.settings import CommonSettings
from talk_contracts import CloudEvent, dlq_topic, event_type
from talk_contracts.calendar import local_date

log = get_logger(__name__)


class BatchUnitOfWork:
    def __init__(
        self, session: AsyncSession, settings: CommonSettings, policy: Policy, rows: BatchRows | None = None, writer: WriteBehind | None = None,
    ):
        self.session, self.settings, self.policy, self.writer = session, settings, policy, writer
        self.rows = rows if rows is not None else BatchRows()
        self.holds_everything = self.rows.complete  # nothing to load: see replay_units_of_work
        self.day: date | None = None
        self.earliest: datetime | None = None
        self.vacancy_candidates: set[str] = set()
        self.changed_obligations: dict = {}
        self._outbox: list[CloudEvent] = []
        self._dead: list[TriggerRefused] = []
        self._steps: list[Transition] = []

    @property
    def view(self) -> View:
        return self.rows

    async def _conn(self) -> AsyncConnection:
        return await self.session.connection()

    # loading -------------------------------------------------------------------------------------
    async def prepare(self, needs: Needs) -> None:
        """Load in a few bulk queries what the batch is likely to read: its people and organisations,
        the obligations they may touch, then what settling those reads."""
        conn, rows = await self._conn(), self.rows
        await self._people(conn, needs.people, with_obligations=True)
        await rows.obligations.load_subjects(conn, needs.subjects)
        await rows.obligations.load_ids(conn, needs.obligation_ids)
        of_subjects = {ob.obligation_id for ob in rows.obligations.loaded()}
        await rows.obligations.load_refs(conn, needs.refs)
        await rows.obligations.load_through(conn, needs.through)
        # What settling again reads: all of it for the obligations found through seats and cases,
        # and for the people whose seats or membership change; a talk or a new trigger settles the
        # others from that talk, that trigger, alone (decisions.settle_again, open_for).
        settled_again = [
            ob for ob in rows.obligations.loaded() if ob.obligation_id not in of_subjects or ob.subject_id in needs.changed_people
        ]
        second = needs_of_obligations(settled_again, self.policy)
        await self._people(conn, second.people - needs.people, with_obligations=False)
        await rows.obligations.load_retractions(conn, {ob.trigger_ref for ob in rows.obligations.loaded() if ob.trigger_ref})  # any settle reads them
        await rows.talks.load(conn, needs.talks | {p: min(s, needs.talks.get(p, s)) for p, s in second.talks.items()})
        participants = rows.talks.participants()
        await self._people(conn, participants - needs.people - second.people, with_obligations=False)
        await self._orgs(conn, needs.orgs | second.orgs | self._orgs_of_people())
        await rows.tree.load_seats_at(conn, needs.seat_orgs)  # a seat's whole history: where seats change

    async def _people(self, conn: AsyncConnection, people: Iterable[str], *, with_obligations: bool) -> None:
        people = sorted(set(people))
        rows = self.rows
        await rows.people.load_people(conn, people)
        await rows.tree.load_seats_of(conn, people)
        if with_obligations:
            await rows.people.load_absences(conn, people)
            await rows.people.load_held(conn, people)

    def _orgs_of_people(self) -> set[str]:
        return self.rows.tree.orgs_seated() | self.rows.people.orgs_belonged()

    async def _orgs(self, conn: AsyncConnection, org_ids: Iterable[str]) -> None:
        tree = self.rows.tree
        await tree.load_orgs(conn, org_ids)
        known = tree.known_orgs()  # those not registered yet too: a batch may register them
        await tree.load_secretaries(conn, known)
        await tree.load_vacancies(conn, known)

    async def load(self, missing: NotLoaded) -> None:
        """One thing a decision asked for that was not preloaded."""
        conn, rows, key = await self._conn(), self.rows, missing.key
        match missing.kind:
            case "org":
                await self._orgs(conn, [key])
            case "seats_at":
                await rows.tree.load_seats_at(conn, [key])
            case "secretaries_at":
                await rows.tree.load_secretaries(conn, [key])
            case "seats_of":
                await rows.tree.load_seats_of(conn, [key])
            case "vacancy":
                await rows.tree.load_vacancies(conn, [key])
            case "person":
                await rows.people.load_people(conn, [key])
            case "absences":
                await rows.people.load_absences(conn, [key])
            case "held":
                await rows.people.load_held(conn, [key])
            case "obligation":
                await rows.obligations.load_ids(conn, [key])
            case "obligations_of":
                subject, since, rule = key
                await rows.obligations.load_subjects(conn, {(subject, rule): since})
            case "obligations_through":
                await rows.obligations.load_through(conn, {key[0]: key[1]})
            case "obligations_by_ref":
                await rows.obligations.load_refs(conn, [key])
            case "retractions":
                await rows.obligations.load_retractions(conn, [key])
            case "talks_of":
                await rows.talks.load(conn, {key[0]: key[1]})
            case "talk":
                await rows.talks.load_ids(conn, [key])
            case _:
                raise ValueError(f"nothing loads {missing.kind!r}")

    async def load_stage_candidates(self, today: date) -> list[str]:
        """Open obligations whose stage may move today, locked; those another transaction holds are
        skipped (they are settled by it, or by the next tick)."""
        o = orm.obligations.c
        by = stage_changes_on(today, self.policy)
        stmt = (
            select(o.obligation_id)
            .where(
                o.closed_at.is_(None),
                or_(
                    (o.status.in_(["open", "reassigned"])) & (o.due_date <= by["due_soon"]),
                    (o.status.in_(["open", "reassigned", "due_soon"])) & (o.due_date <= by["overdue"]),
                    (o.status != "escalated") & (o.due_date <= by["escalated"]),
                ),
            )
            .order_by(o.obligation_id)
            .with_for_update(skip_locked=True)
        )
        ids = list((await (await self._conn()).execute(stmt)).scalars())
        await self.rows.obligations.load_ids(await self._conn(), ids)
        wanted = set(ids)
        obligations = [ob for ob in self.rows.obligations.loaded() if ob.obligation_id in wanted]
        second = needs_of_obligations(obligations, self.policy)
        conn = await self._conn()
        await self._people(conn, second.people, with_obligations=False)
        await self.rows.obligations.load_retractions(conn, second.refs)  # in one query, not one a settle
        await self.rows.talks.load(conn, second.talks)
        await self._orgs(conn, second.orgs | self._orgs_of_people())
        return ids

    # changing ------------------------------------------------------------------------------------
    def apply(self, change: Change) -> None:
        self.rows.apply(change)

    def publish(self, events: Iterable[CloudEvent]) -> None:
        self._outbox.extend(events)

    def record(self, steps: Iterable[Transition]) -> None:
        self._steps.extend(steps)

    async def transitions(self, obligation_id: str) -> list[Transition]:
        return await transitions.of_obligation(await self._conn(), obligation_id)

    def dead_letter(self, refused: TriggerRefused) -> None:
        self._dead.append(refused)

    async def flush(self) -> None:
        """Write every change in bulk; last in the transaction (or handed to the replay's writer)."""
        if self.writer is not None:
            await self.writer.submit(self.writes())
        else:
            await self.writes()(await self._conn())

    def writes(self) -> Write:
        """Every change, taken now and written in bulk by the function returned; from now on the rows
        count as written (a replay decides its next batch while this one is written:
        adapters.write_behind)."""
        rows = self.rows
        tree, people, obligations, talks = rows.tree.writes(), rows.people.writes(), rows.obligations.writes(), rows.talks.writes()
        changed_people, changed_seats = rows.people.changed_people(), rows.tree.changed_seats()
        counting = (self.earliest, self.day)
        outbox, steps, dead = self._outbox, self._steps, self._dead
        changed = {"obligations": rows.obligations.changed_count, "talks": rows.talks.changed_count}
        self._outbox, self._dead, self._steps = [], [], []
        self.vacancy_candidates, self.changed_obligations = set(), {}
        rows.flushed()

        async def write(conn: AsyncConnection) -> None:
            await tree(conn)
            await people(conn)
            await obligations(conn)
            credited = await talks(conn)
            await self._count_again(conn, credited, changed_people, changed_seats, *counting)
            await stage(conn, orm.outbox, self.settings, outbox)
            await transitions.append(conn, steps)
            for refused in dead:
                topic = self.settings.topic(event_type(refused.event_type).topic.value)
                await stage_raw(
                    conn, orm.outbox, topic=dlq_topic(topic), key=refused.person_id, event_id=refused.event_id,
                    event_type=refused.event_type, payload=refused.payload.encode(),
                    headers={"dlq-reason": refused.reason, "dlq-consumer": "compliance"},
                )  # fmt: skip
            if any(changed.values()):
                await announce(conn, **changed)

        return write

    async def _count_again(
        self, conn: AsyncConnection, credited: set[CreditKey], people: set[str], orgs: set[str], earliest: datetime | None, day: date | None
    ) -> None:
        """Coverage kept counted (adapters.rollups) for whoever this transaction's changes touch:
        people whose membership or member credits changed, organisations whose seats or secretary
        and committee credits did."""
        people = people | {p for rule, p, _, _ in credited if rule == "COV-MEMBER"}
        orgs = orgs | {o for rule, _, o, _ in credited if rule != "COV-MEMBER"}
        # Which past years they reach: a recounted talk's, and those from the batch's earliest event
        # on (a membership or a seat changes from its event's time).
        years = {year for *_, year in credited}
        if earliest is not None and (people or orgs):
            years.add(local_date(earliest, self.policy.zone).year)
        await keep_counted(conn, people=people, orgs=orgs, since_year=min(years, default=None), today=day, zone=self.policy.time_zone)


def batch_unit_of_work(settings: CommonSettings, policy: Policy):
    """The factory the batch consumer wraps each transaction's session in."""
    return lambda session: BatchUnitOfWork(session, settings, policy)


def replay_units_of_work(settings: CommonSettings, policy: Policy, writer: WriteBehind | None = None):
    """The factory for a replay into an empty schema (entrypoints.replay): every row the replay
    writes is kept in memory from one batch to the next, so the rows in memory are the whole
    projection and no batch loads anything (loading was a quarter of a replay's time). With a
    `writer`, each batch's writes go behind the next batch's decisions (adapters.write_behind).

    Only while every batch has committed: a batch that failed, or whose commit is unknown, may have
    left in memory what the database does not hold, so from then on each batch loads its rows from
    the database as the live consumer does; writing behind, the database may hold less than the
    batches before it too, and the replay stops (WriteBehindFailed) to be run again without."""
    kept: BatchRows | None = BatchRows(complete=True)
    committed = True  # the last batch given the kept rows

    def on_commit(_session) -> None:
        nonlocal committed
        committed = True

    def open_one(session: AsyncSession) -> BatchUnitOfWork:
        nonlocal kept, committed
        if kept is not None and not committed:
            if writer is not None:
                raise WriteBehindFailed("a replayed batch failed while the batches before it were written behind")
            log.warning("a replayed batch did not commit: the rows it kept in memory are dropped, and each batch loads its own from now on")
            kept = None
        if kept is None:
            return BatchUnitOfWork(session, settings, policy)
        committed = False
        event.listen(session.sync_session, "after_commit", on_commit, once=True)
        return BatchUnitOfWork(session, settings, policy, kept, writer)

    return open_one


def units_of_work(sessions: async_sessionmaker, settings: CommonSettings, policy: Policy):
    """Transactions of their own, outside the consumer (the daily tick, an operator's waiver)."""

    @asynccontextmanager
    async def open_one() -> AsyncIterator[BatchUnitOfWork]:
        async with sessions() as session, session.begin():
            yield BatchUnitOfWork(session, settings, policy)

    return open_one


__all__ = ["BatchUnitOfWork", "batch_unit_of_work", "replay_units_of_work", "units_of_work"]
