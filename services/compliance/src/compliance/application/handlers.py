"""One function per event type, reading like SPEC §2–§3; the routing table is at the bottom.

Each handler runs inside the consumer's transaction (see kernel.consumer): the projection change,
the events it causes (outbox) and the tracking row of the event commit together. The handlers read
and change the batch's rows in memory (adapters.working_set): `start_batch` loads them in bulk,
`finish_batch` writes them back in bulk.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import structlog
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.adapters.working_set import WorkingSet
from compliance.application.obligation_book import ObligationBook
from compliance.domain.coverage import counts_towards_coverage, credits_of_talk
from compliance.domain.obligations import Talk, fulfilled_by
from compliance.domain.policy import Policy
from compliance.domain.triggers import Trigger, absence_streak, triggers_of
from kernel.consumer import Handler
from kernel.logging import get_logger
from kernel.settings import CommonSettings
from talk_contracts import ParsedEvent, parse_event
from talk_contracts import data as d

log = get_logger(__name__)
ARRIVED = "compliance.arrived_people"  # session.info key: people who joined in this batch

TRIGGER_TYPES = (
    "discipline.action_recorded.v1",
    "discipline.adverse_report_received.v1",
    "conduct.observation_recorded.v1",
    "dues.arrears_recorded.v1",
    "appraisal.rated.v1",
    "welfare.hardship_reported.v1",
    "honours.commendation_awarded.v1",
    "cadre.job_changed.v1",
    "cadre.promoted.v1",
    "talk.requested.v1",
)


@dataclass
class ComplianceHandlers:
    settings: CommonSettings
    policy: Policy
    today: Callable[[], date]

    def book(self, session: AsyncSession) -> ObligationBook:
        return ObligationBook(session, self.settings, self.policy, self.today)

    def rows(self, session: AsyncSession) -> WorkingSet:
        return WorkingSet.of(session, self.settings)

    # the batch around the handlers ---------------------------------------------------------------
    async def start_batch(self, session: AsyncSession, events: list[ParsedEvent]) -> None:
        """Load what the batch's handlers will read, in a few bulk queries instead of many small ones."""
        people: set[str] = set()
        orgs: set[str] = set()
        role_changes_at: set[str] = set()  # a role change reassigns obligations around the organisation
        movers: set[str] = set()  # a transfer reassigns the person's obligations
        talks_since: dict[str, datetime] = {}  # a new obligation looks for talks since its trigger
        for event in events:
            people |= people_of(event.data)
            orgs |= orgs_of(event.data)
            if event.envelope.type in ("role.assigned.v1", "role.ended.v1", "org.moved.v1"):
                role_changes_at.add(event.data.org_id)
            if event.envelope.type == "member.transferred.v1":
                movers.add(event.data.person_id)
            if event.envelope.type == "conduct.attendance_recorded.v1":  # may open M2
                opened = [(event.data.person_id, event.envelope.time)]
            else:
                opened = [(t.subject_id, t.at) for t in self._triggers(event)] if event.envelope.type in TRIGGER_TYPES else []
            for subject, at in opened:
                talks_since[subject] = min(at, talks_since.get(subject, at))
        await self.rows(session).preload(people, orgs, {e.id for e in events}, talks_since, role_changes_at, movers)

    async def finish_batch(self, session: AsyncSession) -> None:
        """Triggers that arrived before their person did are applied once the batch that brought the
        person is applied, so that the person's roles and secretaries, which the registry sends with
        the person, are known too; then every change is written back."""
        rows = self.rows(session)
        for person_id in session.info.pop(ARRIVED, []):
            for payload in await rows.release_held(person_id):
                held = parse_event(json.loads(payload))
                with structlog.contextvars.bound_contextvars(event_id=held.id, event_type=held.envelope.type):
                    log.info("applying held trigger", person_id=person_id)
                    for trigger in self._triggers(held):
                        if trigger.subject_id == person_id:
                            await self._open(session, trigger, held)
        await rows.flush()

    # the organisation tree and its people -------------------------------------------------------
    async def org_registered(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.OrgRegistered = event.data
        await self.rows(session).upsert_org(data.org_id, data.parent_id, data.name, data.kind)

    async def org_moved(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.OrgMoved = event.data
        await self.rows(session).upsert_org(data.org_id, data.parent_id)
        # The organisation's secretary now answers to another parent.
        book = self.book(session)
        await book.reassign(await book.rows.open_obligations_near(data.org_id), event.envelope.time, event)

    async def member_joined(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.MemberJoined = event.data
        await self.rows(session).upsert_member(data.person_id, data.org_id, data.name, data.status, event.envelope.time)
        session.info.setdefault(ARRIVED, []).append(data.person_id)

    async def member_transferred(self, session: AsyncSession, event: ParsedEvent) -> None:
        """Open obligations follow the member to the new responsible secretary (SPEC §3.5)."""
        data: d.MemberTransferred = event.data
        book = self.book(session)
        await book.rows.move_member(data.person_id, data.to_org_id)
        await book.reassign(await book.rows.open_obligations_of([data.person_id]), event.envelope.time, event)

    async def member_left(self, session: AsyncSession, event: ParsedEvent) -> None:
        """Leaving cancels the person's open obligations and takes them out of coverage (SPEC §3.5)."""
        data: d.MemberLeft = event.data
        book = self.book(session)
        await book.rows.mark_left(data.person_id, event.envelope.time)
        await book.close(await book.rows.open_obligations_of([data.person_id]), "cancelled", event, "cancelled")

    async def role_changed(self, session: AsyncSession, event: ParsedEvent) -> None:
        """A seat filled or vacated: responsibility is recomputed and open obligations reassigned."""
        data: d.RoleAssigned = event.data
        book = self.book(session)
        at = event.envelope.time
        if event.envelope.type == "role.assigned.v1":
            await book.rows.assign_role(data.org_id, data.person_id, data.role, at)
            if data.role == "secretary":
                await book.rows.seat_filled(data.org_id)
        else:
            await book.rows.end_role(data.org_id, data.person_id, data.role, at)
        await book.reassign(await book.rows.open_obligations_near(data.org_id, data.person_id), at, event)

    # must-talk triggers (SPEC §3.2) -------------------------------------------------------------
    def _triggers(self, event: ParsedEvent) -> list[Trigger]:
        if event.envelope.type == "conduct.attendance_recorded.v1":
            return []
        return triggers_of(event.data, event.envelope.time, self.policy)

    async def trigger(self, session: AsyncSession, event: ParsedEvent) -> None:
        for trigger in self._triggers(event):
            await self._open(session, trigger, event)

    async def attendance_recorded(self, session: AsyncSession, event: ParsedEvent) -> None:
        """M2 after three absences from organisational life in a row."""
        data: d.ConductAttendanceRecorded = event.data
        rows = self.rows(session)
        streak, triggered = absence_streak(await rows.absences(data.person_id), data.present, self.policy)
        await rows.set_absences(data.person_id, streak)
        if triggered:
            await self._open(session, Trigger(data.person_id, ("M2",), event.envelope.time), event)

    async def _open(self, session: AsyncSession, trigger: Trigger, event: ParsedEvent) -> None:
        book = self.book(session)
        own_org = await book.rows.member_org(trigger.subject_id)
        if own_org is None:
            await book.rows.hold(event.id, trigger.subject_id, event.envelope.model_dump_json())
            log.info("trigger held until its subject is known", person_id=trigger.subject_id)
            return
        await book.open(trigger, own_org, event)

    async def action_retracted(self, session: AsyncSession, event: ParsedEvent) -> None:
        """The source retracted the case: what it opened is cancelled."""
        data: d.DisciplineActionRetracted = event.data
        book = self.book(session)
        await book.close(await book.rows.open_obligations_by_ref(data.case_ref), "cancelled", event, "cancelled")

    # talks ----------------------------------------------------------------------------------------
    async def talk_recorded(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.TalkRecorded = event.data
        book = self.book(session)
        rows = book.rows
        talk = Talk(data.talk_id, data.held_at, data.mode, frozenset(data.talker_ids), frozenset(data.talkee_ids))
        await rows.remember_talk(talk)
        if counts_towards_coverage(talk.is_individual, self.policy):
            await self._credit_coverage(rows, data)
        people = set(data.talkee_ids) | set(data.talker_ids)
        met = [ob for ob in (fulfilled_by(o, talk) for o in await rows.open_obligations_of(people)) if ob]
        for ob in met:
            await rows.save(ob)
            await book.publish(ob, "fulfilled", event)

    async def _credit_coverage(self, rows: WorkingSet, data: d.TalkRecorded) -> None:
        roles = {p: await rows.roles_on(p, data.held_at) for p in {*data.talker_ids, *data.talkee_ids}}
        credits = []
        for talkee in data.talkee_ids:
            talkee_org = await rows.member_org(talkee)
            parent_of: dict[str, str | None] = {}
            for org in roles[talkee]:
                parent_of |= await rows.ancestry(org)
            for talker in data.talker_ids:
                credits += credits_of_talk(talker, talkee, talkee_org, roles[talker], roles[talkee], parent_of)
        await rows.add_credits(data.talk_id, data.held_at, list(dict.fromkeys(credits)))

    async def meeting_scheduled(self, session: AsyncSession, event: ParsedEvent) -> None:
        data: d.MeetingScheduled = event.data
        await self.rows(session).schedule_meeting(data.meeting_id, data.org_id, data.date, data.kind)

    def route(self) -> dict[str, Handler]:
        return {
            "org.registered.v1": self.org_registered,
            "org.moved.v1": self.org_moved,
            "member.joined.v1": self.member_joined,
            "member.transferred.v1": self.member_transferred,
            "member.left.v1": self.member_left,
            "role.assigned.v1": self.role_changed,
            "role.ended.v1": self.role_changed,
            "conduct.attendance_recorded.v1": self.attendance_recorded,
            "discipline.action_retracted.v1": self.action_retracted,
            "talk.recorded.v1": self.talk_recorded,
            "meeting.scheduled.v1": self.meeting_scheduled,
            **dict.fromkeys(TRIGGER_TYPES, self.trigger),
        }


PEOPLE_FIELDS = ("person_id", "leader_id")
PEOPLE_LIST_FIELDS = ("talker_ids", "talkee_ids", "counterpart_ids")
ORG_FIELDS = ("org_id", "parent_id", "to_org_id", "from_org_id")


def people_of(data: BaseModel) -> set[str]:
    """The people an event's data names (for loading their rows before the batch is applied)."""
    fields = type(data).model_fields
    people = {v for f in PEOPLE_FIELDS if f in fields and (v := getattr(data, f))}
    for f in PEOPLE_LIST_FIELDS:
        if f in fields:
            people.update(getattr(data, f) or ())
    return people


def orgs_of(data: BaseModel) -> set[str]:
    fields = type(data).model_fields
    return {v for f in ORG_FIELDS if f in fields and (v := getattr(data, f))}
