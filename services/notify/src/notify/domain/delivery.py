"""How alerts travel beyond the inbox (SPEC §5): channels, quiet hours, retries. Pure."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

CHANNELS = ("email", "webhook")
# Alerts that do not wait for the end of quiet hours.
URGENT = frozenset({"overdue", "escalated"})


@dataclass(frozen=True)
class Preferences:
    channels: tuple[str, ...] = CHANNELS  # beyond the inbox, which every alert goes to
    quiet_start: time | None = None  # e.g. 22:00
    quiet_end: time | None = None  # e.g. 07:00


def channels_for(prefs: Preferences, email: str | None, phone: str | None, webhook_configured: bool) -> list[str]:
    """The channels an alert goes out on: those the person chose and can be reached on."""
    reachable = {"email": bool(email), "webhook": webhook_configured and bool(phone)}
    return [c for c in CHANNELS if c in prefs.channels and reachable[c]]


def not_before(now: datetime, prefs: Preferences, transition: str, zone: ZoneInfo) -> datetime:
    """When a delivery may go out: now, or the end of the person's quiet hours for non-urgent alerts."""
    if transition in URGENT or prefs.quiet_start is None or prefs.quiet_end is None:
        return now
    local = now.astimezone(zone)
    start, end, t = prefs.quiet_start, prefs.quiet_end, local.time()
    quiet = (start <= t or t < end) if start > end else (start <= t < end)
    if not quiet:
        return now
    release = datetime.combine(local.date(), end, tzinfo=zone)
    if release <= local:
        release += timedelta(days=1)
    return release.astimezone(now.tzinfo)


def backoff(attempt: int, base_s: float, cap_s: float, rand: Callable[[], float] = random.random) -> timedelta:
    """Exponential back-off with jitter: between half and all of base·2^(attempt−1), capped."""
    ceiling = min(cap_s, base_s * 2 ** max(attempt - 1, 0))
    return timedelta(seconds=ceiling * (0.5 + rand() / 2))
