"""Notify's handlers: keep track of people, and alert whoever a change concerns, once."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.consumer import Handler
from kernel.logging import get_logger
from notify.adapters import orm
from notify.application.delivery import deliver
from notify.config import NotifySettings
from notify.domain.alerts import follow_up_alert, obligation_alert, recipients, vacancy_alert
from talk_contracts import ParsedEvent
from talk_contracts import data as d

log = get_logger(__name__)
OBLIGATION_TRANSITIONS = ("opened", "due_soon", "overdue", "escalated", "reassigned", "fulfilled", "cancelled")


@dataclass
class NotifyHandlers:
    settings: NotifySettings

    def __post_init__(self) -> None:
        self.templates = self.settings.templates()

    async def member_joined(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.MemberJoined = event.data
        stmt = insert(orm.people).values(person_id=data.person_id, name=data.name, email=data.email, phone=data.phone)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["person_id"],
                set_={"name": stmt.excluded.name, "email": stmt.excluded.email, "phone": stmt.excluded.phone},
            )
        )

    async def contact_changed(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.MemberContactChanged = event.data
        p = orm.people
        await session.execute(update(p).where(p.c.person_id == data.person_id).values(email=data.email, phone=data.phone))

    async def role_changed(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.RoleAssigned = event.data
        r = orm.roles
        if event.envelope.type == "role.ended.v1":
            await session.execute(r.delete().where(r.c.org_id == data.org_id, r.c.person_id == data.person_id, r.c.role == data.role))
            return
        if data.role == "secretary":  # one secretary at a time
            await session.execute(r.delete().where(r.c.org_id == data.org_id, r.c.role == "secretary"))
        await session.execute(insert(r).values(org_id=data.org_id, person_id=data.person_id, role=data.role).on_conflict_do_nothing())

    async def obligation_changed(self, session: AsyncSession, event: ParsedEvent) -> None:
        """Alerts to whoever the transition concerns (SPEC §5). An obligation with nobody responsible
        falls to the operators, who watch the dashboard."""
        data: d.ObligationChanged = event.data
        transition = event.envelope.type.removeprefix("obligation.").removesuffix(".v1")
        to = recipients(transition, data.responsible_id, data.escalated_to_id, data.previous_responsible_id)
        if not to:
            return
        subject_name = await session.scalar(select(orm.people.c.name).where(orm.people.c.person_id == data.subject_id))
        for recipient_id, template in to:
            alert = obligation_alert(
                obligation_id=data.obligation_id,
                transition=template,
                recipient_id=recipient_id,
                rule_id=data.rule_id,
                subject_name=subject_name or data.subject_id,
                due_date=data.due_date.isoformat(),
                templates=self.templates,
            )
            await deliver(session, alert, self.settings)

    async def secretary_vacant(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.SecretaryVacant = event.data
        if data.parent_secretary_id is None:
            return  # falls to the operators
        alert = vacancy_alert(
            org_id=data.org_id, org_name=data.org_id, recipient_id=data.parent_secretary_id,
            since=data.since.isoformat(), templates=self.templates,
        )  # fmt: skip
        await deliver(session, alert, self.settings)

    async def follow_up(self, session: AsyncSession, event: ParsedEvent) -> None:
        """A follow-up measure due or overdue: its owner is reminded (never told its text)."""
        data: d.FollowUp = event.data
        stage = event.envelope.type.removeprefix("follow_up.").removesuffix(".v1")
        alert = follow_up_alert(
            follow_up_id=data.follow_up_id, stage=stage, owner_id=data.owner_id,
            due_date=data.due_date.isoformat(), templates=self.templates,
        )  # fmt: skip
        await deliver(session, alert, self.settings)

    def route(self) -> dict[str, Handler]:
        return {
            "member.joined.v1": self.member_joined,
            "member.contact_changed.v1": self.contact_changed,
            "role.assigned.v1": self.role_changed,
            "role.ended.v1": self.role_changed,
            "secretary.vacant.v1": self.secretary_vacant,
            "follow_up.due.v1": self.follow_up,
            "follow_up.overdue.v1": self.follow_up,
            **{f"obligation.{t}.v1": self.obligation_changed for t in OBLIGATION_TRANSITIONS},
        }
