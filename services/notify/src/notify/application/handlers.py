"""Notify's event handlers: keep track of people, and alert whoever a change concerns, once.

Each handler gets the consumer batch's unit of work (its ports, never a database session) and one
event; `route()` maps the CloudEvents types notify consumes to them. Alerts are collected in the
unit of work and written when the batch is done (`finish_batch`); the names they need are loaded
for the whole batch before (`start_batch`).
"""

from dataclasses import dataclass

from structlog.contextvars import get_contextvars

from kernel import tracing
from notify.application.alerting import deliver_all
from notify.application.ports import EventHandler, UnitOfWork
from notify.config import NotifySettings
from notify.domain.alerts import Templates, follow_up_alert, meeting_alert, obligation_alert, recipients, vacancy_alert
from talk_contracts import OBLIGATION_TRANSITIONS, ParsedEvent
from talk_contracts import data as d


def _alert(uow: UnitOfWork, alert) -> None:
    """Written with the batch's others (finish_batch), logged with the ids of the event that made it,
    in its trace."""
    uow.pending.append((alert, None, get_contextvars(), tracing.current_traceparent()))


@dataclass
class NotifyHandlers:
    settings: NotifySettings
    templates: Templates

    async def member_joined(self, uow: UnitOfWork, event: ParsedEvent) -> None:
        data: d.MemberJoined = event.data
        await uow.people.upsert(data.person_id, data.name, data.email, data.phone)
        uow.names[data.person_id] = data.name  # named for the batch's later events too

    async def contact_changed(self, uow: UnitOfWork, event: ParsedEvent) -> None:
        data: d.MemberContactChanged = event.data
        await uow.people.change_contact(data.person_id, data.email, data.phone)

    async def role_changed(self, uow: UnitOfWork, event: ParsedEvent) -> None:
        data: d.RoleAssigned = event.data
        if event.envelope.type == "role.ended.v1":  # the registry publishes a displaced secretary's end too
            await uow.roles.end(data.org_id, data.person_id, data.role)
        else:
            await uow.roles.assign(data.org_id, data.person_id, data.role)

    async def obligation_changed(self, uow: UnitOfWork, event: ParsedEvent) -> None:
        """Alerts to whoever the transition concerns (SPEC §5). An obligation the operators own
        (`responsible_kind: operators`) is theirs to see on the dashboard: no person is alerted."""
        data: d.ObligationChanged = event.data
        transition = event.envelope.type.removeprefix("obligation.").removesuffix(".v1")
        to = recipients(transition, data.responsible_id, data.escalated_to_id, data.previous_responsible_id)
        if not to:
            return
        subject_name = uow.names.get(data.subject_id)  # loaded for the batch (start_batch), or joined in it
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
            _alert(uow, alert)

    async def secretary_vacant(self, uow: UnitOfWork, event: ParsedEvent) -> None:
        data: d.SecretaryVacant = event.data
        if data.parent_secretary_id is None:
            return  # falls to the operators
        alert = vacancy_alert(
            org_id=data.org_id, org_name=data.org_id, recipient_id=data.parent_secretary_id,
            since=data.since.isoformat(), templates=self.templates,
        )  # fmt: skip
        _alert(uow, alert)

    async def meeting_approaching(self, uow: UnitOfWork, event: ParsedEvent) -> None:
        """(SPEC §3.6) 14 and 3 days before an organisational-life meeting, its secretary hears how
        much coverage is still missing (operators see a vacant seat's on the dashboard)."""
        data: d.MeetingApproaching = event.data
        if data.secretary_id is None:
            return
        alert = meeting_alert(
            meeting_id=data.meeting_id, days_before=data.days_before, recipient_id=data.secretary_id, date=data.date.isoformat(),
            members=data.uncovered_members, secretaries=data.uncovered_secretaries, pairs=data.uncovered_pairs, templates=self.templates,
        )  # fmt: skip
        _alert(uow, alert)

    async def follow_up(self, uow: UnitOfWork, event: ParsedEvent) -> None:
        """A follow-up measure due or overdue: its owner is reminded (never told its text)."""
        data: d.FollowUp = event.data
        stage = event.envelope.type.removeprefix("follow_up.").removesuffix(".v1")
        alert = follow_up_alert(
            follow_up_id=data.follow_up_id, stage=stage, owner_id=data.owner_id,
            due_date=data.due_date.isoformat(), templates=self.templates,
        )  # fmt: skip
        _alert(uow, alert)

    async def start_batch(self, uow: UnitOfWork, events: list[ParsedEvent]) -> None:
        subjects = {e.data.subject_id for e in events if e.envelope.type.startswith("obligation.")}
        uow.names = await uow.people.names_of(subjects)

    async def finish_batch(self, uow: UnitOfWork) -> None:
        await deliver_all(uow, uow.pending, self.settings)
        uow.pending.clear()

    def route(self) -> dict[str, EventHandler]:
        return {
            "member.joined.v1": self.member_joined,
            "member.contact_changed.v1": self.contact_changed,
            "role.assigned.v1": self.role_changed,
            "role.ended.v1": self.role_changed,
            "secretary.vacant.v1": self.secretary_vacant,
            "meeting.approaching.v1": self.meeting_approaching,
            "follow_up.due.v1": self.follow_up,
            "follow_up.overdue.v1": self.follow_up,
            **{f"obligation.{t}.v1": self.obligation_changed for t in OBLIGATION_TRANSITIONS},
        }
