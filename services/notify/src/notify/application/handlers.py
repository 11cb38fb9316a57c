"""Notify's handlers: keep track of people, and put obligation alerts in the right inbox."""

from dataclasses import asdict

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.consumer import Handler
from kernel.logging import get_logger
from notify.adapters import orm
from notify.domain.alerts import obligation_alert, recipients, vacancy_alert
from talk_contracts import ParsedEvent
from talk_contracts import data as d

log = get_logger(__name__)


async def member_joined(session: AsyncSession, event: ParsedEvent) -> None:
    data: d.MemberJoined = event.data
    stmt = insert(orm.people).values(person_id=data.person_id, name=data.name, email=data.email, phone=data.phone)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["person_id"],
            set_={"name": stmt.excluded.name, "email": stmt.excluded.email, "phone": stmt.excluded.phone},
        )
    )


async def contact_changed(session: AsyncSession, event: ParsedEvent) -> None:
    data: d.MemberContactChanged = event.data
    p = orm.people
    await session.execute(update(p).where(p.c.person_id == data.person_id).values(email=data.email, phone=data.phone))


async def obligation_changed(session: AsyncSession, event: ParsedEvent) -> None:
    """Alerts to whoever the transition concerns; the idempotency key makes a redelivery write nothing.
    An obligation with nobody responsible falls to the operators, who watch the dashboard."""
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
        )
        stmt = insert(orm.inbox).values(asdict(alert)).on_conflict_do_nothing(index_elements=["idempotency_key"])
        if (await session.execute(stmt.returning(orm.inbox.c.alert_id))).scalar():
            log.info("alert in inbox", alert_id=alert.alert_id, person_id=recipient_id, obligation_id=data.obligation_id)


async def secretary_vacant(session: AsyncSession, event: ParsedEvent) -> None:
    data: d.SecretaryVacant = event.data
    if data.parent_secretary_id is None:
        return  # falls to the operators
    alert = vacancy_alert(org_id=data.org_id, org_name=data.org_id, recipient_id=data.parent_secretary_id, since=data.since.isoformat())
    stmt = insert(orm.inbox).values(asdict(alert)).on_conflict_do_nothing(index_elements=["idempotency_key"])
    if (await session.execute(stmt.returning(orm.inbox.c.alert_id))).scalar():
        log.info("alert in inbox", alert_id=alert.alert_id, person_id=alert.person_id, org_id=data.org_id)


ROUTES: dict[str, Handler] = {
    "secretary.vacant.v1": secretary_vacant,
    "member.joined.v1": member_joined,
    "member.contact_changed.v1": contact_changed,
    **{
        f"obligation.{t}.v1": obligation_changed
        for t in ("opened", "due_soon", "overdue", "escalated", "reassigned", "fulfilled", "cancelled")
    },
}
