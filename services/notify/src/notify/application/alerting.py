"""An alert into the inbox and onto the channels its recipient chose, once per idempotency key.

The inbox entry and its deliveries are written in the caller's unit of work: for an event, the
consumer's batch transaction with the event's tracking row, so a redelivered event schedules
nothing twice.
"""

from dataclasses import replace
from datetime import UTC, datetime

from kernel.logging import get_logger
from notify.application.ports import UnitOfWork
from notify.config import NotifySettings
from notify.domain.alerts import Alert
from notify.domain.delivery import channels_for, not_before

log = get_logger(__name__)


async def deliver(uow: UnitOfWork, alert: Alert, settings: NotifySettings, only: tuple[str, ...] | None = None) -> bool:
    """The inbox entry and its deliveries, once per idempotency key; False when it existed already."""
    if not await uow.inbox.add(alert):
        return False  # this alert exists: a redelivered or replayed event
    await schedule_deliveries(uow, alert, settings, datetime.now(UTC), only)
    log.info("alert in inbox", alert_id=alert.alert_id, person_id=alert.person_id, transition=alert.transition)
    return True


async def schedule_deliveries(
    uow: UnitOfWork, alert: Alert, settings: NotifySettings, now: datetime, only: tuple[str, ...] | None = None
) -> None:
    person = await uow.people.get(alert.person_id)
    if person is None:
        return  # nobody to reach beyond the inbox yet
    prefs = person.preferences()
    when = not_before(now, prefs, alert.transition, settings.zone)
    # `only`: the channels this alert goes out on whatever the person's choice (the digest is an e-mail).
    chosen = replace(prefs, channels=only) if only is not None else prefs
    channels = channels_for(chosen, person.email, person.phone, bool(settings.webhook_url))
    channels = [c for c in channels if c != "email" or settings.smtp_host]
    if channels:
        await uow.deliveries.schedule(alert, channels, when)
