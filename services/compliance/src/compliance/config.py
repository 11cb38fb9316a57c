"""Compliance settings from the environment."""

from dataclasses import replace
from typing import Any

from pydantic import AliasChoices, Field

from compliance.domain.policy import DEFAULT_POLICY, Policy, PolicyRefused, with_overrides
from kernel.settings import CommonSettings
from talk_contracts import Topic

# The topics the projection is made of (its own, compliance.events, only for a replay: waivers).
CONSUMED = [Topic.REGISTRY, Topic.DISCIPLINE, Topic.CADRE, Topic.CONDUCT, Topic.TALKS]


class ComplianceSettings(CommonSettings):
    port: int = Field(8103, validation_alias=AliasChoices("COMPLIANCE_PORT"))
    # Any number of the policy (domain/policy.py), as JSON, e.g.
    # COMPLIANCE_POLICY='{"due_days": {"M4": 5}, "arrears_months": 4, "collective_talks_count": true}'
    policy_overrides: dict[str, Any] = Field(default_factory=dict, validation_alias=AliasChoices("COMPLIANCE_POLICY"))
    # How often the scheduler moves obligations along their life cycle (due soon, overdue, escalated).
    tick_seconds: float = Field(60.0, gt=0, validation_alias=AliasChoices("COMPLIANCE_TICK_SECONDS"))
    # How often the leader folds the coverage deltas into the roll-up (and counts a year not counted yet).
    rollup_seconds: float = Field(5.0, gt=0, validation_alias=AliasChoices("COVERAGE_ROLLUP_SECONDS"))
    # A trigger about a person still unknown after this long is reported (metric and dead letter).
    held_limit_hours: float = Field(24.0, gt=0, validation_alias=AliasChoices("COMPLIANCE_HELD_LIMIT_HOURS"))

    def policy(self) -> Policy:
        try:
            return with_overrides(replace(DEFAULT_POLICY, time_zone=self.time_zone), self.policy_overrides)
        except PolicyRefused as refused:
            raise ValueError(f"COMPLIANCE_POLICY: {refused}") from None
