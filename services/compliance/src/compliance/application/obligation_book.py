"""Opening, moving and closing obligations inside one transaction, each change published once."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.adapters.working_set import WorkingSet
from compliance.domain.obligations import Obligation, fulfilled_by, open_obligation, stages_reached
from compliance.domain.policy import Policy
from compliance.domain.responsibility import (
    Responsibility,
    escalation_target,
    is_committee_member,
    responsible_secretary,
)
from compliance.domain.triggers import Trigger, rule_for
from kernel.logging import get_logger
from kernel.settings import CommonSettings
from talk_contracts import ParsedEvent, new_event
from talk_contracts import data as d

log = get_logger(__name__)
SOURCE = "urn:talk-compliance:compliance"


@dataclass
class ObligationBook:
    session: AsyncSession
    settings: CommonSettings
    policy: Policy
    today: Callable[[], date]

    @property
    def rows(self) -> WorkingSet:
        return WorkingSet.of(self.session, self.settings)

    async def responsibility(self, subject_id: str, own_org: str, at: datetime) -> tuple[Responsibility, dict[str, str]]:
        rows = self.rows
        roles = await rows.roles_on(subject_id, at)
        parent_of = await rows.ancestry(own_org)
        for org in roles:
            parent_of |= await rows.ancestry(org)
        secretaries = await rows.secretaries_on(parent_of, at)
        return responsible_secretary(subject_id, own_org, roles, parent_of, secretaries), roles

    async def open(self, trigger: Trigger, own_org: str, cause: ParsedEvent) -> Obligation | None:
        """Open the obligation a trigger calls for, unless it is open already (the same trigger again)."""
        responsibility, roles = await self.responsibility(trigger.subject_id, own_org, trigger.at)
        await self.report_vacancies(responsibility, cause)
        if trigger.leader_id is not None:  # REQ: the leader the member asked
            responsibility = Responsibility(trigger.leader_id, None)
        rule_id = rule_for(trigger, is_committee_member(roles))
        ob = open_obligation(trigger, rule_id, responsibility, own_org, cause.id, self.policy)
        if not await self.rows.add_obligation(ob):
            return None
        await self.publish(ob, "opened", cause)
        log.info("obligation opened", obligation_id=ob.obligation_id, rule_id=rule_id, responsible_id=ob.responsible_id)
        if met := await self.met_already(ob):
            await self.rows.save(met)
            await self.publish(met, "fulfilled", cause)
            return met
        # A late report of an old situation is already due soon, overdue or escalated.
        return await self.advance(ob, self.today(), cause)

    async def report_vacancies(self, responsibility: Responsibility, cause: ParsedEvent) -> None:
        """A vacant secretary seat met on the way up: the parent's secretary is told, once (SPEC §2)."""
        today = self.today()
        for org_id in await self.rows.new_vacancies(responsibility.vacant_org_ids, today):
            parent_of = await self.rows.ancestry(org_id)
            parent = parent_of.get(org_id)
            at = datetime.combine(today, time(23, 59), tzinfo=UTC)
            parent_secretary = escalation_target(org_id, None, parent_of, await self.rows.secretaries_on(parent_of, at))
            data = d.SecretaryVacant(org_id=org_id, parent_org_id=parent, parent_secretary_id=parent_secretary, since=today)
            await self._emit("secretary.vacant.v1", data, org_id, cause)
            log.info("secretary seat vacant", org_id=org_id, parent_secretary_id=parent_secretary)

    async def met_already(self, ob: Obligation) -> Obligation | None:
        """A talk read before its trigger (another topic) that fulfils the obligation."""
        for talk in await self.rows.talks_with(ob.subject_id, ob.triggered_at):
            if met := fulfilled_by(ob, talk):
                return met
        return None

    async def advance(self, ob: Obligation, today: date, cause: ParsedEvent | None = None) -> Obligation:
        """Move an open obligation along its life cycle to where `today` puts it (SPEC §3.4)."""
        for stage_name in stages_reached(ob, today, self.policy):
            if stage_name == "escalated":
                ob = replace(ob, status="escalated", escalated_to_id=await self._escalation_target(ob))
            else:
                ob = replace(ob, status=stage_name)
            await self.rows.save(ob)
            await self.publish(ob, stage_name, cause)
        return ob

    async def _escalation_target(self, ob: Obligation) -> str | None:
        if ob.responsible_org_id is None:
            return None
        at = datetime.combine(self.today(), time(23, 59), tzinfo=UTC)
        parent_of = await self.rows.ancestry(ob.responsible_org_id)
        secretaries = await self.rows.secretaries_on(parent_of, at)
        return escalation_target(ob.responsible_org_id, ob.responsible_id, parent_of, secretaries)

    async def reassign(self, obligations: list[Obligation], at: datetime, cause: ParsedEvent) -> None:
        """Responsibility recomputed after a role or membership change; the due date stays (SPEC §3.5)."""
        await self.rows.load_people({ob.subject_id for ob in obligations})
        moves = []
        for ob in obligations:
            if ob.rule_id == "REQ":
                continue  # the member asked that leader, whoever holds the seats
            own_org = await self.rows.member_org(ob.subject_id)
            if own_org is None:
                continue
            responsibility, _ = await self.responsibility(ob.subject_id, own_org, at)
            if responsibility.responsible_id == ob.responsible_id and own_org == ob.org_id:
                continue
            moves.append((ob, replace(
                ob,
                status="reassigned",
                responsible_id=responsibility.responsible_id,
                responsible_org_id=responsibility.org_id,
                org_id=own_org,
            )))  # fmt: skip
        since: dict[str, datetime] = {}
        for _, moved in moves:
            since[moved.subject_id] = min(moved.triggered_at, since.get(moved.subject_id, moved.triggered_at))
        await self.rows.load_talks(since)  # one query for the talks that may meet the moved ones
        for ob, moved in moves:
            await self.rows.save(moved)
            await self.publish(moved, "reassigned", cause, previous_responsible_id=ob.responsible_id)
            if met := await self.met_already(moved):
                await self.rows.save(met)
                await self.publish(met, "fulfilled", cause)
            else:
                await self.advance(moved, self.today(), cause)

    async def close(self, obligations: list[Obligation], status: str, cause: ParsedEvent, transition: str) -> None:
        for ob in obligations:
            closed = replace(ob, status=status)
            await self.rows.save(closed)
            await self.publish(closed, transition, cause)

    async def publish(
        self, ob: Obligation, transition: str, cause: ParsedEvent | None, previous_responsible_id: str | None = None
    ) -> None:
        payload = d.ObligationChanged(
            obligation_id=ob.obligation_id,
            rule_id=ob.rule_id,
            subject_id=ob.subject_id,
            responsible_id=ob.responsible_id,
            org_id=ob.org_id,
            due_date=ob.due_date,
            status=ob.status,
            trigger_event_id=ob.trigger_event_id,
            escalated_to_id=ob.escalated_to_id,
            previous_responsible_id=previous_responsible_id,
            fulfilled_by=ob.fulfilled_by,
        )
        await self._emit(f"obligation.{transition}.v1", payload, ob.subject_id, cause)

    async def _emit(self, type_name: str, payload, subject: str, cause: ParsedEvent | None) -> None:
        event = new_event(
            type_name,
            payload,
            source=SOURCE,
            subject=subject,
            time=datetime.now(UTC),
            correlationid=cause.envelope.correlationid if cause else None,
            causationid=cause.id if cause else None,
        )
        self.rows.publish(event)


async def advance_all(book_for: Callable[[AsyncSession], ObligationBook], sessions, today: date) -> int:
    """The scheduler's tick: every open obligation that `today` moves along its life cycle."""
    moved = 0
    async with sessions() as session, session.begin():
        book = book_for(session)
        horizon = today + timedelta(days=book.policy.due_soon_days)
        due = await book.rows.open_obligations_due_by(horizon)
        # Escalation reads the responsible organisations' chains and seats: loaded once, not per obligation.
        await book.rows.load_people((), {ob.responsible_org_id for ob in due if ob.responsible_org_id})
        for ob in due:
            if stages_reached(ob, today, book.policy):
                await book.advance(ob, today)
                moved += 1
        await book.rows.flush()
    return moved
