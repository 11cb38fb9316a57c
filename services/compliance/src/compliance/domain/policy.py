"""Policy numbers of the regulation (SPEC §3). Where the notice says "promptly", a default number
of days stands here; operators change them through configuration, never in code."""

from dataclasses import dataclass, field, replace
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


class PolicyRefused(ValueError):
    """Policy numbers that cannot be taken, with what is wrong with them."""


_DAYS = range(0, 3661)  # up to ten years


def with_overrides(base: Policy, overrides: dict) -> Policy:
    """`base` with some of its numbers changed, e.g. {"due_days": {"M4": 5}, "collective_talks_count":
    true}: rule days are merged into the base's, anything else replaces it. Every change is checked:
    an unknown name, rule or a value of the wrong kind is refused with what is wrong."""
    if not isinstance(overrides, dict):
        raise PolicyRefused("a policy is a JSON object of policy numbers, e.g. {\"due_days\": {\"M4\": 5}}")
    known = set(Policy.__dataclass_fields__) - {"time_zone"}  # the deployment's calendar is TIME_ZONE, not policy
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise PolicyRefused(f"unknown policy numbers {unknown}; known: {sorted(known)}")
    changes: dict = {}
    for name, value in overrides.items():
        current = getattr(base, name)
        if isinstance(current, dict):
            if not isinstance(value, dict):
                raise PolicyRefused(f"{name} is an object of rule ids and days, e.g. {{\"M4\": 5}}")
            wrong = sorted(r for r in value if r not in base.due_days)
            if wrong:
                raise PolicyRefused(f"{name}: unknown rules {wrong}")
            bad = sorted(r for r, days in value.items() if not _is_int(days) or days not in _DAYS)
            if bad:
                raise PolicyRefused(f"{name}: days of {bad} must be whole numbers from 0 to {_DAYS[-1]}")
            changes[name] = current | value
        elif isinstance(current, bool):
            if not isinstance(value, bool):
                raise PolicyRefused(f"{name} is true or false")
            changes[name] = value
        elif isinstance(current, tuple):
            if not isinstance(value, list) or not all(_is_int(v) and v in _DAYS for v in value):
                raise PolicyRefused(f"{name} is a list of days, e.g. [14, 3]")
            changes[name] = tuple(value)
        else:
            if not _is_int(value) or value not in _DAYS:
                raise PolicyRefused(f"{name} must be a whole number from 0 to {_DAYS[-1]}")
            changes[name] = value
    return replace(base, **changes)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
