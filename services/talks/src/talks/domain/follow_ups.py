"""When a follow-up measure (整改措施) is reminded of. Pure: `today` is passed in, never read."""

from datetime import date, timedelta

# Days before its due date that an open measure counts as due soon.
DUE_SOON_DAYS = 3


def reminder_cutoffs(today: date, due_soon_days: int = DUE_SOON_DAYS) -> dict[str, date]:
    """Each reminder stage, in the order they are published, with the latest due date it covers:
    `due` for an open measure due within `due_soon_days`, `overdue` once its date has passed."""
    return {"due": today + timedelta(days=due_soon_days), "overdue": today - timedelta(days=1)}
