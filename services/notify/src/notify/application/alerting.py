"""Alerts into the inbox and onto the channels their recipients chose, once per idempotency key.

The inbox entries and their deliveries are written in the caller's unit of work: for events, the
consumer's batch transaction with the events' tracking rows, so a redelivered event schedules
nothing twice. A batch's alerts are written together (one insert into the inbox, one lookup of the
recipients, one insert of deliveries): at 500 sanctions a second, three statements per alert were
what kept notify behind.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from kernel.logging import get_logger
from notify.application.ports import UnitOfWork
from notify.config import NotifySettings
from notify.domain.alerts import Alert
from notify.domain.delivery import channels_for, not_before

log = get_logger(__name__)

# An alert; the channels it goes out on whatever the person's choice (None: as they chose); and the
# log context of the event that made it (its event and correlation ids), for the line that says so.
Pending = tuple[Alert, tuple[str, ...] | None, dict]


async def deliver(uow: UnitOfWork, alert: Alert, settings: NotifySettings, only: tuple[str, ...] | None = None) -> bool:
    """One alert now, outside a consumer batch (the digest); False when it existed already."""
    return bool(await deliver_all(uow, [(alert, only, {})], settings))


async def deliver_all(uow: UnitOfWork, pending: Sequence[Pending], settings: NotifySettings) -> list[Alert]:
    """The inbox entries and their deliveries; returns the alerts that were new."""
    fresh_ids = await uow.inbox.add_many([alert for alert, _, _ in pending])
    new, seen = [], set()
    for alert, only, context in pending:
        if alert.alert_id in fresh_ids and alert.alert_id not in seen:  # an alert twice in a batch: once
            seen.add(alert.alert_id)
            new.append((alert, only, context))
    people = await uow.people.get_many({alert.person_id for alert, _, _ in new})
    now = datetime.now(UTC)
    plans = []
    for alert, only, context in new:
        log.info("alert in inbox", alert_id=alert.alert_id, person_id=alert.person_id, transition=alert.transition, **context)
        person = people.get(alert.person_id)
        if person is None:
            continue  # nobody to reach beyond the inbox yet
        prefs = person.preferences()
        # `only`: the channels this alert goes out on whatever the person's choice (the digest is an e-mail).
        chosen = replace(prefs, channels=only) if only is not None else prefs
        channels = channels_for(chosen, person.email, person.phone, bool(settings.webhook_url))
        channels = [c for c in channels if c != "email" or settings.smtp_host]
        if channels:
            plans.append((alert, channels, not_before(now, prefs, alert.transition, settings.zone)))
    await uow.deliveries.schedule(plans)
    return [alert for alert, _, _ in new]
