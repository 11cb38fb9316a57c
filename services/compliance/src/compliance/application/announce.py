"""What compliance tells the other services (SPEC §9): obligation transitions, vacant seats,
meetings drawing near."""

from datetime import datetime

from compliance.domain.changes import MeetingReminded, VacancyReported
from compliance.domain.obligations import Announcement
from talk_contracts import CloudEvent, ParsedEvent, Source, new_event
from talk_contracts import data as d


def _event(type_name: str, payload, subject: str, cause: ParsedEvent | None, now: datetime) -> CloudEvent:
    return new_event(
        type_name,
        payload,
        source=Source.COMPLIANCE,
        subject=subject,
        time=now,
        correlationid=cause.envelope.correlationid if cause else None,
        causationid=cause.id if cause else None,
    )


def obligation_events(announced: tuple[Announcement, ...], cause: ParsedEvent | None, now: datetime) -> list[CloudEvent]:
    out = []
    for transition, ob, previous in announced:
        payload = d.ObligationChanged(
            obligation_id=ob.obligation_id,
            rule_id=ob.rule_id,
            subject_id=ob.subject_id,
            responsible_kind=ob.responsible_kind,
            responsible_id=ob.responsible_id,
            responsible_org_id=ob.responsible_org_id,
            org_id=ob.org_id,
            due_date=ob.due_date,
            status=ob.status,
            trigger_event_id=ob.trigger_event_id,
            escalated_to_id=ob.escalated_to_id,
            previous_responsible_id=previous,
            fulfilled_by=ob.fulfilled_by,
            reason=ob.reason,
        )
        out.append(_event(f"obligation.{transition}.v1", payload, ob.subject_id, cause, now))
    return out


def vacancy_event(v: VacancyReported, cause: ParsedEvent | None, now: datetime) -> CloudEvent:
    data = d.SecretaryVacant(org_id=v.org_id, parent_org_id=v.parent_org_id, parent_secretary_id=v.parent_secretary_id, since=v.since)
    return _event("secretary.vacant.v1", data, v.org_id, cause, now)


def meeting_event(m: MeetingReminded, now: datetime) -> CloudEvent:
    data = d.MeetingApproaching(
        meeting_id=m.meeting_id, org_id=m.org_id, date=m.date, days_before=m.days_before, secretary_id=m.secretary_id,
        uncovered_members=m.uncovered.get("COV-MEMBER", 0), uncovered_secretaries=m.uncovered.get("COV-SECRETARY", 0),
        uncovered_pairs=m.uncovered.get("COV-COMMITTEE", 0),
    )  # fmt: skip
    return _event("meeting.approaching.v1", data, m.org_id, None, now)
