"""One function per event type, reading like SPEC §2–§3; the routing table is at the bottom.

Each handler runs inside the consumer's transaction (see kernel.consumer): the projection change,
the events it causes (outbox) and the tracking row of the event commit together.
"""

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.adapters import orm
from compliance.adapters.repository import ProjectionRepository
from compliance.domain.coverage import counts_for_member_coverage
from compliance.domain.obligations import DISCIPLINE, Obligation, Talk, choose_rule, fulfilled_by, open_obligation
from compliance.domain.policy import Policy
from compliance.domain.responsibility import is_committee_member, responsible_secretary
from talk_contracts import ParsedEvent, new_event, parse_event
from talk_contracts import data as d
from kernel.consumer import Handler
from kernel.logging import get_logger
from kernel.outbox import stage
from kernel.settings import CommonSettings

log = get_logger(__name__)
ARRIVED = "compliance.arrived_people"  # session.info key: people who joined in this batch
SOURCE = "urn:talk-compliance:compliance"


@dataclass
class ComplianceHandlers:
    settings: CommonSettings
    policy: Policy

    # registry ---------------------------------------------------------------------------------
    async def org_registered(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.OrgRegistered = event.data
        await ProjectionRepository(session).upsert_org(data.org_id, data.parent_id, data.name, data.kind)

    async def org_moved(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.OrgMoved = event.data
        await ProjectionRepository(session).upsert_org(data.org_id, data.parent_id)

    async def member_joined(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.MemberJoined = event.data
        repo = ProjectionRepository(session)
        await repo.upsert_member(data.person_id, data.org_id, data.name, data.status, event.envelope.time)
        session.info.setdefault(ARRIVED, []).append(data.person_id)

    async def finish_batch(self, session: AsyncSession) -> None:
        """Triggers that arrived before their person did are applied once the batch that brought the
        person is applied (so the person's roles and secretaries from the same batch are known too)."""
        repo = ProjectionRepository(session)
        for person_id in session.info.pop(ARRIVED, []):
            for payload in await repo.release_held(person_id):
                held = parse_event(json.loads(payload))
                with structlog.contextvars.bound_contextvars(event_id=held.id, event_type=held.envelope.type):
                    log.info("applying held trigger", person_id=person_id)
                    await self.route()[held.envelope.type](session, held)

    async def member_left(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.MemberLeft = event.data
        repo = ProjectionRepository(session)
        await repo.mark_left(data.person_id, event.envelope.time)
        cancelled = [_with_status(ob, "cancelled") for ob in await repo.open_obligations_of([data.person_id])]
        await self._save_and_publish(repo, cancelled, "cancelled", event)

    async def role_assigned(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.RoleAssigned = event.data
        await ProjectionRepository(session).assign_role(data.org_id, data.person_id, data.role, event.envelope.time)

    async def role_ended(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.RoleEnded = event.data
        await ProjectionRepository(session).end_role(data.org_id, data.person_id, data.role, event.envelope.time)

    # must-talk triggers -----------------------------------------------------------------------
    async def discipline_action_recorded(self, session: AsyncSession, event: ParsedEvent) -> None:
        """M4 for a member, C5 for a committee member: a talk within 7 days (SPEC §3.2)."""
        data: d.DisciplineActionRecorded = event.data
        await self._open_must_talk(session, event, data.person_id, DISCIPLINE)

    async def _open_must_talk(
        self, session: AsyncSession, event: ParsedEvent, subject_id: str, rules: tuple[str, str]
    ) -> None:
        repo = ProjectionRepository(session)
        at = event.envelope.time
        own_org = await repo.member_org(subject_id)
        if own_org is None:
            await repo.hold(event.id, subject_id, event.envelope.model_dump_json())
            log.info("trigger held until its subject is known", person_id=subject_id)
            return
        roles = await repo.roles_on(subject_id, at)
        parent_of = await repo.ancestry(own_org)
        for org in roles:
            parent_of |= await repo.ancestry(org)
        responsibility = responsible_secretary(
            subject_id, own_org, roles, parent_of, await repo.secretaries_on(parent_of, at)
        )
        rule_id = choose_rule(rules, is_committee_member(roles))
        ob = open_obligation(rule_id, subject_id, responsibility, own_org, event.id, at, self.policy)
        if await repo.add_obligation(ob):
            await self._publish(repo, ob, "opened", event)
            log.info("obligation opened", obligation_id=ob.obligation_id, rule_id=rule_id, responsible_id=ob.responsible_id)

    # talks --------------------------------------------------------------------------------------
    async def talk_recorded(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.TalkRecorded = event.data
        repo = ProjectionRepository(session)
        talk = Talk(data.talk_id, data.held_at, data.mode, frozenset(data.talker_ids), frozenset(data.talkee_ids))
        for talkee in data.talkee_ids:
            org = await repo.member_org(talkee)
            talker_roles = set()
            if org is not None:
                for talker in data.talker_ids:
                    role = (await repo.roles_on(talker, data.held_at)).get(org)
                    if role:
                        talker_roles.add(role)
            counts = counts_for_member_coverage(talker_roles, talk.is_individual, self.policy)
            await repo.add_coverage_talk(data.talk_id, talkee, data.held_at, counts)
        met = [ob for ob in (fulfilled_by(o, talk) for o in await repo.open_obligations_of(data.talkee_ids)) if ob]
        await self._save_and_publish(repo, met, "fulfilled", event)

    # publishing ---------------------------------------------------------------------------------
    async def _save_and_publish(self, repo: ProjectionRepository, obs: list[Obligation], transition: str, cause: ParsedEvent):
        for ob in obs:
            await repo.save_status(ob)
            await self._publish(repo, ob, transition, cause)

    async def _publish(self, repo: ProjectionRepository, ob: Obligation, transition: str, cause: ParsedEvent) -> None:
        payload = d.ObligationChanged(
            obligation_id=ob.obligation_id,
            rule_id=ob.rule_id,
            subject_id=ob.subject_id,
            responsible_id=ob.responsible_id,
            org_id=ob.org_id,
            due_date=ob.due_date,
            status=ob.status,
            trigger_event_id=ob.trigger_event_id,
        )
        event = new_event(
            f"obligation.{transition}.v1",
            payload,
            source=SOURCE,
            subject=ob.subject_id,
            time=datetime.now(UTC),
            correlationid=cause.envelope.correlationid,
            causationid=cause.id,
        )
        await stage(repo.session, orm.outbox, self.settings, [event])

    def route(self) -> dict[str, Handler]:
        return {
            "org.registered.v1": self.org_registered,
            "org.moved.v1": self.org_moved,
            "member.joined.v1": self.member_joined,
            "member.left.v1": self.member_left,
            "role.assigned.v1": self.role_assigned,
            "role.ended.v1": self.role_ended,
            "discipline.action_recorded.v1": self.discipline_action_recorded,
            "talk.recorded.v1": self.talk_recorded,
        }


def _with_status(ob: Obligation, status: str) -> Obligation:
    return replace(ob, status=status)
