"""Policy numbers of the regulation (SPEC §3). Where the notice says "promptly", a default number
of days stands here; operators change them through configuration, never in code."""

from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from talk_contracts.calendar import DEFAULT_TIME_ZONE, zone


@dataclass(frozen=True)
class Policy:
    # Days from the trigger's date to the due date, per rule id (SPEC §3.2).
    due_days: dict[str, int] = field(
        default_factory=lambda: {
            "M1": 15, "M2": 15, "M3": 15, "M4": 7, "M5": 7, "M6": 30,
            "C1": 15, "C2": 15, "C3": 7, "C4": 15, "C5": 7, "C6": 7, "C7": 15, "C8": 15,
            "REQ": 7,
        }
    )  # fmt: skip
    # Days before the trigger's date from which a talk already fulfils (C1: a 离任 talk is often
    # held before leaving, SPEC §3.2); 0 for every other rule.
    talk_window_days: dict[str, int] = field(default_factory=lambda: {"C1": 30})
    arrears_months: int = 3  # dues in arrears this long: M3
    absences_in_a_row: int = 3  # absences from organisational life in a row: M2
    due_soon_days: int = 3
    escalate_after_days: int = 7
    coverage_min_talks: int = 1
    coverage_target_talks: int = 2
    at_risk_days_left: int = 60
    collective_talks_count: bool = False
    meeting_reminder_days: tuple[int, ...] = (14, 3)  # SPEC §3.6: alerts before the meeting
    # (v2) the deployment's calendar: every date the rules use is a date here (TIME_ZONE).
    time_zone: str = DEFAULT_TIME_ZONE

    @cached_property
    def zone(self) -> ZoneInfo:
        return zone(self.time_zone)

    def window(self, rule_id: str) -> int:
        return self.talk_window_days.get(rule_id, 0)


DEFAULT_POLICY = Policy()
