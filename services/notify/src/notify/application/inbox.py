"""The in-app inbox as its recipient reads it: a page of alerts with counts, and marking one read."""

from dataclasses import dataclass

from notify.application.ports import UnitOfWorkFactory
from notify.application.records import InboxEntry


@dataclass(frozen=True)
class InboxPage:
    alerts: list[InboxEntry]  # newest first
    total: int  # of the alerts asked for (all, or the unread), beyond this page
    unread: int  # of all the person's alerts


async def read_inbox(unit_of_work: UnitOfWorkFactory, person_id: str, *, unread_only: bool, limit: int, offset: int) -> InboxPage:
    async with unit_of_work() as uow:
        total = await uow.inbox.count(person_id, unread_only=unread_only)
        unread = await uow.inbox.count(person_id, unread_only=True)
        alerts = await uow.inbox.page(person_id, unread_only=unread_only, limit=limit, offset=offset)
    return InboxPage(alerts, total, unread)


async def mark_alert_read(unit_of_work: UnitOfWorkFactory, person_id: str, alert_id: str) -> InboxEntry | None:
    """The alert, read now unless read before; None when the person has no such alert."""
    async with unit_of_work() as uow:
        return await uow.inbox.mark_read(person_id, alert_id)
