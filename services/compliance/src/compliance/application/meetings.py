"""(SPEC §3.6) Regular talks come before the mid-year and year-end organisational-life meetings:
14 and 3 days before a scheduled meeting, the organisation's secretary hears how many of its
members, subordinate secretaries and committee pairs still lack the year's talk."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime
from typing import Protocol

from compliance.application.announce import meeting_event
from compliance.application.coverage_report import CoverageReader, coverage
from compliance.domain.changes import MeetingReminded
from compliance.domain.policy import Policy
from talk_contracts import CloudEvent


class Meetings(Protocol):
    """The meetings to remind of, in one transaction with the coverage they are judged by."""

    coverage: CoverageReader

    async def due(self, today: date, days_before: tuple[int, ...]) -> list[tuple[str, str, date, int]]:
        """(meeting id, organisation, date, days before) of each reminder due today and not sent yet;
        the fewest days first when several are due at once (only that one is sent)."""

    async def secretary_of(self, org_id: str) -> str | None: ...

    async def reminded(self, meeting_id: str, days_before: int, event: CloudEvent) -> None:
        """Remember the reminder and stage its event."""


async def remind(meetings: Callable[[], AbstractAsyncContextManager[Meetings]], policy: Policy, today: date) -> int:
    async with meetings() as m:
        due = await m.due(today, policy.meeting_reminder_days)
        for meeting_id, org_id, day, days_before in due:
            found = await coverage(m.coverage, policy, org_id=org_id, subtree=False, year=day.year, today=today)
            uncovered = {rule: tally.total - tally.covered for rule, tally in found.tallies().items()}
            reminder = MeetingReminded(meeting_id, org_id, day, days_before, await m.secretary_of(org_id), uncovered)
            await m.reminded(meeting_id, days_before, meeting_event(reminder, datetime.now(UTC)))
    return len(due)



