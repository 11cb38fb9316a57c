"""Annual coverage (SPEC §3.1): who had the talks the regulation asks for this calendar year. Pure.

A talk earns *credits*: COV-MEMBER for a member talked with by their organisation's secretary or a
committee member; COV-SECRETARY for a subordinate organisation's secretary talked with by the
parent's secretary or a parent committee member; COV-COMMITTEE for a pair of committee members of
one organisation talking with each other.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from compliance.domain.policy import Policy
from compliance.domain.responsibility import COMMITTEE_ROLES as COMMITTEE



@dataclass(frozen=True)
class Credit:
    rule_id: str
    person_id: str  # for a committee pair: the smaller id of the two
    counterpart_id: str
    org_id: str


@dataclass(frozen=True)
class CoverageState:
    talks: int
    target: int
    state: str  # covered | pending | at_risk


def credits_of_talk(
    talker_id: str,
    talkee_id: str,
    talkee_org: str | None,
    talker_roles: Mapping[str, str],
    talkee_roles: Mapping[str, str],
    parent_of: Mapping[str, str | None],
) -> list[Credit]:
    """What one talker–talkee pair of a talk counts towards (roles as held when the talk was held)."""
    credits = []
    talker_committee = {org for org, role in talker_roles.items() if role in COMMITTEE}
    if talkee_org is not None and talkee_org in talker_committee:
        credits.append(Credit("COV-MEMBER", talkee_id, talker_id, talkee_org))
    for org, role in talkee_roles.items():
        if role == "secretary" and parent_of.get(org) in talker_committee:
            credits.append(Credit("COV-SECRETARY", talkee_id, talker_id, org))
        if role in COMMITTEE and org in talker_committee:
            low, high = sorted((talker_id, talkee_id))
            credits.append(Credit("COV-COMMITTEE", low, high, org))
    return credits


def counts_towards_coverage(is_individual: bool, policy: Policy) -> bool:
    """Collective talks count only where policy says so (default: no)."""
    return is_individual or policy.collective_talks_count


def coverage_state(talks: int, year: int, today: date, policy: Policy, next_meeting: date | None = None) -> CoverageState:
    """`covered` with the minimum number of talks; `at_risk` when not covered and fewer than
    `at_risk_days_left` days remain before the year ends or before the organisation's next scheduled
    organisational-life meeting (SPEC §3.6); `pending` otherwise."""
    if talks >= policy.coverage_min_talks:
        state = "covered"
    else:
        deadline = date(year, 12, 31)
        if next_meeting is not None and today <= next_meeting < deadline:
            deadline = next_meeting
        state = "at_risk" if (deadline - today).days < policy.at_risk_days_left else "pending"
    return CoverageState(talks=talks, target=policy.coverage_target_talks, state=state)
