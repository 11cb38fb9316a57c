"""Notify's delivery rules: channels, quiet hours, back-off."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from notify.domain.delivery import Preferences, backoff, channels_for, not_before

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "prefs, email, phone, webhook, expected",
    [
        (Preferences(), "a@b", "138", True, ["email", "webhook"]),
        (Preferences(), None, "138", True, ["webhook"]),
        (Preferences(), "a@b", None, True, ["email"]),
        (Preferences(), "a@b", "138", False, ["email"]),
        (Preferences(channels=("webhook",)), "a@b", "138", True, ["webhook"]),
        (Preferences(channels=()), "a@b", "138", True, []),
    ],
)
def test_channels_the_person_chose_and_can_be_reached_on(prefs, email, phone, webhook, expected):
    assert channels_for(prefs, email, phone, webhook) == expected


NIGHT = Preferences(quiet_start=time(22, 0), quiet_end=time(7, 0))


@pytest.mark.parametrize(
    "local, transition, released_at",
    [
        (datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI), "opened", datetime(2026, 3, 3, 7, 0, tzinfo=SHANGHAI)),
        (datetime(2026, 3, 3, 6, 0, tzinfo=SHANGHAI), "due_soon", datetime(2026, 3, 3, 7, 0, tzinfo=SHANGHAI)),
        (datetime(2026, 3, 3, 12, 0, tzinfo=SHANGHAI), "opened", None),
        (datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI), "escalated", None),
        (datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI), "overdue", None),
    ],
    ids=["late evening waits till morning", "early morning waits", "day goes now", "escalation is urgent", "overdue is urgent"],
)
def test_quiet_hours_hold_non_urgent_alerts(local, transition, released_at):
    now = local.astimezone(UTC)
    assert not_before(now, NIGHT, transition, SHANGHAI) == (released_at or local).astimezone(UTC)


def test_back_off_doubles_with_jitter_up_to_a_cap():
    top = lambda: 1.0  # noqa: E731 - the jitter at its largest
    assert [backoff(a, 2, 60, top).total_seconds() for a in (1, 2, 3, 4, 5, 6, 7)] == [2, 4, 8, 16, 32, 60, 60]
    assert backoff(3, 2, 60, lambda: 0.0) == timedelta(seconds=4)  # at least half the ceiling
