"""Policy numbers of the regulation (SPEC §3). Where the notice says "promptly", a default number
of days stands here; operators change them through configuration, never in code."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Policy:
    # Days from the trigger to the due date, per rule id (SPEC §3.2).
    due_days: dict[str, int] = field(
        default_factory=lambda: {
            "M1": 15, "M2": 15, "M3": 15, "M4": 7, "M5": 7, "M6": 30,
            "C1": 15, "C2": 15, "C3": 7, "C4": 15, "C5": 7, "C6": 7, "C7": 15, "C8": 15,
            "REQ": 7,
        }
    )  # fmt: skip
    arrears_months: int = 3  # dues in arrears this long: M3
    absences_in_a_row: int = 3  # absences from organisational life in a row: M2
    due_soon_days: int = 3
    escalate_after_days: int = 7
    coverage_min_talks: int = 1
    coverage_target_talks: int = 2
    at_risk_days_left: int = 60
    collective_talks_count: bool = False


DEFAULT_POLICY = Policy()
