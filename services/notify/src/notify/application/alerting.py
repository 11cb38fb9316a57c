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

from kernel import tracing
from kernel.logging import get_logger
from notify.application.ports import UnitOfWork
from notify.config import NotifySettings
from notify.domain.alerts import Alert
from notify.domain.delivery import channels_for, not_before

log = get_logger(__name__)

# An alert; the channels it goes out on whatever the person's choice (None: as they chose); the log
# context of the event that made it (its event and correlation ids), for the line that says so; and
# the trace context it was made in (kernel.tracing), which its inbox write and deliveries continue.
Pending = tuple[Alert, tuple[str, ...] | None, dict, str | None]


async def deliver(uow: UnitOfWork, alert: Alert, settings: NotifySettings, only: tuple[str, ...] | None = None) -> bool:
    """One alert now, outside a consumer batch (the digest); False when it existed already."""
    return bool(await deliver_all(uow, [(alert, only, {}, tracing.current_traceparent())], settings))


async def deliver_all(uow: UnitOfWork, pending: Sequence[Pending], settings: NotifySettings) -> list[Alert]:
    """The inbox entries and their deliveries; returns the alerts that were new."""
    # A span per alert in its cause's trace, around the batch's one insert that writes them all.
    with tracing.spans("notify inbox write", [traceparent for *_, traceparent in pending]) as spans:
        fresh_ids = await uow.inbox.add_many([alert for alert, *_ in pending])
    new, seen = [], set()
    for (alert, only, context, _), span in zip(pending, spans, strict=True):
        if alert.alert_id in fresh_ids and alert.alert_id not in seen:  # an alert twice in a batch: once
            seen.add(alert.alert_id)
            new.append((alert, only, context, tracing.traceparent_of(span.get_span_context())))
    people = await uow.people.get_many({alert.person_id for alert, *_ in new})
    now = datetime.now(UTC)
    plans = []
    for alert, only, context, traceparent in new:
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
            plans.append((alert, channels, not_before(now, prefs, alert.transition, settings.zone), traceparent))
    await uow.deliveries.schedule(plans)
    return [alert for alert, *_ in new]
