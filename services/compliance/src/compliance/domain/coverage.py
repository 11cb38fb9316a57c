"""Annual coverage (SPEC §3.1): whether each member had their talks this calendar year."""

from dataclasses import dataclass
from datetime import date

from compliance.domain.policy import Policy


@dataclass(frozen=True)
class CoverageState:
    talks: int
    target: int
    state: str  # covered | pending | at_risk


def member_coverage(talks: int, year: int, today: date, policy: Policy) -> CoverageState:
    """`covered` with the minimum number of qualifying talks; `at_risk` when not covered and fewer than
    `at_risk_days_left` days remain in the year (or the year is over); `pending` otherwise."""
    if talks >= policy.coverage_min_talks:
        state = "covered"
    else:
        days_left = (date(year, 12, 31) - today).days
        state = "at_risk" if days_left < policy.at_risk_days_left else "pending"
    return CoverageState(talks=talks, target=policy.coverage_target_talks, state=state)


def counts_for_member_coverage(talker_roles: set[str], is_individual: bool, policy: Policy) -> bool:
    """A talk covers a member when held by their organisation's secretary or a committee member;
    collective talks only where policy says so."""
    if not is_individual and not policy.collective_talks_count:
        return False
    return bool(talker_roles & {"secretary", "deputy_secretary", "committee_member"})
