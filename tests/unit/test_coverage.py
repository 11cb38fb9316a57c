"""SPEC §3.1: COV-MEMBER states."""

from datetime import date

import pytest

from compliance.domain.coverage import counts_for_member_coverage, member_coverage
from compliance.domain.policy import DEFAULT_POLICY, Policy

CASES = [
    ("one talk covers", 1, date(2026, 3, 1), "covered"),
    ("two talks cover", 2, date(2026, 12, 30), "covered"),
    ("none, most of the year left: pending", 0, date(2026, 3, 1), "pending"),
    ("none, 61 days left: pending", 0, date(2026, 10, 31), "pending"),
    ("none, 59 days left: at risk", 0, date(2026, 11, 2), "at_risk"),
    ("none, year over: at risk", 0, date(2027, 1, 5), "at_risk"),
]


@pytest.mark.parametrize("talks, today, state", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_member_coverage(talks, today, state):
    result = member_coverage(talks, 2026, today, DEFAULT_POLICY)
    assert result.state == state
    assert result.target == 2


@pytest.mark.parametrize(
    "roles, individual, policy, counts",
    [
        ({"secretary"}, True, DEFAULT_POLICY, True),
        ({"committee_member"}, True, DEFAULT_POLICY, True),
        (set(), True, DEFAULT_POLICY, False),
        ({"secretary"}, False, DEFAULT_POLICY, False),
        ({"secretary"}, False, Policy(collective_talks_count=True), True),
    ],
)
def test_which_talks_count(roles, individual, policy, counts):
    assert counts_for_member_coverage(roles, individual, policy) is counts
