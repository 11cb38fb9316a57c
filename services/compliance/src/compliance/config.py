"""Compliance settings from the environment."""

from pydantic import AliasChoices, Field

from compliance.domain.policy import DEFAULT_POLICY, Policy
from kernel.settings import CommonSettings


class ComplianceSettings(CommonSettings):
    port: int = Field(8103, validation_alias=AliasChoices("COMPLIANCE_PORT"))
    # e.g. COMPLIANCE_DUE_DAYS='{"M4": 5}' overrides the default due days of SPEC §3.2.
    due_days: dict[str, int] = Field(default_factory=dict, validation_alias=AliasChoices("COMPLIANCE_DUE_DAYS"))
    # How often the scheduler moves obligations along their life cycle (due soon, overdue, escalated).
    tick_seconds: float = Field(60.0, gt=0, validation_alias=AliasChoices("COMPLIANCE_TICK_SECONDS"))
    # A trigger about a person still unknown after this long is reported (metric and dead letter).
    held_limit_hours: float = Field(24.0, gt=0, validation_alias=AliasChoices("COMPLIANCE_HELD_LIMIT_HOURS"))
    collective_talks_count: bool = Field(False, validation_alias=AliasChoices("COMPLIANCE_COLLECTIVE_TALKS_COUNT"))

    def policy(self) -> Policy:
        return Policy(
            due_days=DEFAULT_POLICY.due_days | self.due_days,
            collective_talks_count=self.collective_talks_count,
        )
